#!/usr/bin/env bash
# Time Apache Velocity 1.7 (the Debian package `velocity`) on benchmark workloads, warm.
#   benches/peers/velocity-bench.sh [--repeat N] [--warmup N] [--warmup-ms MS] [--out DIR] WORKLOAD_DIR...
# Prints one JSON line per workload (see VelocityBench.java). Compiles the harness, with the
# conformance oracle's JSON reader (../shared/oracle/Oracle.java), into $VELOCITY_BENCH_BUILD
# (default: a folder under $TMPDIR) the first time. JAVA_OPTS is passed to the JVM.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
oracle="${ORACLE_DIR:-$root/../shared/oracle}"
if [ ! -f "$oracle/Oracle.java" ]; then
  echo "velocity-bench: $oracle/Oracle.java is missing (set ORACLE_DIR)" >&2
  exit 2
fi

jar_dir=/usr/share/java
cp=""
for j in velocity-1.7.jar commons-collections3.jar commons-lang.jar oro.jar; do
  if [ ! -f "$jar_dir/$j" ]; then
    echo "velocity-bench: $jar_dir/$j is missing; run: apt-get update && apt-get install -y velocity" >&2
    exit 2
  fi
  cp="$cp${cp:+:}$jar_dir/$j"
done

build="${VELOCITY_BENCH_BUILD:-${TMPDIR:-/tmp}/velocity-bench-build}"
if [ ! -f "$build/VelocityBench.class" ] || [ "$here/VelocityBench.java" -nt "$build/VelocityBench.class" ] \
   || [ "$oracle/Oracle.java" -nt "$build/VelocityBench.class" ]; then
  mkdir -p "$build"
  javac -nowarn -encoding UTF-8 -cp "$cp" -d "$build" "$here/VelocityBench.java" "$oracle/Oracle.java" \
    2> "$build/javac.log" || { cat "$build/javac.log" >&2; exit 2; }
fi

# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -Dfile.encoding=UTF-8 -cp "$build:$cp" VelocityBench "$@"
