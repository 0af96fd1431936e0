#!/usr/bin/env bash
# Load benchmark (run by hand, never in CI): HOUSEHOLDS synthetic households (default
# 1,000,000) on top of the demo data, then the household search, a household page, the
# dashboard and the delivery write path driven by wrk from this second process on 127.0.0.1,
# at a fixed rate and at saturation, on SQLite and (with PG_URL) PostgreSQL.
#
#   bench/load/run.sh                          # SQLite only
#   PG_URL=postgres://postgres@127.0.0.1:5432 bench/load/run.sh
#   HOUSEHOLDS=100000 SECONDS_PER_RUN=10 bench/load/run.sh
#
# Seeding goes through `hearth import households` (the county's own bulk path: validation,
# sealing of ID numbers, audit) in chunks of CHUNK rows, one transaction each; PostgreSQL is
# filled from the SQLite file with `hearth migrate-db`, which also verifies the copy.
# Fixed rate: wrk has no rate option (wrk2 has), so each connection waits C/RATE seconds
# between requests (wrk's `delay` hook); "req/s" is the rate actually reached. Latencies
# are wrk's (no coordinated-omission correction). "RSS" is the server's peak (VmHWM).
# Targets: search and pages p99 < 50 ms at 500 req/s; deliveries 200/s without errors;
# server memory < 300 MiB. Needs wrk, curl, jq, sqlite3 (apt-get install wrk curl jq sqlite3).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
households=${HOUSEHOLDS:-1000000}
chunk=${CHUNK:-50000}
seconds=${SECONDS_PER_RUN:-20}
rate=${RATE:-500}
delivery_rate=${DELIVERY_RATE:-200}
connections=${CONNECTIONS:-16}
port=${PORT:-18090}
base="http://127.0.0.1:$port"
for tool in wrk curl jq sqlite3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install $tool" >&2; exit 1; }
done
hearth=${HEARTH_BIN:-$target/release/hearth}
[ -n "${HEARTH_BIN:-}" ] || cargo build --release -p hearth --manifest-path "$root/Cargo.toml" >&2

work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
server=""
cleanup() { [ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }; }
trap cleanup EXIT
# Dates are China time, as the server keeps them (a delivery dated by UTC can precede its signing).
export TZ=Asia/Shanghai HEARTH_KEY_FILE="$work/demo/hearth.key" HEARTH_LOG=warn LOAD_DIR="$here"
sqlite_url="sqlite://$work/demo/hearth.db"

wait_up() {
    for _ in $(seq 1 240); do curl -fsS "$base/healthz" >/dev/null 2>&1 && return; sleep 0.5; done
    cat "$work/server.log" >&2; exit 1
}

# 1. The demo data, then the synthetic households in chunks (skipped when already there).
if [ ! -f "$work/seeded-$households" ]; then
    "$hearth" demo --listen "127.0.0.1:$port" --data-dir "$work/demo" --force >"$work/server.log" 2>&1 &
    server=$!; wait_up; cleanup; server=""
    started=$(date +%s)
    for ((from = 0; from < households; from += chunk)); do
        to=$((from + chunk < households ? from + chunk : households))
        awk -v from="$from" -v to="$to" -v village=新丰社区 -f "$here/households.awk" >"$work/part.csv"
        HEARTH_DATABASE_URL=$sqlite_url "$hearth" import households "$work/part.csv" --as village --json \
            2>/dev/null | jq -c '{accepted, rejected}' >&2
    done
    echo "seeded $households households in $(( $(date +%s) - started )) s" >&2
    touch "$work/seeded-$households"
fi

# 2. In season most of a county's households are reviewed (审核通过), and the dashboard counts
# those. The import leaves drafts; bulk review (POST /api/v1/households/review) takes 500 at a
# time, each audited, far too slow for a million, so the bench marks them approved in the file
# itself: a measurement shortcut, not audited, never a product path.
if [ ! -f "$work/approved-$households" ]; then
    sqlite3 "$work/demo/hearth.db" "UPDATE household SET status = 'approved' WHERE status = 'draft'"
    touch "$work/approved-$households"
fi

# Session cookie and CSRF token of a user, signed in over the API: "cookie csrf".
session() {
    local reply
    reply=$(curl -fsS -D "$work/headers" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"hearth-demo\"}" "$base/api/v1/session")
    printf '%s %s' "$(grep -io 'hearth_session=[^;]*' "$work/headers" | head -1)" "$(jq -r .csrf_token <<<"$reply")"
}

# A signed pledge of the demo organization with a large cash line: prints the line's id.
cash_line() {
    local cookie=$1 csrf=$2 need pledge line
    local h=(-fsS -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json')
    need=$(curl "${h[@]}" "$base/api/v1/needs/claim-sheet?page_size=100&kind=item" | jq -r '[.items[] | select(.kind == "item")][0].id')
    curl "${h[@]}" -d '{}' "$base/api/v1/needs/$need/claim" >/dev/null
    pledge=$(curl "${h[@]}" -d "{\"needs\":[\"$need\"],\"campaign\":\"NDXD-DEMO\",\"mode\":\"one_to_one\",\"delivery\":\"through_town\",\"deadline\":\"$(date -d '+30 days' +%F)\",\"witness_town\":\"上派镇\",\"witness_village\":\"示例村\",\"lines\":[{\"kind\":\"cash\",\"cash\":\"1000000\"}]}" \
        "$base/api/v1/pledges")
    line=$(jq -r '.lines[1].id' <<<"$pledge")
    curl "${h[@]}" -d '{}' "$base/api/v1/pledges/$(jq -r .id <<<"$pledge")/sign" >/dev/null
    echo "$line"
}

# wrk at a fixed rate (RATE>0) or at saturation (RATE=0): "req/s p50 p99 non-2xx".
drive() {
    local script=$1 want=$2
    WRK_RATE=$want WRK_CONNECTIONS=$connections wrk -t 2 -c "$connections" -d "${seconds}s" --latency \
        -s "$here/$script" "$base" 2>&1 | awk '
        function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms/, "", v); return v } sub(/s/, "", v); return v * 1000 }
        /Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
        /Non-2xx/ { bad = $NF } /Socket errors/ { bad = bad "+sock" }
        END { printf "%.0f %.1f %.1f %s", rps, p50, p99, (bad == "" ? 0 : bad) }'
}

run_backend() {
    local name=$1 url=$2
    HEARTH_DATABASE_URL=$url "$hearth" serve --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
    server=$!; wait_up
    read -r village_cookie _ <<<"$(session village)"
    read -r county_cookie _ <<<"$(session county)"
    read -r org_cookie org_csrf <<<"$(session org)"
    export LOAD_HOUSEHOLDS=$households LOAD_LINE=$(cash_line "$org_cookie" "$org_csrf") LOAD_CSRF=$org_csrf
    export LOAD_IDS=$(curl -fsS -H "Cookie: $village_cookie" "$base/api/v1/households?page_size=100&name=%E5%8E%8B%E6%B5%8B" | jq -r '[.items[].id] | join(",")')
    for row in "search village_cookie search.lua $rate" "household village_cookie household.lua $rate" \
               "dashboard county_cookie dashboard.lua $rate" "deliveries org_cookie deliveries.lua $delivery_rate"; do
        read -r what who script want <<<"$row"
        export LOAD_COOKIE=${!who}
        for r in "$want" 0; do
            read -r rps p50 p99 bad <<<"$(drive "$script" "$r")"
            rss=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status")
            printf '| %-10s | %-10s | %-10s | %8s | %7s | %7s | %6s | %8s |\n' "$name" "$what" \
                "$([ "$r" = 0 ] && echo saturation || echo "$r/s")" "$rps" "$p50" "$p99" "$bad" "$rss"
        done
    done
    cleanup; server=""
}

echo "| database   | path       | offered    | req/s    | p50 ms  | p99 ms  | errors | RSS MiB  |"
echo "|------------|------------|------------|----------|---------|---------|--------|----------|"
run_backend SQLite "$sqlite_url"
if [ -n "${PG_URL:-}" ]; then
    db="hearth_load_$$"
    createdb -d "$PG_URL/postgres" "$db" 2>/dev/null || psql "$PG_URL/postgres" -qc "create database $db"
    "$hearth" migrate-db --from "$sqlite_url" --to "$PG_URL/$db" >&2
    run_backend PostgreSQL "$PG_URL/$db"
    psql "$PG_URL/postgres" -qc "drop database $db" >&2
fi
