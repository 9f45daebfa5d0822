#!/usr/bin/env bash
# bench/xks_load.sh: the XKS encrypt route under AWS KMS's default quota for
# one external key store, 1,800 requests/s (XKS_RATE), for 30 s
# (XKS_SECONDS) over 16 keep-alive TLS 1.3 connections (XKS_CONNECTIONS),
# each request SigV4-signed as AWS KMS signs it, sent open-loop by
# bench/xks_load.cc. In the same command, the same tool at the same rate
# against nginx answering a static JSON body of the same size over TLS 1.3:
# the baseline for what loopback TLS and the client cost. Keyhold keeps
# production durability (every call's audit record is fdatasync'ed before
# its answer). Prints p50/p99/p99.9/max for both and the p99 ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
rate="${XKS_RATE:-1800}"
seconds="${XKS_SECONDS:-30}"
connections="${XKS_CONNECTIONS:-16}"

source bench/bench_server.sh
BENCH_EXTRA_TOML='[xks]
regions = ["us-east-1"]
[[xks.key_store]]
name = "bench"
path_prefix = "/bench"
[[xks.key_store.key]]
id = "bench-kek"
key = "bench/xks"'
bench_setup nginx-light
cmake --build "$build" --target xks_load >/dev/null
load="$build/bench/xks_load"
nport=$(bench_free_port)
bench_start_keyhold
KEYHOLD_TOKEN="$admin" "$bin" key create bench/xks >/dev/null
KEYHOLD_TOKEN="$admin" "$bin" xks credential create --key-store bench \
  --config-file "$work/xks-proxy.json" >/dev/null
akid=$(sed -n 's/.*"AccessKeyId": "\([^"]*\)".*/\1/p' "$work/xks-proxy.json")
secret=$(sed -n 's/.*"RawSecretAccessKey": "\([^"]*\)".*/\1/p' "$work/xks-proxy.json")
path=/bench/kms/xks/v1/keys/bench-kek/encrypt
# Warm-up (and a check that the route answers); nginx serves an answer of
# the same shape and size as this one (a 32-byte data key).
"$load" "$KEYHOLD_ADDR" "$work/ca.crt" "$path" "$akid" "$secret" 10 1 1 >/dev/null
answer='{"authenticationTag":"AAAAAAAAAAAAAAAAAAAAAA==","ciphertext":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","ciphertextDataIntegrityValue":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","ciphertextMetadata":"AQAAAAE=","initializationVector":"AAAAAAAAAAAAAAAA"}'

mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$nport ssl;
    ssl_protocols TLSv1.3;
    ssl_certificate $work/server.crt;
    ssl_certificate_key $work/server.key;
    location / {
      default_type application/json;
      return 200 '$answer';
    }
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 50); do
  curl -s -o /dev/null -k "https://127.0.0.1:$nport$path" -X POST && break
  sleep 0.1
done

echo "machine: $(nproc) cores; $(nginx -v 2>&1); ${rate} req/s for ${seconds} s over ${connections} connections"
echo "answer size: keyhold $(wc -c <<<"$answer") bytes (nginx serves the same size)"
echo "== nginx (static answer, TLS 1.3, 1 worker)"
nginx_out=$("$load" "https://127.0.0.1:$nport" "$work/ca.crt" "$path" "$akid" "$secret" "$rate" "$seconds" "$connections")
echo "$nginx_out"
echo "== keyhold XKS encrypt (SigV4, durable audit)"
keyhold_out=$("$load" "$KEYHOLD_ADDR" "$work/ca.crt" "$path" "$akid" "$secret" "$rate" "$seconds" "$connections")
echo "$keyhold_out"
n=$(echo "$nginx_out" | sed -n 's/.* p99 \([0-9.]*\) .*/\1/p')
k=$(echo "$keyhold_out" | sed -n 's/.* p99 \([0-9.]*\) .*/\1/p')
awk -v k="$k" -v n="$n" 'BEGIN {
  printf "keyhold p99 %.2f ms (target <= 5 ms; AWS KMS allows 250 ms), nginx p99 %.2f ms, ratio %.1f\n", k, n, k / n
}'
