#!/usr/bin/env bash
# Fault test: I/O errors (EIO) on the disk under a running server.
#
# Invariants: fail closed (an answer is a 2xx only if its audit record, and
# the change it acknowledges, are durable: while they cannot be, requests get
# a 503 JSON error), nothing acknowledged is lost (after the fault, and after
# kill -9 and a restart), the process stays up, and it recovers by itself once
# the disk works again.
#
# How: the server runs under `fiu-run -x` (libfiu's POSIX preload) and the
# test switches failure points on and off at run time with `fiu-ctrl`:
#   1. fdatasync fails with EIO everywhere: every audited request, reads
#      included, gets 503 audit_unavailable; health stays 200; once the fault
#      clears, requests succeed again within seconds, without a restart, and
#      the log holds an `audit.recovery` record;
#   2. fdatasync fails only inside mdb_txn_commit (the store's commits; the
#      audit log still works): writes get 503 store_unavailable and leave
#      nothing behind, reads and unwraps still work;
#   3. fdatasync fails at random (30%) under a mixed workload: whatever was
#      acknowledged is there and in the audit log;
#   4. pwrite fails at random (50%) until LMDB's meta-page write fails, which
#      LMDB makes fatal for the environment: the server must then answer
#      503 store_unavailable (not 500 store_corrupt, which sends the operator
#      to a backup), stay up, and a restart brings everything back.
# At the end: kill -9, restart without libfiu, every acknowledged key,
# rotation, blob and audit record is there, and `keyhold audit verify`
# passes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/system_lib.sh"
source "$here/fault_lib.sh"
sys_setup "$@"

{ command -v fiu-run && command -v fiu-ctrl; } >/dev/null ||
  sys_skip "fiu-run and fiu-ctrl (package fiu-utils) are not installed"
[ -f /usr/lib/fiu/fiu_posix_preload.so ] || [ -f /usr/local/lib/fiu/fiu_posix_preload.so ] ||
  sys_skip "libfiu's POSIX preload library (fiu_posix_preload.so) is not installed"

# fiu COMMAND: a libfiu remote-control command to the running server.
fiu() {
  local out
  out=$(fiu-ctrl -f "$work/fiu" -c "$1" "$kpid" 2>&1) || sys_fail "fiu-ctrl -c '$1': $out"
  [ -z "$out" ] || sys_fail "fiu-ctrl -c '$1': $out"
}

SYS_PREFIX=(fiu-run -x -f "$work/fiu")
sys_start_server
sys_init
fl_tokens
[ -p "$work/fiu-$kpid.in" ] || sys_fail "no libfiu control fifo for the server (fiu-run)"

fl_workload a 4
sys_log "workload: 4 keys, 5 blobs, 1 rotation acknowledged"

# 1. fdatasync fails everywhere (the audit log's and the store's).
fiu "enable name=posix/io/sync/fdatasync,failinfo=5"
refused=0
fl_create b-1 && sys_fail "create acknowledged while fdatasync fails"
fl_expect 503 audit_unavailable "create while fdatasync fails"
refused=$((refused + 1))
fl_rotate a-2 && sys_fail "rotate acknowledged while fdatasync fails"
fl_expect 503 audit_unavailable "rotate while fdatasync fails"
fl_wrap a-2 && sys_fail "wrap acknowledged while fdatasync fails"
fl_expect 503 audit_unavailable "wrap while fdatasync fails"
fl_unwrap_first
fl_expect 503 audit_unavailable "unwrap while fdatasync fails (its audit record cannot be durable)"
fl_call GET /v1/keys/acme/a-1
fl_expect 503 audit_unavailable "key read while fdatasync fails"
refused=$((refused + 4))
grep -q 'fdatasync of .* failed: Input/output error' "$work/server.log" ||
  sys_fail "the server log does not show the injected fdatasync failure"
fl_alive "fdatasync failing"
# The writer retries by itself every second: still refused after that.
sleep 1.5
fl_create b-2 && sys_fail "create acknowledged while fdatasync fails (after a retry)"
fl_expect 503 audit_unavailable "create while fdatasync fails, after the writer's retry"
refused=$((refused + 1))
fl_alive "fdatasync failing"
fiu "disable name=posix/io/sync/fdatasync"
# No request now: the writer itself finds the disk back and records it.
t0=$SECONDS
recovered() { grep -q '"operation":"audit.recovery"' "$audit_dir"/audit-*.jsonl; }
fl_until 10 recovered || sys_fail "no audit.recovery record 10 s after the fault cleared"
fl_create b-3 || sys_fail "create after the audit log recovered: $fl_status $fl_body"
sys_log "1. fdatasync EIO: $refused requests refused with 503 audit_unavailable;" \
  "audit.recovery recorded within $((SECONDS - t0)) s of the fault clearing, no restart"
# The refused creates never acted (their intent record failed).
for k in b-1 b-2; do
  fl_call GET "/v1/keys/acme/$k"
  fl_expect 404 key_not_found "a create refused with audit_unavailable left acme/$k behind"
done
fl_check_acked "after EIO on every fdatasync"

# 2. fdatasync fails only in the store's commits.
fiu "enable_stack_by_name name=posix/io/sync/fdatasync,func_name=mdb_txn_commit,failinfo=5"
fl_create c-1 && sys_fail "create acknowledged while the store cannot commit"
fl_expect 503 store_unavailable "create while the store's fdatasync fails"
fl_rotate a-3 && sys_fail "rotate acknowledged while the store cannot commit"
fl_expect 503 store_unavailable "rotate while the store's fdatasync fails"
fl_call GET /v1/keys/acme/a-3
fl_expect 200 - "key read while only the store's commits fail"
fl_unwrap_first
fl_expect 200 - "unwrap while only the store's commits fail"
wrap2=$(fl_wrap a-3 && echo acknowledged || echo "$fl_status $fl_code")
case $wrap2 in
  acknowledged | "503 store_unavailable") ;;
  *) sys_fail "wrap while the store's commits fail: $wrap2" ;;
esac
fl_alive "store commits failing"
fiu "disable name=posix/io/sync/fdatasync"
fl_call GET /v1/keys/acme/c-1
fl_expect 404 key_not_found "a create refused with store_unavailable left acme/c-1 behind"
fl_create c-2 || sys_fail "create after the store's fault cleared: $fl_status $fl_body"
sys_log "2. store commit EIO: create and rotate 503 store_unavailable, reads and unwrap 200," \
  "wrap: $wrap2; recovered at once"

# 3. fdatasync fails at random under a mixed workload.
fiu "enable_random name=posix/io/sync/fdatasync,probability=0.3,failinfo=5"
ok=0 no=0
for i in $(seq 1 20); do
  for op in "fl_create d-$i" "fl_wrap a-4" "fl_rotate a-4"; do
    if $op; then
      ok=$((ok + 1))
    else
      case "$fl_status $fl_code" in
        "503 audit_unavailable" | "503 store_unavailable") no=$((no + 1)) ;;
        *) sys_fail "$op with fdatasync failing at random: $fl_status $fl_body" ;;
      esac
    fi
  done
done
fiu "disable name=posix/io/sync/fdatasync"
fl_alive "random fdatasync failures"
[ "$no" -gt 0 ] || sys_fail "30% of fdatasync calls failed and no request was refused"
fl_until 10 fl_create d-after || sys_fail "no recovery after the random faults: $fl_status $fl_body"
sys_log "3. random fdatasync EIO (30%): $ok of 60 writes acknowledged, $no refused (503)"
fl_check_acked "after random fdatasync failures"

# 4. The store's meta-page write fails: LMDB's environment is then fatal.
fiu "enable_random name=posix/io/rw/pwrite,probability=0.5,failinfo=5"
panic=0 tries=0 acked=0
for i in $(seq 1 150); do
  tries=$i
  if fl_create "e-$i"; then
    acked=$((acked + 1))
    continue
  fi
  [ "$fl_status $fl_code" = "503 store_unavailable" ] ||
    sys_fail "create while pwrite fails at random: $fl_status $fl_body"
  case $fl_body in
    *"until the server restarts"*) panic=1 && break ;;
  esac
done
fiu "disable name=posix/io/rw/pwrite"
[ "$panic" = 1 ] || sys_fail "150 creates with pwrite failing at random and LMDB never hit a meta-page failure"
fl_alive "LMDB environment fatal"
fl_create e-after && sys_fail "create acknowledged on an LMDB environment that had a fatal error"
fl_expect 503 store_unavailable "create after LMDB's fatal error"
fl_call GET /v1/keys/acme/a-1
[ "$fl_status" = 200 ] || fl_expect 503 store_unavailable "key read after LMDB's fatal error"
sys_log "4. LMDB meta-page EIO after $tries creates ($acked acknowledged): 503 store_unavailable" \
  "(needs a restart), process alive, key read: $fl_status"

# The end: kill -9, start again without fault injection.
SYS_PREFIX=()
fl_restart
fl_check_acked "after kill -9 and a restart"
fl_create f-1 || sys_fail "create after the restart: $fl_status $fl_body"
fl_audit_verify
sys_log "PASS"
