#!/usr/bin/env bash
# Listen-mode load benchmark, side by side in one run: `gatebench serve` answering the MOCK
# method of benches/serve-mock.toml, and nginx answering a fixed 200 (the fastest loopback HTTP
# answer this machine gives), each loaded by the same wrk. Prints both throughputs and p99s
# (medians over ROUNDS alternating rounds) and gatebench's share of nginx's throughput.
#
#   benches/serve-load.sh                 # 3 rounds of 10 s each, wrk -t2 -c16
#   ROUNDS=5 DURATION=20s CONNS=64 benches/serve-load.sh
#
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light); installs them when it can,
# and says so and stops when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
NGINX_PORT=${NGINX_PORT:-18481}
GATEBENCH_PORT=${GATEBENCH_PORT:-18482}

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if ((${#missing[@]})); then
  echo "serve-load: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}"; } >/dev/null 2>&1; then
    echo "serve-load: cannot install ${missing[*]}: install them (apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --locked --quiet
BIN=target/release/gatebench

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

BODY='{"id": "1", "message": "Hello, item 1"}'
cat >"$tmp/nginx.conf" <<EOF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
daemon on;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp;
  proxy_temp_path $tmp;
  fastcgi_temp_path $tmp;
  uwsgi_temp_path $tmp;
  scgi_temp_path $tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { default_type application/json; return 200 '$BODY'; }
  }
}
EOF
"$NGINX" -c "$tmp/nginx.conf" -p "$tmp" 2>"$tmp/nginx.err" || {
  cat "$tmp/nginx.err" >&2
  exit 1
}

"$BIN" serve benches/serve-mock.toml --listen "127.0.0.1:$GATEBENCH_PORT" --quiet \
  >"$tmp/serve.out" 2>"$tmp/serve.err" &
pids+=($!)

NGINX_URL="http://127.0.0.1:$NGINX_PORT/"
GATEBENCH_URL="http://127.0.0.1:$GATEBENCH_PORT/bench/items/1"
for url in "$NGINX_URL" "$GATEBENCH_URL"; do
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS -o /dev/null "$url" || {
    echo "serve-load: $url does not answer" >&2
    cat "$tmp/serve.err" >&2
    exit 1
  }
done
echo "gatebench answers: $(curl -sS "$GATEBENCH_URL" | tr -d '\n' | head -c 120)"

# One wrk run: prints "REQ_PER_SEC P99_MS".
load() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$1")
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  if [ -n "$errors" ]; then
    echo "serve-load: $1 answered $errors non-2xx responses" >&2
    exit 1
  fi
  # p99 as milliseconds (wrk prints us, ms or s).
  p99=$(awk -v v="$p99" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
    else { sub(/s$/, "", v); print v * 1000 } }')
  echo "$rps $p99"
}

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS alternating rounds, $(nproc) cores"
: >"$tmp/nginx.runs"
: >"$tmp/gatebench.runs"
for r in $(seq 1 "$ROUNDS"); do
  n=$(load "$NGINX_URL")
  g=$(load "$GATEBENCH_URL")
  echo "round $r: nginx $n   gatebench $g   (req/s p99-ms)"
  echo "$n" >>"$tmp/nginx.runs"
  echo "$g" >>"$tmp/gatebench.runs"
done

n_rps=$(cut -d' ' -f1 "$tmp/nginx.runs" | median)
n_p99=$(cut -d' ' -f2 "$tmp/nginx.runs" | median)
g_rps=$(cut -d' ' -f1 "$tmp/gatebench.runs" | median)
g_p99=$(cut -d' ' -f2 "$tmp/gatebench.runs" | median)
printf '%-10s %12s %10s\n' "" "req/s" "p99 ms"
printf '%-10s %12.0f %10.2f\n' nginx "$n_rps" "$n_p99"
printf '%-10s %12.0f %10.2f\n' gatebench "$g_rps" "$g_p99"
awk -v g="$g_rps" -v n="$n_rps" 'BEGIN { printf "gatebench / nginx: %.2f (%.0f%% of nginx)\n", g / n, 100 * g / n }'
