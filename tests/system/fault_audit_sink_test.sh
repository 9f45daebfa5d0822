#!/usr/bin/env bash
# Fault test: the audit log's file or directory disappears under a running
# server, and its syslog copy goes away.
#
# Invariants: fail closed (a 2xx only once the request's audit record is
# durable in a file of the audit directory: a record written to a file that
# was deleted is in no log, so it must not count), nothing acknowledged is
# lost, the process stays up, and it recovers by itself once the directory
# is back (docs/operations.md: "the audit directory cannot be written (full
# disk, I/O error, removed). Fix it; Keyhold recovers by itself within a
# second"). The syslog copy is best effort: its socket going away must
# never fail a request.
#
# How:
#   1. the current audit file is deleted (the directory stays): requests go
#      on, into a new file; every 2xx has its record in the directory;
#   2. the whole directory is deleted: every audited request, reads
#      included, gets 503 audit_unavailable, also seconds later; the
#      directory made again (mkdir): the log records `audit.recovery` by
#      itself and requests succeed;
#   3. the directory replaced by a regular file: 503 audit_unavailable;
#      put back: recovery;
#   4. audit.syslog_socket names a Unix datagram socket: a listener (when
#      python3 is there) gets records; the listener stopped and its socket
#      removed: requests still succeed, the service log says the copy
#      dropped records;
#   5. kill -9 and a restart: every acknowledged key, rotation and blob is
#      there, and every acknowledged request has its record on disk. What
#      is left of the log verifies on its own (--retention-days 0), and
#      `keyhold audit verify` reports the deleted start of the log.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/system_lib.sh"
source "$here/fault_lib.sh"
sys_setup "$@"

sock=$work/syslog.sock
SYS_EXTRA_TOML=
sys_write_config
sed -i "s|^\[audit\]\$|[audit]\nsyslog_socket = \"$sock\"|" "$work/keyhold.toml"
grep -q '^syslog_socket = ' "$work/keyhold.toml" || sys_fail "could not set audit.syslog_socket"
listener=
if command -v python3 >/dev/null 2>&1; then
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536) + b"\n")
' "$sock" "$work/syslog.out" &
  listener=$!
  for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
  [ -S "$sock" ] || sys_fail "the syslog listener did not start"
fi
sink_cleanup() {
  local rc=$?
  [ -z "$listener" ] || kill "$listener" 2>/dev/null || true
  set +e  # sys_cleanup takes the status from $?
  (exit "$rc")
  sys_cleanup
}
trap sink_cleanup EXIT

sys_start_server
sys_init
fl_tokens
fl_workload a 4
if [ -n "$listener" ]; then
  fl_until 5 grep -q 'keyhold' "$work/syslog.out" 2>/dev/null ||
    sys_fail "the syslog listener got no record"
fi

# forget_rids: the test itself deletes audit files; the records of the
# requests answered before are gone by its hand, not lost by the server.
forget_rids() { cat "$work/acked.rids" >>"$work/acked.rids.deleted" && : >"$work/acked.rids"; }

# 1. The current audit file is deleted; the directory stays.
rm "$audit_dir"/audit-*.jsonl
forget_rids
ok=0
for i in 1 2 3; do
  if fl_create "b-$i"; then
    ok=$((ok + 1))
  else
    fl_expect 503 audit_unavailable "create after the audit file was deleted"
  fi
  if fl_wrap a-1; then
    ok=$((ok + 1))
  else
    fl_expect 503 audit_unavailable "wrap after the audit file was deleted"
  fi
done
fl_alive "audit file deleted"
ls "$audit_dir"/audit-*.jsonl >/dev/null 2>&1 || sys_fail "no audit file in the directory after the file was deleted"
fl_check_acked "after the audit file was deleted"
sys_log "1. audit file deleted: $ok of 6 writes acknowledged, each with its record in the directory"

# 2. The whole directory is deleted.
rm -rf "$audit_dir"
forget_rids
refused=0
check_refused() {
  fl_create "$1" && sys_fail "create acknowledged with the audit directory gone ($2)"
  fl_expect 503 audit_unavailable "create with the audit directory gone ($2)"
  fl_rotate a-2 && sys_fail "rotate acknowledged with the audit directory gone ($2)"
  fl_expect 503 audit_unavailable "rotate with the audit directory gone ($2)"
  fl_wrap a-2 && sys_fail "wrap acknowledged with the audit directory gone ($2)"
  fl_expect 503 audit_unavailable "wrap with the audit directory gone ($2)"
  fl_unwrap_first
  fl_expect 503 audit_unavailable "unwrap with the audit directory gone ($2)"
  fl_call GET /v1/keys/acme/a-2
  fl_expect 503 audit_unavailable "key read with the audit directory gone ($2)"
  refused=$((refused + 5))
}
check_refused c-1 "at once"
fl_alive "audit directory gone"
sleep 1.5  # the writer's own retries fail too
check_refused c-2 "1.5 s later"
fl_alive "audit directory gone"
ready=$(sys_api GET /v1/health/ready)
[[ $ready == "503 "* && $ready == *'"reason":"audit_unavailable"'* ]] ||
  sys_fail "readiness with the audit directory gone: $ready"
mkdir -m 700 "$audit_dir"
t0=$SECONDS
recovered() { grep -q '"operation":"audit.recovery"' "$audit_dir"/audit-*.jsonl 2>/dev/null; }
fl_until 10 recovered || sys_fail "no audit.recovery record 10 s after the directory was made again"
fl_create c-after || sys_fail "create after the audit directory came back: $fl_status $fl_body"
sys_expect_status 200 GET /v1/health/ready >/dev/null
for k in c-1 c-2; do
  fl_call GET "/v1/keys/acme/$k"
  fl_expect 404 key_not_found "a create refused by the audit log left acme/$k behind"
done
sys_log "2. audit directory deleted: $refused requests refused with 503 audit_unavailable;" \
  "made again: audit.recovery within $((SECONDS - t0)) s, no restart"
grep -q 'audit log.*was removed' "$work/server.log" ||
  sys_fail "the service log does not say that the audit file was removed"

# 3. The directory replaced by a regular file.
rm -rf "$audit_dir"
forget_rids
echo "not a directory" >"$audit_dir"
fl_create d-1 && sys_fail "create acknowledged with the audit directory replaced by a file"
fl_expect 503 audit_unavailable "create with the audit directory replaced by a file"
fl_call GET /v1/keys/acme/a-2
fl_expect 503 audit_unavailable "key read with the audit directory replaced by a file"
fl_alive "audit directory replaced by a file"
rm "$audit_dir"
mkdir -m 700 "$audit_dir"
fl_until 10 recovered || sys_fail "no audit.recovery record 10 s after the directory was put back"
fl_create d-after || sys_fail "create after the audit directory was put back: $fl_status $fl_body"
sys_log "3. audit directory replaced by a file: 503 audit_unavailable; put back: recovered"

# 4. The syslog copy's socket goes away: requests must not fail.
if [ -n "$listener" ]; then
  kill "$listener"
  wait "$listener" 2>/dev/null || true
  listener=
fi
rm -f "$sock"
ok=0
for i in 1 2 3 4 5; do
  fl_call GET /v1/keys/acme/a-3
  fl_expect 200 - "key read with the syslog socket gone"
  fl_wrap a-3 || sys_fail "wrap with the syslog socket gone: $fl_status $fl_body"
  ok=$((ok + 2))
done
fl_create e-1 || sys_fail "create with the syslog socket gone: $fl_status $fl_body"
fl_until 5 grep -q 'audit mirror (syslog) dropped' "$work/server.log" ||
  sys_fail "the service log does not say that the syslog copy dropped records"
sys_log "4. syslog socket gone: $((ok + 1)) of $((ok + 1)) requests served; the drop is in the service log"

# 5. kill -9 and a restart.
fl_restart
fl_check_acked "after kill -9 and a restart"
fl_create f-1 || sys_fail "create after the restart: $fl_status $fl_body"
fl_audit_verify --retention-days 0
if out=$("$bin" audit verify "$audit_dir"/audit-*.jsonl 2>&1); then
  sys_fail "audit verify passes on a log whose start was deleted: $out"
fi
sys_log "audit verify (with the retention check) reports the deletion: $(printf '%s' "$out" | head -n 1)"
sys_log "PASS"
