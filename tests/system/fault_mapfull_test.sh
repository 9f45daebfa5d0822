#!/usr/bin/env bash
# Fault test: the LMDB map fills up (store.map_size_mib reached).
#
# Invariants: fail closed (a write that does not fit gets 503 store_full, as
# docs/api.md says, never a 2xx and never a 500), nothing acknowledged is
# lost, the process stays up and keeps serving reads, and the documented
# recovery works: raise store.map_size_mib and restart (here after kill -9),
# then every key acknowledged before is there and new keys can be made.
#
# How: the smallest map the configuration allows (16 MiB), filled by key
# creates from 4 parallel curl processes (names of 128 bytes) until the
# store refuses them; the store and the audit log go to /dev/shm when it is
# there, only to make the filling fast (a few seconds; on a disk it takes
# minutes of fdatasync). Every 201 is recorded and checked at the end.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/system_lib.sh"
source "$here/fault_lib.sh"
sys_setup "$@"

fast=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  fast=$(mktemp -d /dev/shm/keyhold-mapfull.XXXXXX)
  store_dir=$fast/store
  audit_dir=$fast/audit
  mapfull_cleanup() {
    local rc=$?
    if [ -n "${kpid:-}" ]; then
      kill -KILL "$kpid" 2>/dev/null || true
      wait "$kpid" 2>/dev/null || true
      kpid=
    fi
    rm -rf "$fast"
    set +e  # sys_cleanup takes the status from $?
    (exit "$rc")
    sys_cleanup
  }
  trap mapfull_cleanup EXIT
fi
sys_write_config
sed -i 's/^\[store\]$/[store]\nmap_size_mib = 16/' "$work/keyhold.toml"
grep -q '^map_size_mib = 16$' "$work/keyhold.toml" || sys_fail "could not set map_size_mib"
sys_start_server
sys_init
fl_tokens
fl_workload a 3

# bulk_batch FIRST COUNT: creates keys bulk/<pad><FIRST..FIRST+COUNT-1> with
# 4 curl processes; appends "STATUS NAME" lines to $work/bulk.out.
pad=$(printf 'n%.0s' $(seq 1 121))
bulk_batch() {
  local first=$1 count=$2 i j pids=()
  for j in 0 1 2 3; do : >"$work/bulk.cfg$j"; done
  for i in $(seq "$first" $((first + count - 1))); do
    printf 'url = "%s"\ncacert = "%s"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"tenant\\":\\"bulk\\",\\"name\\":\\"%s%07d\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %s%07d\\n"\nnext\n' \
      "$KEYHOLD_ADDR/v1/keys" "$work/ca.crt" "$admin" "$pad" "$i" "$pad" "$i" >>"$work/bulk.cfg$((i % 4))"
  done
  for j in 0 1 2 3; do
    sed -i '$ d' "$work/bulk.cfg$j"  # the last "next"
    curl -s -K "$work/bulk.cfg$j" >"$work/bulk.batch$j" &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  cat "$work/bulk.batch"[0-3] >"$work/bulk.batch"
  cat "$work/bulk.batch" >>"$work/bulk.out"
}

: >"$work/bulk.out"
t0=$SECONDS
next=1
full=0
# At about 1 KiB a key, 16 MiB holds some 16000: 12 batches of 2000 are
# far more than enough; each takes a few seconds on tmpfs.
for _ in $(seq 1 12); do
  bulk_batch "$next" 2000
  next=$((next + 2000))
  if grep -qv '^201 ' "$work/bulk.batch"; then
    full=1
    break
  fi
  fl_alive "filling the store"
done
[ "$full" = 1 ] || sys_fail "24000 keys did not fill a 16 MiB store"
others=$(grep -v '^201 \|^503 ' "$work/bulk.out" | head -n 3 || true)
[ -z "$others" ] || sys_fail "creates in a filling store got neither 201 nor 503: $others"
acked=$(grep -c '^201 ' "$work/bulk.out")
refused=$(grep -c '^503 ' "$work/bulk.out")
sys_log "filled: $acked bulk keys acknowledged, $refused refused (503) in $((SECONDS - t0)) s"
# The server log names each refusal's code: store_full, nothing else.
bad=$(grep '"msg":"request"' "$work/server.log" | grep '"status":5' |
  grep -v '"error":"store_full"' | head -n 3 || true)
[ -z "$bad" ] || sys_fail "refusals other than store_full while filling: $bad"

# Full: writes are refused with store_full; reads still work; the process
# is up. A small write may still fit in pages LMDB freed since (a later
# commit can reuse them): then it is acknowledged, and it must be kept.
# either_or WHAT STATUS: the last call succeeded, or got 503 store_full.
either_or() {
  if [ "$fl_status" = "$2" ]; then
    echo acknowledged
  else
    fl_expect 503 store_full "$1"
    case $fl_body in
      *map_size_mib*) ;;
      *) sys_fail "store_full does not name store.map_size_mib: $fl_body" ;;
    esac
    echo "503 store_full"
  fi
}
full_acked=0 full_refused=0
for i in $(seq 1 20); do
  fl_create "a-full-$i" || true
  case $(either_or "create in a full store" 201) in
    acknowledged) full_acked=$((full_acked + 1)) ;;
    *) full_refused=$((full_refused + 1)) ;;
  esac
done
[ "$full_refused" -gt 0 ] || sys_fail "20 creates in a full store, none refused"
fl_rotate a-1 || true
rotated=$(either_or "rotate in a full store" 200)
fl_call POST /v1/tokens '{"principal":"more","tenant":"acme","roles":["app"]}'
token=$(either_or "token create in a full store" 201)
fl_call GET /v1/keys/acme/a-2
fl_expect 200 - "key read in a full store"
fl_unwrap_first
fl_expect 200 - "unwrap in a full store"
wrapped=$(fl_wrap a-2 && echo acknowledged || echo "$fl_status $fl_code")
case $wrapped in
  acknowledged | "503 store_full") ;;
  *) sys_fail "wrap in a full store: $wrapped" ;;
esac
fl_alive "store full"
sys_log "store full: creates $full_refused refused (503 store_full), $full_acked fitted;" \
  "rotate: $rotated; token create: $token; wrap: $wrapped; reads and unwrap 200"
fl_check_acked "store full"

# Recovery as documented: raise the map and restart.
sys_stop_server KILL
sed -i 's/^map_size_mib = 16$/map_size_mib = 32/' "$work/keyhold.toml"
sys_start_server
fl_until 20 fl_ready || sys_fail "not ready after the restart with a larger map"
fl_check_acked "after kill -9 and a restart with map_size_mib = 32"
# Every bulk key acknowledged is listed.
grep '^201 ' "$work/bulk.out" | cut -d' ' -f2 | sort >"$work/bulk.acked"
: >"$work/bulk.listed"
after=
while :; do
  fl_call GET "/v1/keys?tenant=bulk&limit=1000${after:+&after=$after}"
  fl_expect 200 - "listing the bulk keys"
  printf '%s' "$fl_body" | grep -o '"name":"[a-z0-9]*"' | cut -d'"' -f4 >>"$work/bulk.listed"
  after=$(printf '%s' "$fl_body" | sed -n 's/.*"next_after":"\([a-z0-9]*\)".*/\1/p')
  [ -n "$after" ] || break
done
lost=$(sort "$work/bulk.listed" | comm -23 "$work/bulk.acked" - | wc -l)
[ "$lost" = 0 ] || sys_fail "$lost acknowledged bulk keys are missing after the restart"
sys_log "after the restart: all $acked acknowledged bulk keys listed ($(wc -l <"$work/bulk.listed") in all)"
fl_create a-after || sys_fail "create after raising map_size_mib: $fl_status $fl_body"
fl_rotate a-1 || sys_fail "rotate after raising map_size_mib: $fl_status $fl_body"
bulk_batch "$next" 400
[ "$(grep -c '^201 ' "$work/bulk.batch")" = 400 ] ||
  sys_fail "creates after raising the map were refused: $(grep -v '^201 ' "$work/bulk.batch" | head -n 1)"
fl_check_acked "the end"
fl_audit_verify
sys_log "PASS"
