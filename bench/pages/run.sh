#!/usr/bin/env bash
# Benchmark: how long the main pages take to render on the demo data, signed in as the role
# that uses each one, next to peers served by the same server in the same run: `/healthz`
# (no template, no database) and `/static/app.css` (a file from memory). Target: every page
# renders in under 100 ms. Run by hand, never in CI.
#
#   bench/pages/run.sh                 # 40 sequential requests per page, wrk 5 s per page
#   REQUESTS=100 SECONDS_PER_PAGE=10 bench/pages/run.sh
#
# "median"/"p95"/"max" are single requests one after another (curl's total time on loopback:
# the time a user waits for the HTML). "req/s" and "wrk p99" come from wrk with 2 connections
# (the machine has 2 cores). "× peer" is the page's median over /healthz's median.
# Needs curl and wrk (apt-get install wrk); HEARTH_BIN skips the release build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
requests=${REQUESTS:-40}
seconds=${SECONDS_PER_PAGE:-5}
port=${PORT:-18089}
base="http://127.0.0.1:$port"

hearth=${HEARTH_BIN:-$target/release/hearth}
if [ -z "${HEARTH_BIN:-}" ]; then
    cargo build --release -p hearth --manifest-path "$root/Cargo.toml" >&2
fi
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

work=$(mktemp -d)
"$hearth" demo --listen "127.0.0.1:$port" --data-dir "$work/demo" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fsS "$base/healthz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }

# Signs in through the login form (CSRF token from the page) and prints the Cookie header.
sign_in() {
    local jar="$work/$1.jar" csrf
    csrf=$(curl -fsS -c "$jar" "$base/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
    curl -fsS -b "$jar" -c "$jar" -o /dev/null \
        --data-urlencode "_csrf=$csrf" --data-urlencode "next=/" \
        --data-urlencode "username=$1" --data-urlencode "password=hearth-demo" "$base/login"
    awk '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep="; " } /^#HttpOnly_/ { sub(/^#HttpOnly_/, ""); printf "%s%s=%s", sep, $6, $7; sep="; " }' "$jar"
}

# Sequential timings in ms: "median p95 max" over $requests requests (after 3 warm-ups).
timings() {
    local cookie=$1 path=$2 status
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base$path")
    [ "$status" = 200 ] || { echo "$path answered $status" >&2; echo "- - -"; return; }
    for _ in 1 2 3; do curl -s -o /dev/null -H "Cookie: $cookie" "$base$path"; done
    for _ in $(seq 1 "$requests"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "$base$path"
    done | sort -n | awk '{ t[NR] = $1 * 1000 } END {
        printf "%.1f %.1f %.1f", t[int((NR + 1) / 2)], t[int(NR * 0.95 + 0.5)], t[NR] }'
}

# wrk: "req/s p99-ms".
load() {
    local cookie=$1 path=$2
    wrk -t 2 -c 2 -d "${seconds}s" --latency -H "Cookie: $cookie" "$base$path" 2>/dev/null | awk '
        /Requests\/sec/ { rps = $2 }
        /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } p99 = v }
        END { printf "%.0f %.1f", rps, p99 }'
}

pages=(
    "village /"
    "village /households"
    "village /needs"
    "village /visits"
    "town /"
    "town /households"
    "town /needs"
    "town /stock"
    "town /stock/waybills"
    "town /dashboard"
    "org /"
    "org /claims"
    "org /pledges"
    "org /visits"
    "county /"
    "county /dashboard"
    "county /dashboard/screen"
    "county /organizations"
    "county /campaigns"
    "county /donations"
    "county /purchases"
    "county /ledger"
    "auditor /audit"
    "anon /public"
)

declare -A cookies
for who in village town org county auditor; do
    cookies[$who]=$(sign_in "$who")
done
cookies[anon]=""

printf '%-9s %-20s %8s %8s %8s %8s %8s %8s\n' role page "median" "p95" "max" "req/s" "wrk p99" "× peer"
peer=$(timings "" /healthz)
peer_median=${peer%% *}
for row in "anon /healthz" "anon /static/app.css" "${pages[@]}"; do
    who=${row%% *}
    path=${row#* }
    read -r median p95 max <<<"$(timings "${cookies[$who]}" "$path")"
    read -r rps p99 <<<"$(load "${cookies[$who]}" "$path")"
    ratio=$(awk -v a="$median" -v b="$peer_median" 'BEGIN { if (a == "-" || b == 0) print "-"; else printf "%.1f", a / b }')
    flag=""
    awk -v m="$median" 'BEGIN { exit !(m != "-" && m >= 100) }' && flag="  over 100 ms"
    printf '%-9s %-20s %8s %8s %8s %8s %8s %8s%s\n' "$who" "$path" "$median" "$p95" "$max" "$rps" "$p99" "$ratio" "$flag"
done
