# tests/system/fault_lib.sh: the workload and the checks of the fault tests
# (tests/system/fault_*_test.sh), sourced after system_lib.sh; used after sys_setup.
#
# Every answer a test gets is kept: a 2xx is an acknowledgement, and what it
# acknowledged must still be there at the end, after kill -9 and a restart:
#   $work/acked.keys      keys created (201)
#   $work/acked.versions  "KEY VERSION" after a rotation (200)
#   $work/acked.blobs     "KEY PLAINTEXT CIPHERTEXT" after a wrap (200)
#   $work/acked.rids      the X-Request-Id of every 2xx answer: each must
#                         have its outcome record in the audit files
# fl_check_acked checks all of it.
# $bin, $work, $audit_dir, $kpid, $admin come from system_lib.sh.
# shellcheck disable=SC2154

# fl_call METHOD PATH [BODY] [TOKEN]: one request; sets $fl_status,
# $fl_body, $fl_code (the error code, empty on success) and $fl_rid (the
# X-Request-Id). A 2xx answer's request id goes into acked.rids.
fl_call() {
  local method=$1 path=$2 body=${3:-} token=${4:-${admin:-}}
  local args=(-s -o "$work/fl.body" -D "$work/fl.headers" -w '%{http_code}' --max-time 30
    --cacert "$work/ca.crt" -X "$method")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  fl_status=$(curl "${args[@]}" "$KEYHOLD_ADDR$path") || fl_status=000
  fl_body=$(cat "$work/fl.body" 2>/dev/null || true)
  fl_rid=$(tr -d '\r' <"$work/fl.headers" 2>/dev/null | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: *//p' | head -n 1)
  fl_code=$(printf '%s' "$fl_body" | sed -n 's/^{"error":{"code":"\([a-z_]*\)".*/\1/p')
  case $fl_status in
    2??) [ -n "$fl_rid" ] && printf '%s\n' "$fl_rid" >>"$work/acked.rids" ;;
  esac
  return 0
}

# fl_json FIELD: a top-level string or number field of $fl_body.
fl_json() {
  printf '%s' "$fl_body" | sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# fl_tokens: an app token for tenant acme ($app), after sys_init.
fl_tokens() {
  fl_call POST /v1/tokens '{"principal":"fault-app","tenant":"acme","roles":["app"]}'
  [ "$fl_status" = 201 ] || sys_fail "app token: $fl_status $fl_body"
  app=$(fl_json token)
  [ -n "$app" ] || sys_fail "app token: no token in $fl_body"
  : >"$work/acked.keys"
  : >"$work/acked.versions"
  : >"$work/acked.blobs"
}

# fl_create NAME, fl_rotate NAME, fl_wrap NAME: the writes of the workload
# (tenant acme). Each records what a 2xx acknowledged; the status is in
# $fl_status, and the return value is 0 on a 2xx.
fl_create() {
  fl_call POST /v1/keys "{\"tenant\":\"acme\",\"name\":\"$1\"}"
  [ "$fl_status" = 201 ] || return 1
  printf '%s\n' "$1" >>"$work/acked.keys"
}
fl_rotate() {
  fl_call POST "/v1/keys/acme/$1/rotate" '{}'
  [ "$fl_status" = 200 ] || return 1
  printf '%s %s\n' "$1" "$(fl_json latest_version)" >>"$work/acked.versions"
}
fl_wrap() {
  local pt
  pt=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
  fl_call POST "/v1/keys/acme/$1/wrap" "{\"plaintext\":\"$pt\",\"context\":{\"test\":\"fault\"}}" "$app"
  [ "$fl_status" = 200 ] || return 1
  printf '%s %s %s\n' "$1" "$pt" "$(fl_json ciphertext)" >>"$work/acked.blobs"
}

# fl_workload PREFIX N: N keys PREFIX-1..N, a blob under each, the first
# rotated and a blob under its new version. Every call must succeed.
fl_workload() {
  local prefix=$1 n=$2 i
  for i in $(seq 1 "$n"); do
    fl_create "$prefix-$i" || sys_fail "workload: create $prefix-$i: $fl_status $fl_body"
    fl_wrap "$prefix-$i" || sys_fail "workload: wrap $prefix-$i: $fl_status $fl_body"
  done
  fl_rotate "$prefix-1" || sys_fail "workload: rotate $prefix-1: $fl_status $fl_body"
  fl_wrap "$prefix-1" || sys_fail "workload: wrap $prefix-1: $fl_status $fl_body"
}

# fl_expect STATUS CODE WHAT: the last answer had this status and error code
# (CODE "-" for a success).
fl_expect() {
  local want_status=$1 want_code=$2 what=$3
  [ "$want_code" = - ] && want_code=
  if [ "$fl_status" != "$want_status" ] || [ "$fl_code" != "$want_code" ]; then
    sys_fail "$what: wanted $want_status ${want_code:-(success)}, got $fl_status $fl_body"
  fi
}

# fl_unwrap_first: unwraps the first acknowledged blob (a read that needs
# only its audit record); sets $fl_status.
fl_unwrap_first() {
  local key pt ct
  read -r key pt ct <"$work/acked.blobs"
  fl_call POST "/v1/keys/acme/$key/unwrap" "{\"ciphertext\":\"$ct\",\"context\":{\"test\":\"fault\"}}" "$app"
}

# fl_alive: the process is there and answers its liveness probe.
fl_alive() {
  kill -0 "$kpid" 2>/dev/null || sys_fail "the server died (${1:-})"
  local s
  s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$work/ca.crt" \
    "$KEYHOLD_ADDR/v1/health/live") || true
  [ "$s" = 200 ] || sys_fail "/v1/health/live answered '$s' (${1:-})"
}

# fl_until SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds;
# 1 if it never did.
fl_until() {
  local end=$((SECONDS + $1))
  shift
  while ! "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.2
  done
}

# fl_restart: kill -9, start again (development mode unseals from the key
# file at start) and wait until ready.
fl_restart() {
  sys_stop_server KILL
  sys_start_server
  fl_until 20 fl_ready || sys_fail "not ready 20 s after a restart"
}
fl_ready() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$work/ca.crt" \
    "$KEYHOLD_ADDR/v1/health/ready")" = 200 ]
}

# fl_audit_rids: every request id with a record in the audit files.
fl_audit_rids() {
  cat "$audit_dir"/audit-*.jsonl 2>/dev/null | grep -o '"request_id":"[0-9a-f]*"' |
    sed 's/.*:"\(.*\)"/\1/' | sort -u
}

# fl_check_acked WHEN: everything acknowledged so far is there: each key
# (with at least its acknowledged version), each blob unwraps to its
# plaintext, and each 2xx answer has its record in the audit files.
fl_check_acked() {
  local when=$1 key pt ct v latest n=0
  while read -r key; do
    fl_call GET "/v1/keys/acme/$key"
    [ "$fl_status" = 200 ] || sys_fail "$when: acknowledged key acme/$key: $fl_status $fl_body"
    n=$((n + 1))
  done <"$work/acked.keys"
  while read -r key v; do
    fl_call GET "/v1/keys/acme/$key"
    latest=$(fl_json latest_version)
    [ "${latest:-0}" -ge "$v" ] ||
      sys_fail "$when: acme/$key was rotated to version $v (acknowledged), now has $latest"
  done <"$work/acked.versions"
  while read -r key pt ct; do
    fl_call POST "/v1/keys/acme/$key/unwrap" "{\"ciphertext\":\"$ct\",\"context\":{\"test\":\"fault\"}}" "$app"
    if [ "$fl_status" != 200 ] || [ "$(fl_json plaintext)" != "$pt" ]; then
      sys_fail "$when: an acknowledged blob of acme/$key does not unwrap: $fl_status $fl_body"
    fi
  done <"$work/acked.blobs"
  local missing
  missing=$(sort -u "$work/acked.rids" | comm -23 - <(fl_audit_rids))
  [ -z "$missing" ] || sys_fail "$when: acknowledged requests without an audit record on disk:" \
    "$(printf '%s\n' "$missing" | head -n 5 | tr '\n' ' ')($(printf '%s\n' "$missing" | wc -l) in all)"
  sys_log "$when: $n keys, $(wc -l <"$work/acked.versions") rotations," \
    "$(wc -l <"$work/acked.blobs") blobs and $(sort -u "$work/acked.rids" | wc -l) audit records" \
    "acknowledged: all there"
}

# fl_audit_verify [OPTIONS]: `keyhold audit verify` over the audit files.
# shellcheck disable=SC2120  # OPTIONS are optional
fl_audit_verify() {
  local out
  out=$("$bin" audit verify "$@" "$audit_dir"/audit-*.jsonl 2>&1) ||
    sys_fail "audit verify: $out"
  sys_log "audit verify: $(printf '%s' "$out" | head -n 1)"
}
