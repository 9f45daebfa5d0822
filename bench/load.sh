#!/usr/bin/env bash
# bench/load.sh: unwrap over HTTPS (TLS 1.3, keep-alive) against nginx
# serving a static JSON answer of the same size over TLS 1.3, in one
# command, with wrk: 16 connections, 10 s each (LOAD_SECONDS,
# LOAD_CONNECTIONS to change). Keyhold runs twice: with its audit log on
# the disk (durable: fdatasync per batch, the production setting) and with
# the audit log on /dev/shm (the same code, but a sync costs nothing), which
# isolates what durable audit costs. Prints req/s, latency percentiles and
# the ratios. Then the latency at a fixed rate below saturation, open loop
# (bench/unwrap_load, LOAD_OPEN_SECONDS each, default 8): at 0.3x nginx's
# req/s (half the 0.6x target) and at half of Keyhold's own durable req/s,
# against nginx and the durable Keyhold at the same rate. Everything runs on
# 127.0.0.1 in a temporary directory and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${LOAD_SECONDS:-10}"
connections="${LOAD_CONNECTIONS:-16}"
open_seconds="${LOAD_OPEN_SECONDS:-8}"

source bench/bench_server.sh
bench_setup nginx-light wrk
cmake --build "$build" --target unwrap_load sync_latency >/dev/null
nport=$(bench_free_port)
bench_start_keyhold
KEYHOLD_TOKEN="$admin" "$bin" key create bench/app >/dev/null
app=$(KEYHOLD_TOKEN="$admin" "$bin" token create --principal bench --tenant bench --role app | sed -n 's/^token: *//p')
blob=$(head -c 32 /dev/urandom | KEYHOLD_TOKEN="$app" "$bin" wrap bench/app --context purpose=bench)
body="{\"ciphertext\":\"$blob\",\"context\":{\"purpose\":\"bench\"}}"
answer=$(curl -s --cacert "$work/ca.crt" -H "Authorization: Bearer $app" -H 'Content-Type: application/json' \
  -d "$body" "$KEYHOLD_ADDR/v1/keys/bench/app/unwrap")

# nginx: one worker, TLS 1.3 only, the same JSON answer (same size) for POST.
mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$nport ssl;
    ssl_protocols TLSv1.3;
    ssl_certificate $work/server.crt;
    ssl_certificate_key $work/server.key;
    location = /unwrap {
      default_type application/json;
      add_header Cache-Control no-store;
      return 200 '$answer';
    }
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
npid=$!
pids+=("$npid")
for _ in $(seq 1 50); do
  curl -s -o /dev/null -k "https://127.0.0.1:$nport/unwrap" -X POST && break
  sleep 0.1
done

cat > "$work/unwrap.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $app"
LUA

ticks() {  # pid -> CPU ticks (user + system) of the process and its children
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
run() {  # url server-pid -> prints wrk output and the server's CPU per request
  local before after out
  before=$(ticks "$2")
  # wrk wants at least one connection per thread.
  out=$(wrk -t"$((connections < 2 ? connections : 2))" -c"$connections" -d"${seconds}s" --latency -s "$work/unwrap.lua" "$1")
  after=$(ticks "$2")
  echo "$out"
  echo "$out" | awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    '/requests in/ {printf "Server CPU per request: %.1f us\n", t * 1e6 / hz / $1}'
}
show() { grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors|CPU per request' || true; }
echo "machine: $(nproc) cores; $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "answer size: keyhold ${#answer} bytes, nginx the same bytes"
echo
echo "== nginx (static answer, TLS 1.3, 1 worker)"
nginx_out=$(run "https://127.0.0.1:$nport/unwrap" "$npid"); echo "$nginx_out" | show
echo "== keyhold unwrap (TLS 1.3, one worker thread per core)"
keyhold_out=$(run "$KEYHOLD_ADDR/v1/keys/bench/app/unwrap" "$kpid"); echo "$keyhold_out" | show
n=$(echo "$nginx_out" | awk '/Requests\/sec/ {print $2}')
k=$(echo "$keyhold_out" | awk '/Requests\/sec/ {print $2}')
# Open loop at fixed rates: the latency a client sees below saturation. The
# baseline for its durable part: the disk's own append+fdatasync latency,
# at about the rate of syncs the audit log makes (one every 300 us).
echo "== the disk (beside the audit log): $("$build/bench/sync_latency" "$work" 3000 600 300)"
open_run() {  # url path rate -> prints unwrap_load's two lines
  "$build/bench/unwrap_load" "$1" "$work/ca.crt" "$2" "$app" "$body" "$3" "$open_seconds" "$connections" || true
}
open_report=""
for rate in $(awk -v n="$n" -v k="$k" 'BEGIN { printf "%.0f %.0f", 0.3 * n, 0.5 * k }'); do
  echo "== open loop at $rate req/s: nginx, then keyhold (durable audit)"
  nginx_open=$(open_run "https://127.0.0.1:$nport" /unwrap "$rate"); echo "$nginx_open"
  keyhold_open=$(open_run "$KEYHOLD_ADDR" /v1/keys/bench/app/unwrap "$rate"); echo "$keyhold_open"
  open_report+=$(printf '\nat %s req/s: p99 keyhold %s ms, nginx %s ms (target <= 1 ms)' "$rate" \
    "$(echo "$keyhold_open" | sed -n 's/.* p99 \([0-9.]*\) .*/\1/p')" \
    "$(echo "$nginx_open" | sed -n 's/.* p99 \([0-9.]*\) .*/\1/p')")
done
# The same server with its audit log in RAM: what durability costs.
kill -TERM "$kpid"; wait "$kpid" 2>/dev/null || true
shm=$(mktemp -d /dev/shm/keyhold-bench.XXXXXX)
trap 'bench_cleanup; rm -rf "$shm"' EXIT
sed -i "s|^path = \"$work/audit\"|path = \"$shm/audit\"|" "$work/keyhold.toml"
bench_start_keyhold
echo "== keyhold unwrap, audit log on /dev/shm (sync costs nothing)"
ram_out=$(run "$KEYHOLD_ADDR/v1/keys/bench/app/unwrap" "$kpid"); echo "$ram_out" | show
r=$(echo "$ram_out" | awk '/Requests\/sec/ {print $2}')
echo
awk -v k="$k" -v n="$n" -v r="$r" 'BEGIN {
  printf "keyhold %.0f req/s, nginx %.0f req/s, ratio %.2f (target >= 0.6)\n", k, n, k / n
  printf "durable audit costs %.1f%% of throughput (%.0f req/s with the log in RAM; target <= 10%%)\n", (1 - k / r) * 100, r
}'
cpu() { echo "$1" | awk '/CPU per request/ {print $5}'; }
awk -v k="$(cpu "$keyhold_out")" -v n="$(cpu "$nginx_out")" -v r="$(cpu "$ram_out")" 'BEGIN {
  printf "server CPU per request: keyhold %.1f us (%.1f with the log in RAM), nginx %.1f us: %.1fx\n", k, r, n, k / n
}'
echo "open loop, $connections connections:${open_report}"
if echo "$keyhold_out$ram_out" | grep -q 'Non-2xx'; then
  echo "WARNING: keyhold answered errors during the run" >&2
fi
