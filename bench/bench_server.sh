# bench/bench_server.sh: sourced by the load scripts (bench/load.sh,
# bench/file.sh) to start one Keyhold server on 127.0.0.1 for a benchmark.
# After `bench_setup PACKAGE...` and `bench_start_keyhold`:
#   $work            a temporary directory, removed on exit with the servers
#   $bin             the keyhold binary (release build)
#   $KEYHOLD_ADDR, $KEYHOLD_CACERT   exported for the CLI
#   $kpid            the server's pid; $admin, an admin token for tenant *
# The server keeps production durability (LMDB sync, audit log fdatasync)
# and unseals with a dev key file only so that no person is needed.

# bench_setup installs the Debian packages given (if missing), builds the
# keyhold binary (in $BENCH_BUILD, default build/release) and makes the work
# directory and certificates (P-256).
bench_setup() {
  scripts/deps >/dev/null
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    local sudo=()
    [ "$(id -u)" != 0 ] && sudo=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
  build=$(realpath -m "${BENCH_BUILD:-build/release}")
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" --target keyhold >/dev/null
  bin="$build/cli/keyhold"

  work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/keyhold-bench.XXXXXX")
  pids=()
  trap bench_cleanup EXIT

  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=bench CA" -keyout "$work/ca.key" -out "$work/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$work/ext"
  openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
    -CAcreateserial -days 2 -extfile "$work/ext" -out "$work/server.crt" 2>/dev/null
}

bench_cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

bench_free_port() {
  /usr/bin/env python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' \
    2>/dev/null || shuf -i 20000-60000 -n 1
}

# bench_start_keyhold writes the configuration (first call; $BENCH_EXTRA_TOML
# is appended to it) and starts the server; the first call also initialises
# the store and keeps an admin token.
bench_start_keyhold() {
  if [ ! -f "$work/keyhold.toml" ]; then
    kport=$(bench_free_port)
    cat >"$work/keyhold.toml" <<TOML
[server]
listen = "127.0.0.1:$kport"
dev_mode = true
[tls]
cert_file = "$work/server.crt"
key_file = "$work/server.key"
[store]
path = "$work/store"
[audit]
path = "$work/audit"
[seal]
dev_key_file = "$work/unseal.key"
[log]
level = "warn"
${BENCH_EXTRA_TOML:-}
TOML
    export KEYHOLD_ADDR="https://127.0.0.1:$kport" KEYHOLD_CACERT="$work/ca.crt"
  fi
  "$bin" server --config "$work/keyhold.toml" 2>>"$work/keyhold.log" &
  kpid=$!
  pids+=("$kpid")
  local _
  for _ in $(seq 1 100); do
    curl -s -o /dev/null --cacert "$work/ca.crt" "$KEYHOLD_ADDR/v1/health/live" && break
    sleep 0.1
  done
  if [ -z "${admin:-}" ]; then
    admin=$("$bin" operator init --method key_file | sed -n 's/^Initial admin token: //p')
  fi
}
