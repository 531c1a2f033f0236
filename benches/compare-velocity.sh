#!/usr/bin/env bash
# Render every shared workload with gatebench (release build, `render --repeat N --timing`)
# and with warm Apache Velocity 1.7 (benches/peers/velocity-bench.sh) in one run, check that
# both wrote the same bytes, and print the medians side by side:
#
#   benches/compare-velocity.sh [--repeat N] [--warmup N] [--warmup-ms MS] [--no-build] [WORKLOAD...]
#
# --warmup and --warmup-ms are the JVM's warm-up (at least N renders and MS milliseconds, 2000
# and 10000 by default); gatebench warms up as `render --timing` does.
#
# ratio = Velocity's median / gatebench's median (how many times faster gatebench is), and the
# same for the fastest render of each (less disturbed by other work on a busy machine).
# Exit status 1 when any workload's outputs differ.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
repeat=200
warmup=2000
warmup_ms=10000
build=1
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --warmup-ms) warmup_ms="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) names+=("$1"); shift ;;
  esac
done
workloads="$here/workloads"
if [ ${#names[@]} -eq 0 ]; then
  names=(small foreach-1k big-body strings nested macro-arith)
fi

bin="${CARGO_TARGET_DIR:-$root/target}/release/gatebench"
if [ "$build" = 1 ]; then
  (cd "$root" && cargo build --release --quiet --bin gatebench)
fi
[ -x "$bin" ] || { echo "compare-velocity: $bin is missing (cargo build --release)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/compare-velocity.XXXXXX")"
trap 'rm -rf "$work"' EXIT

field() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1"; }

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
dirs=()
for n in "${names[@]}"; do
  d="$workloads/$n"
  [ -f "$d/template.vtl" ] || { echo "compare-velocity: no workload $d" >&2; exit 2; }
  dirs+=("$d")
  "$bin" render --template "$d/template.vtl" --context "$d/context.json" \
    --repeat "$repeat" --timing > "$work/$n.ours" 2> "$work/$n.ours.json"
done
"$here/peers/velocity-bench.sh" --repeat "$repeat" --warmup "$warmup" --warmup-ms "$warmup_ms" --out "$work/vel" \
  "${dirs[@]}" > "$work/velocity.json"
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

status=0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
printf '%-12s %13s %13s %7s | %13s %13s %7s | %s\n' workload "gatebench" "velocity" ratio \
  "gatebench min" "velocity min" ratio "same bytes"
for n in "${names[@]}"; do
  ours="$(field "$work/$n.ours.json" ns_per_render_median)"
  ours_min="$(field "$work/$n.ours.json" ns_per_render_min)"
  grep "\"workload\":\"$n\"" "$work/velocity.json" > "$work/$n.vel.json"
  vel="$(field "$work/$n.vel.json" ns_per_render_median)"
  vel_min="$(field "$work/$n.vel.json" ns_per_render_min)"
  if cmp -s "$work/$n.ours" "$work/vel/$n.out"; then same=yes; else same=NO; status=1; fi
  printf '%-12s %13s %13s %7s | %13s %13s %7s | %s\n' "$n" "$ours" "$vel" "$(ratio "$vel" "$ours")" \
    "$ours_min" "$vel_min" "$(ratio "$vel_min" "$ours_min")" "$same"
done
echo "ns per render: median (and min) of $repeat renders per engine, each warm;" \
  "ratio = velocity / gatebench"
echo "load average: $load_start at start, $load_end at end ($(nproc) cores)"
exit "$status"
