#!/usr/bin/env bash
# CPU time a server process spends per request under a wrk run: less sensitive to other load on
# the machine than requests/s. Prints requests/s, MB/s and CPU µs (user+system, all threads) per request.
#   cpu-per-req.sh <pid> <wrk args...>
set -euo pipefail
pid="$1"; shift
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz="$(getconf CLK_TCK)"
before="$(ticks)"
out="$(wrk "$@")"
after="$(ticks)"
reqs="$(awk '/requests in/ { print $1 }' <<<"$out")"
rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$out")"
tps="$(awk '/Transfer\/sec/ { print $2 }' <<<"$out")"
awk -v b="$before" -v a="$after" -v hz="$hz" -v n="$reqs" -v rps="$rps" -v tps="$tps" \
  'BEGIN { cpu = (a - b) / hz; printf "%10s req/s %10s/s  cpu %.2fs  %8.1f us/req\n", rps, tps, cpu, (n > 0 ? cpu * 1e6 / n : 0) }'
