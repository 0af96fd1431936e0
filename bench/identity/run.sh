#!/usr/bin/env bash
# Identity-resolution benchmark: Hearth (`hearth dedup --file`) against Splink (DuckDB) on the
# same synthetic files in the same run. Prints a markdown table with pairwise precision, recall,
# F1, time per phase, peak memory and the ratios.
#
#   bench/identity/run.sh                  # 10k and 100k records
#   bench/identity/run.sh 10000 1000000    # any sizes
#   SKIP_SPLINK=1 bench/identity/run.sh    # Hearth only (tuning)
#   HEARTH_BIN=path/to/hearth run.sh ...   # use a binary built earlier instead of building
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${BENCH_DATA:-$here/data}
if [ $# -eq 0 ]; then set -- 10000 100000; fi

if [ -n "${HEARTH_BIN:-}" ]; then
  hearth=$HEARTH_BIN
else
  cargo build --release --quiet -p hearth --manifest-path "$root/Cargo.toml"
  hearth=${CARGO_TARGET_DIR:-$root/target}/release/hearth
fi

if [ -z "${SKIP_SPLINK:-}" ] && [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install --quiet splink==5.0.0 pandas==3.1.1 pypinyin==0.55.0
fi

for n in "$@"; do
  dir=$data/$n
  if [ ! -f "$dir/records.csv" ]; then
    echo "generating $n records" >&2
    python3 "$here/generate.py" --records "$n" --seed 1 --out "$dir"
  fi
  echo "hearth on $n" >&2
  /usr/bin/time -f %M -o "$dir/hearth.rss" "$hearth" dedup --file "$dir/records.csv" --json >"$dir/hearth.json"
  python3 "$here/evaluate.py" "$dir/truth.csv" "$dir/hearth.json" >"$dir/hearth.eval.json"
  if [ -z "${SKIP_SPLINK:-}" ]; then
    echo "splink on $n" >&2
    /usr/bin/time -f %M -o "$dir/splink.rss" "$here/.venv/bin/python" "$here/splink_run.py" \
      "$dir/records.csv" "$dir/splink.json" >"$dir/splink.log" 2>&1
    python3 "$here/evaluate.py" "$dir/truth.csv" "$dir/splink.json" >"$dir/splink.eval.json"
  fi
done

python3 "$here/table.py" "$data" "$@"
