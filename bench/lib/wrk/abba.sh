#!/usr/bin/env bash
# Side-by-side wrk runs in ABBA order (targets forward, then backward, ROUNDS times), printing each
# run and the median per target. Figures are wrk's Transfer/sec (MB/s, 10^6 bytes) and Requests/sec.
#
#   ROUNDS=3 DURATION=10s THREADS=2 CONNS=4 HEADER="Authorization: Basic ..." SCRIPT=put.lua \
#     bench/lib/wrk/abba.sh name1=url1 name2=url2 ...
#
# SCRIPT (optional) is a wrk Lua script (e.g. put.lua); each run gets a fresh PREFIX env so PUT
# paths never repeat across runs. PRE (optional) is a command run before each run (e.g. `sync`).
# TIMEOUT (default 60s) is wrk's per-request timeout: its default of 2 s cuts any 256 MiB download
# slower than 128 MB/s per connection, which then shows up as timeouts and falling rates.
set -euo pipefail
ROUNDS="${ROUNDS:-3}"; DURATION="${DURATION:-10s}"; THREADS="${THREADS:-2}"; CONNS="${CONNS:-4}"
HEADER="${HEADER:-X-Bench: 1}"; SCRIPT="${SCRIPT:-}"; PRE="${PRE:-}"; TIMEOUT="${TIMEOUT:-60s}"
here="$(cd "$(dirname "$0")" && pwd)"
declare -a names urls order
for kv in "$@"; do names+=("${kv%%=*}"); urls+=("${kv#*=}"); done
n=${#names[@]}
for ((r = 0; r < ROUNDS; r++)); do
  if ((r % 2 == 0)); then for ((i = 0; i < n; i++)); do order+=("$i"); done
  else for ((i = n - 1; i >= 0; i--)); do order+=("$i"); done; fi
done
out="$(mktemp)"
run=0
for i in "${order[@]}"; do
  run=$((run + 1))
  [ -n "$PRE" ] && eval "$PRE"
  args=(-t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout "$TIMEOUT" -H "$HEADER")
  if [ -n "$SCRIPT" ]; then
    s="$SCRIPT"; [ -f "$s" ] || s="$here/$SCRIPT"
    args+=(-s "$s")
  fi
  res="$(PREFIX="r${run}-$$-${RANDOM}" wrk "${args[@]}" "${urls[$i]}")"
  mbs="$(awk '/Transfer\/sec/ { v=$2; u=substr(v, length(v)-1); x=v+0; if (u=="GB") x*=1073.741824; else if (u=="MB") x*=1.048576; else if (u=="KB") x*=0.001024; printf "%.1f", x }' <<<"$res")"
  rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$res")"
  bad="$(awk '/Non-2xx/ { print $5 } /Socket errors/ { print $0 }' <<<"$res" | tr '\n' ' ')"
  printf '%-12s run %2d  %10s MB/s  %10s req/s  %s\n' "${names[$i]}" "$run" "$mbs" "$rps" "$bad"
  printf '%s %s %s\n' "${names[$i]}" "$mbs" "$rps" >>"$out"
done
echo "-- medians"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for ((i = 0; i < n; i++)); do
  k="${names[$i]}"
  mm="$(awk -v k="$k" '$1 == k { print $2 }' "$out" | median)"
  mq="$(awk -v k="$k" '$1 == k { print $3 }' "$out" | median)"
  c="$(awk -v k="$k" '$1 == k' "$out" | wc -l)"
  printf '%-12s median %10s MB/s  %10s req/s  (n=%d)\n' "$k" "$mm" "$mq" "$c"
done
rm -f "$out"
