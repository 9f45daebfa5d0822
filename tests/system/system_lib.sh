# tests/system/system_lib.sh: sourced by the system tests (tests/system/*.sh).
# A system test drives the shipped `keyhold` binary as a separate process:
# the real server on 127.0.0.1 with a port of its own, a real LMDB store and
# audit log in a temporary directory, and the real CLI, curl, openssl and the
# fault tools (faketime, fiu-run, sslscan) around it. ctest runs each script
# as `bash SCRIPT KEYHOLD_BINARY`.
#
# After `sys_setup "$@"`:
#   $bin            the keyhold binary (server and CLI)
#   $work           a temporary directory, removed on exit with the servers
#   $KEYHOLD_ADDR, $KEYHOLD_CACERT   exported for the CLI and sys_api
# `sys_start_server` starts the server (again, after a stop: same store);
# $SYS_PREFIX (an array) is put before the server command (faketime,
# fiu-run ...) and $SYS_EXTRA_TOML is appended to the configuration on the
# first start. `sys_init` initialises and unseals the store (dev key file)
# and sets $admin, an admin token for every tenant.
#
# Results: `sys_fail MESSAGE` ends the test red; `sys_skip REASON` ends it
# as skipped (ctest's SKIP_RETURN_CODE 77), for a tool the kernel or the
# machine does not allow, never for a wrong answer.
set -euo pipefail

sys_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
sys_fail() {
  sys_log "FAIL: $*"
  if [ -f "${work:-/nonexistent}/server.log" ]; then
    sys_log "last lines of the server log:"
    tail -n 30 "$work/server.log" | sed 's/^/    /' >&2
  fi
  exit 1
}
sys_skip() {
  sys_log "SKIPPED: $*"
  exit 77
}

sys_cleanup() {
  local rc=$?
  if [ -n "${kpid:-}" ] && kill -0 "$kpid" 2>/dev/null; then
    kill -KILL "$kpid" 2>/dev/null || true
    wait "$kpid" 2>/dev/null || true
  fi
  if [ -n "${SYS_KEEP:-}" ]; then
    sys_log "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}

sys_free_port() {
  # The kernel picks a free port for a socket bound to port 0; the server
  # then binds it. Another process could take it in between, which on a
  # test machine's loopback does not happen in practice.
  local p
  p=$(/usr/bin/env python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null) ||
    p=$(shuf -i 20000-60000 -n 1)
  echo "$p"
}

# sys_setup BINARY: the work directory, a CA and a server certificate.
sys_setup() {
  bin=${1:?usage: SCRIPT KEYHOLD_BINARY}
  [ -x "$bin" ] || sys_fail "not an executable: $bin"
  bin=$(readlink -f "$bin")
  work=$(mktemp -d "${TMPDIR:-/tmp}/keyhold-system.XXXXXX")
  trap sys_cleanup EXIT
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=system test CA" -keyout "$work/ca.key" -out "$work/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$work/ext"
  openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
    -CAcreateserial -days 3650 -extfile "$work/ext" -out "$work/server.crt" 2>/dev/null
  port=$(sys_free_port)
  export KEYHOLD_ADDR="https://127.0.0.1:$port" KEYHOLD_CACERT="$work/ca.crt"
  unset KEYHOLD_TOKEN
  store_dir=$work/store
  audit_dir=$work/audit
}

sys_write_config() {
  cat >"$work/keyhold.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
dev_mode = true
workers = 2
[tls]
cert_file = "$work/server.crt"
key_file = "$work/server.key"
[store]
path = "$store_dir"
[audit]
path = "$audit_dir"
[seal]
dev_key_file = "$work/unseal.key"
[log]
level = "info"
${SYS_EXTRA_TOML:-}
TOML
}

# sys_start_server: starts the server in the background ($kpid) and waits
# until it answers /v1/health/live (at most 20 s).
sys_start_server() {
  [ -f "$work/keyhold.toml" ] || sys_write_config
  local prefix=("${SYS_PREFIX[@]+"${SYS_PREFIX[@]}"}")
  "${prefix[@]}" "$bin" server --config "$work/keyhold.toml" >>"$work/server.log" 2>&1 &
  kpid=$!
  local _
  for _ in $(seq 1 200); do
    if curl -s -o /dev/null --cacert "$work/ca.crt" "$KEYHOLD_ADDR/v1/health/live"; then
      return 0
    fi
    kill -0 "$kpid" 2>/dev/null || sys_fail "the server exited at start"
    sleep 0.1
  done
  sys_fail "the server did not answer within 20 s"
}

# sys_stop_server [SIGNAL]: stops it (TERM by default) and waits.
sys_stop_server() {
  local sig=${1:-TERM}
  kill "-$sig" "$kpid" 2>/dev/null || true
  wait "$kpid" 2>/dev/null || true
  kpid=
}

sys_init() {
  admin=$("$bin" operator init --method key_file | sed -n 's/^Initial admin token: //p')
  [ -n "$admin" ] || sys_fail "operator init gave no admin token"
}

# sys_api METHOD PATH [BODY] [TOKEN]: prints "STATUS BODY" on one line.
sys_api() {
  sys_api_header "" "$@"
}

# sys_expect_status WANT METHOD PATH [BODY] [TOKEN]: sys_api, and fails
# unless the status is WANT; prints the body.
sys_expect_status() {
  local want=$1
  shift
  local got
  got=$(sys_api "$@")
  [ "${got%% *}" = "$want" ] || sys_fail "$1 $2: wanted $want, got: $got"
  printf '%s\n' "${got#* }"
}

# sys_api_header HEADER METHOD PATH [BODY] [TOKEN]: sys_api with one more
# request header, "Name: value" (e.g. "X-Keyhold-Grant: $id"); none if "".
sys_api_header() {
  local header=$1 method=$2 path=$3 body=${4:-} token=${5:-${admin:-}}
  local args=(-s -w '\n%{http_code}' --max-time 30 --cacert "$work/ca.crt" -X "$method")
  [ -n "$header" ] && args+=(-H "$header")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  local out
  out=$(curl "${args[@]}" "$KEYHOLD_ADDR$path") || true
  printf '%s %s\n' "${out##*$'\n'}" "${out%$'\n'*}"
}

# sys_faketime: the server's wall clock (CLOCK_REALTIME only) is shifted by
# the offset in $work/faketime, which the test changes while the server
# runs (sys_faketime_set). Sets SYS_PREFIX (call it before sys_start_server)
# and $sys_faketime_lib; skips the test where libfaketime is missing or has
# no effect on this machine.
#  - The monotonic clocks stay real (FAKETIME_DONT_FAKE_MONOTONIC): Asio
#    timers, the scheduler's period and the service's forward-only clock
#    (kms/clock.h) keep their real pace.
#  - libfaketimeMT, not libfaketime: the file is read again at every call
#    (FAKETIME_NO_CACHE), and the plain library lets a thread read the
#    offset while another is rewriting it. Switching the file between
#    -86400 and +80000 under 6 threads, the plain library returned +86400
#    at times; the MT library, which serialises its clock calls, never did.
#  - File times (stat) stay real (NO_FAKE_STAT).
sys_faketime() {
  local lib
  for lib in /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 \
    /usr/lib/faketime/libfaketimeMT.so.1 /usr/local/lib/faketime/libfaketimeMT.so.1; do
    [ -f "$lib" ] && break
  done
  [ -f "$lib" ] || sys_skip "libfaketimeMT.so.1 not found (Debian: apt-get install libfaketime)"
  sys_faketime_lib=$lib
  sys_faketime_set +0
  SYS_PREFIX=(env "LD_PRELOAD=$lib" "FAKETIME_TIMESTAMP_FILE=$work/faketime" FAKETIME_NO_CACHE=1
    FAKETIME_DONT_FAKE_MONOTONIC=1 NO_FAKE_STAT=1)
  # The same setting must move `date` by a day, or faketime does not work
  # here (a static binary, a loader that ignores LD_PRELOAD ...).
  local real faked
  sys_faketime_set +86400
  real=$(date +%s)
  faked=$("${SYS_PREFIX[@]}" date +%s) || sys_skip "date does not run under libfaketime"
  sys_faketime_set +0
  [ $((faked - real - 86400)) -ge -5 ] && [ $((faked - real - 86400)) -le 5 ] ||
    sys_skip "libfaketime has no effect here (date: real $real, faked $faked)"
}

# sys_faketime_set OFFSET: the server's wall clock becomes the real one plus
# OFFSET seconds, "+N" or "-N" (seconds only: no m/h/d suffix), from its
# next reading. The file is replaced by a rename, so it is never seen half
# written.
sys_faketime_set() {
  [[ $1 =~ ^[+-][0-9]+$ ]] || sys_fail "sys_faketime_set: '$1' is not +N or -N seconds"
  printf '%s\n' "$1" >"$work/faketime.tmp"
  mv -f "$work/faketime.tmp" "$work/faketime"
}

# sys_json NAME: the value of the first member NAME in the JSON on stdin,
# as the server writes it (compact, members in name order, so an object's
# own member comes before a nested one of the same name when nested
# objects sort after it): a string without its quotes (\" \/ \\ undone), a
# number, true, false or null as written; nothing when absent. For the
# API's objects without jq, which the test machines need not have.
sys_json() {
  local m
  m=$(grep -o -E "\"$1\":(\"([^\"\\\\]|\\\\.)*\"|[^,}]*)" | head -n 1) || true
  m=${m#\"$1\":}
  if [[ $m == \"*\" ]]; then
    m=${m:1:${#m}-2}
    m=${m//\\\"/\"}
    m=${m//\\\//\/}
    m=${m//\\\\/\\}
  fi
  printf '%s\n' "$m"
}
