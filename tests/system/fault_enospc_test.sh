#!/usr/bin/env bash
# Fault test: the disk fills up (ENOSPC) under a running server.
#
# Invariants: fail closed (while a write cannot be made durable it gets a 503
# JSON error: store_unavailable from the store, audit_unavailable from the
# audit log, and no 2xx that is not kept), nothing acknowledged is lost
# (after the disk is freed, and after kill -9 and a restart), the process
# stays up, and it recovers by itself, without a restart, once space is
# freed.
#
# How: the script re-runs itself in a private mount namespace (unshare
# --user --map-root-user --mount) and mounts two small tmpfs there, one for
# the store and one for the audit log, so that each can be filled alone (a
# filler file written until ENOSPC) and freed again (the filler removed):
#   1. store file system full: creates are refused with 503
#      store_unavailable (LMDB may still fit a few in pages it freed itself:
#      those are acknowledged and must be kept), reads and unwraps still
#      work; freed: creates succeed at once;
#   2. audit file system full: requests, reads included, are refused with
#      503 audit_unavailable; freed: the log records `audit.recovery` by
#      itself within seconds, and requests succeed.
# Skipped (exit 77) where the kernel does not allow the namespace or the
# tmpfs mount.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/system_lib.sh"

if [ "${KEYHOLD_FAULT_NS:-}" != 1 ]; then
  # A user namespace lets anyone mount a tmpfs; root can do without one.
  for ns in "unshare --user --map-root-user --mount --propagation private" \
    "unshare --mount --propagation private"; do
    if err=$($ns true 2>&1); then
      KEYHOLD_FAULT_NS=1 exec $ns bash "$0" "$@"
    fi
  done
  sys_skip "no private mount namespace (unshare --user --mount, or unshare --mount): $err"
fi

source "$here/fault_lib.sh"
sys_setup "$@"
fs_store=$work/fs-store
fs_audit=$work/fs-audit
mkdir -m 700 "$fs_store" "$fs_audit"
enospc_cleanup() {
  local rc=$?
  if [ -n "${kpid:-}" ]; then
    kill -KILL "$kpid" 2>/dev/null || true
    wait "$kpid" 2>/dev/null || true
    kpid=
  fi
  umount "$fs_store" 2>/dev/null || umount -l "$fs_store" 2>/dev/null || true
  umount "$fs_audit" 2>/dev/null || umount -l "$fs_audit" 2>/dev/null || true
  set +e  # sys_cleanup takes the status from $?
  (exit "$rc")
  sys_cleanup
}
trap enospc_cleanup EXIT
for fs in "$fs_store" "$fs_audit"; do
  err=$(mount -t tmpfs -o size=2m,mode=0700 keyhold-test "$fs" 2>&1) ||
    sys_skip "cannot mount a tmpfs in the namespace: $err"
done
store_dir=$fs_store/store
audit_dir=$fs_audit/audit

sys_start_server
sys_init
fl_tokens
fl_workload a 4

# fill DIR: a filler file until the file system is full.
fill() {
  dd if=/dev/zero of="$1/filler" bs=4k status=none 2>/dev/null || true
  [ "$(df --output=avail -k "$1" | tail -n 1 | tr -d ' ')" -lt 4 ] ||
    sys_fail "$1 is not full after the filler: $(df -k "$1" | tail -n 1)"
}

# 1. The store's file system is full.
fill "$fs_store"
acked=0 tries=0
while :; do
  tries=$((tries + 1))
  [ "$tries" -le 300 ] || sys_fail "300 creates on a full file system, none refused"
  fl_create "s-$tries" || break
  acked=$((acked + 1))
done
fl_expect 503 store_unavailable "create with the store's file system full"
case $fl_body in
  *"No space left on device"*) ;;
  *) sys_fail "store_unavailable does not say the disk is full: $fl_body" ;;
esac
more_refused=0
for i in 1 2 3 4 5; do
  if ! fl_create "s-more-$i"; then
    fl_expect 503 store_unavailable "create with the store's file system full"
    more_refused=$((more_refused + 1))
  fi
done
fl_rotate a-2 || fl_expect 503 store_unavailable "rotate with the store's file system full"
rotated=$fl_status
fl_call GET /v1/keys/acme/a-2
fl_expect 200 - "key read with the store's file system full"
fl_unwrap_first
fl_expect 200 - "unwrap with the store's file system full"
fl_wrap a-3 || fl_expect 503 store_unavailable "wrap with the store's file system full"
wrapped=$fl_status
fl_alive "store file system full"
rm "$fs_store/filler"
fl_create s-after || sys_fail "create once the store's file system has space again: $fl_status $fl_body"
sys_log "1. store ENOSPC: first refusal after $acked creates fitted; 503 store_unavailable," \
  "then $more_refused of 5 more refused; rotate $rotated, wrap $wrapped, reads 200;" \
  "space freed: the next create succeeded"
fl_check_acked "after the store's file system was full"

# 2. The audit log's file system is full.
fill "$fs_audit"
tries=0
while :; do
  tries=$((tries + 1))
  [ "$tries" -le 100 ] || sys_fail "100 requests on a full audit file system, none refused"
  fl_call GET /v1/keys/acme/a-1
  [ "$fl_status" = 200 ] || break
done
fl_expect 503 audit_unavailable "key read with the audit file system full"
grep -q 'audit log: write to .* failed: No space left on device' "$work/server.log" ||
  sys_fail "the server log does not show ENOSPC on the audit log"
refused=1
for op in "fl_create t-1" "fl_rotate a-1" "fl_wrap a-1" "fl_unwrap_first"; do
  $op || true
  case "$fl_status" in
    2??) ;;  # a record small enough for the space left: kept, checked below
    *)
      fl_expect 503 audit_unavailable "$op with the audit file system full"
      refused=$((refused + 1))
      ;;
  esac
done
fl_alive "audit file system full"
sleep 1.5  # the writer's own retries fail too
fl_create t-2 && sys_fail "create acknowledged with the audit file system full (after a retry)"
fl_expect 503 audit_unavailable "create with the audit file system full, after the writer's retry"
refused=$((refused + 1))
fl_alive "audit file system full"
rm "$fs_audit/filler"
t0=$SECONDS
recovered() { grep -q '"operation":"audit.recovery"' "$audit_dir"/audit-*.jsonl; }
fl_until 10 recovered || sys_fail "no audit.recovery record 10 s after space was freed"
fl_create t-after || sys_fail "create once the audit file system has space again: $fl_status $fl_body"
sys_log "2. audit ENOSPC: first refusal after $((tries - 1)) reads fitted; $refused requests" \
  "refused with 503 audit_unavailable; space freed: audit.recovery within $((SECONDS - t0)) s," \
  "no restart"
fl_call GET /v1/keys/acme/t-2
fl_expect 404 key_not_found "a create refused by the audit log left acme/t-2 behind"

# The end: kill -9 and start again.
fl_restart
fl_check_acked "after kill -9 and a restart"
fl_create u-1 || sys_fail "create after the restart: $fl_status $fl_body"
fl_audit_verify
sys_log "PASS"
