#!/usr/bin/env bash
# Import benchmark: `hearth import households` (release build, full validation, encryption and
# blind indexes, into a fresh SQLite data dir seeded with the county's divisions) on N synthetic
# rows as CSV and as xlsx, next to ceilings measured in the same run: sqlite3 `.import` of the
# same CSV into a plain table; sqlite3 alone writing as many households into hearth's own tables
# and indexes (fill.sql: nothing read, checked, sealed or hashed); and pandas reading the same
# xlsx with openpyxl and with calamine.
# Prints a markdown table with rows/s and peak memory (/usr/bin/time -v).
#
#   bench/import/run.sh                 # 1,000,000 rows
#   bench/import/run.sh 100000          # any size
#   HEARTH_BIN=path/to/hearth bench/import/run.sh
#   FORMATS=csv bench/import/run.sh    # CSV only: no xlsx to generate, no pandas rows
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rows=${1:-1000000}
formats=${FORMATS:-csv xlsx}
data=${BENCH_DATA:-$here/data}/$rows
mkdir -p "$data"

if [ -n "${HEARTH_BIN:-}" ]; then
  hearth=$HEARTH_BIN
else
  cargo build --release --quiet -p hearth --manifest-path "$root/Cargo.toml"
  hearth=${CARGO_TARGET_DIR:-$root/target}/release/hearth
fi
if ! command -v sqlite3 >/dev/null; then
  apt-get install -y -qq sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
fi
py=python3
if [[ $formats == *xlsx* ]]; then
  if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet pandas openpyxl python-calamine
  fi
  py=$here/.venv/bin/python
fi

# A fresh data dir with the demo's divisions and accounts: start the demo, wait for its
# database, stop it.
dir=$data/hearth
rm -rf "$dir"
"$hearth" demo --data-dir "$dir" --listen 127.0.0.1:0 >"$data/demo.log" 2>&1 &
demo=$!
for _ in $(seq 1 120); do
  grep -q "demo sign-ins" "$data/demo.log" 2>/dev/null && break
  sleep 1
done
kill "$demo"; wait "$demo" 2>/dev/null || true
villages=$(sqlite3 "$dir/hearth.db" \
  "SELECT code FROM area WHERE level = 'village' AND code LIKE '340123100%' LIMIT 20" | paste -sd,)

want=households.csv; xlsx_flag=""
[[ $formats == *xlsx* ]] && { want=households.xlsx; xlsx_flag=--xlsx; }
if [ ! -f "$data/$want" ]; then
  echo "generating $rows rows" >&2
  "$py" "$here/generate.py" --rows "$rows" --villages "$villages" --out "$data" $xlsx_flag
fi

measure() { # name, command… → "seconds peak_kib" in $data/name.time
  local name=$1; shift
  /usr/bin/time -v "$@" >"$data/$name.out" 2>"$data/$name.err" || true
  awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = (length(t) == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2]}
              /Maximum resident set size/ {m = $2} END {print s, m}' "$data/$name.err" >"$data/$name.time"
}

db="sqlite://$dir/hearth.db"
key="$dir/hearth.key"
for kind in $formats; do
  cp "$dir/hearth.db" "$data/fresh.db"
  echo "hearth import ($kind)" >&2
  measure "hearth-$kind" "$hearth" --database "sqlite://$data/fresh.db" --key-file "$key" \
    import households "$data/households.$kind" --as town --mode valid-rows --json
  rm -f "$data/fresh.db" "$data/fresh.db-wal" "$data/fresh.db-shm"
done
echo "sqlite3 .import" >&2
rm -f "$data/plain.db"
measure sqlite3 sqlite3 "$data/plain.db" -cmd ".mode csv" ".import $data/households.csv plain"
echo "sqlite3 filling hearth's tables" >&2
cp "$dir/hearth.db" "$data/fill.db"
sed "s/:rows/$rows/g" "$here/fill.sql" >"$data/fill.sql"
measure fill sqlite3 "$data/fill.db" ".read $data/fill.sql"
rm -f "$data/fill.db" "$data/fill.db-wal" "$data/fill.db-shm" "$data/fill.sql"
if [[ $formats == *xlsx* ]]; then
  echo "pandas + openpyxl / calamine" >&2
  measure openpyxl "$py" -c "import pandas, sys; print(len(pandas.read_excel(sys.argv[1], engine='openpyxl', dtype=str)))" "$data/households.xlsx"
  measure calamine "$py" -c "import pandas, sys; print(len(pandas.read_excel(sys.argv[1], engine='calamine', dtype=str)))" "$data/households.xlsx"
fi

"$py" - "$data" "$rows" <<'PY'
import json, sys
data, rows = sys.argv[1], int(sys.argv[2])
def read(name):
    s, kib = open(f"{data}/{name}.time").read().split()
    return float(s), int(kib)
def accepted(name):
    try:
        return json.load(open(f"{data}/{name}.out"))["accepted"]
    except Exception:
        return "failed"
ceiling = max(read("sqlite3")[0], 0.01)
print(f"| {rows:,} rows | accepted | time (s) | rows/s | peak memory (MiB) | time vs sqlite3 .import |")
print("|---|---|---|---|---|---|")
for name, label in [("hearth-csv", "hearth import, CSV"), ("hearth-xlsx", "hearth import, xlsx"),
                    ("sqlite3", "sqlite3 .import, CSV (ceiling)"),
                    ("fill", "sqlite3 writing hearth's tables and indexes (storage ceiling)"),
                    ("openpyxl", "pandas + openpyxl, xlsx (read only)"),
                    ("calamine", "pandas + calamine, xlsx (read only)")]:
    try:
        s, kib = read(name)
    except FileNotFoundError:
        continue
    got = accepted(name) if name.startswith("hearth") else "—"
    s = max(s, 0.01)  # /usr/bin/time counts in hundredths
    print(f"| {label} | {got} | {s:.1f} | {rows / s:,.0f} | {kib / 1024:.0f} | {s / ceiling:.1f}× |")
PY
