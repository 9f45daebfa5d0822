# tests/system/clock_test.sh: the server under a wall clock that jumps.
#
# Only the server runs under libfaketime (system_lib.sh sys_faketime), and
# only its CLOCK_REALTIME moves: the monotonic clocks stay real, as they do
# when an operator or NTP steps a machine's clock. The CLI, curl and this
# script keep the real clock. The service reads the time through
# SystemClock (kms/clock.h): it follows the wall clock when it steps
# forward and ignores a step back, within one process.
#
# Phase 1, forward (one server process):
#   - +2 h: a grant approved for an hour (grant_ttl_s 3600) is refused
#     ("it expired"); a key with a one-day rotation period has not rotated.
#   - +36 h: that key gets exactly one new version within a few scheduler
#     ticks (interval_s = 1), and still exactly one several ticks later.
# A restart with the offset back at 0: the new process takes the wall clock
# as it is, 36 h before where the last one had got to. The forward-only
# floor lives in the process; nothing is stored (kms/clock.h).
# Phase 2, back (a second process):
#   - a grant approved for 60 s (the minimum grant_ttl_s), then the wall
#     clock 1 day back: the grant still works at once and a few seconds
#     before its end, and is refused ("it expired") once its 60 s have
#     passed in real time. A clock that followed the step back (the plain
#     CLOCK_REALTIME of before) refuses it at once ("its window has not
#     started") and still holds it approved after its minute: it would
#     have become usable a day later.
#   - the server's time does not go back (a key created after the step);
#     a deletion scheduled before the step keeps its deletion_at, and one
#     scheduled after it gets now + 1 day from the server's time, not from
#     the stepped-back wall clock (which would shorten the window by a day
#     once the clock is put right).
#   - forward to 2 minutes before the windows end: nothing destroyed; past
#     their end: both keys destroyed at the next tick, deletion_at unchanged.
# A last restart with the wall clock a day back: the server now reports
# yesterday, which shows the setting does reach it (the in-process floor
# hid it in phase 2). A grant whose end was passed before such a restart
# would be usable again after it: the documented limit of a per-process
# floor.
#
# Checks do not stop the test at the first failure: each one is logged,
# and the test fails at the end if any did (so a broken clock shows every
# check it breaks). Setup failures stop it at once.
#
# Run: bash tests/system/clock_test.sh BUILD/cli/keyhold (about 85 s, most
# of it the real minute the 60 s grant has to last).
source "$(dirname "$0")/system_lib.sh"
sys_setup "$@"
sys_faketime

failures=0
ok() { sys_log "ok: $*"; }
bad() {
  sys_log "FAIL: $*"
  failures=$((failures + 1))
}
# within VALUE LOW HIGH
within() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
epoch() { date -u -d "$1" +%s; }
now() { date +%s; }

# --- configuration: a scheduler tick every second, deletion windows of a
# day allowed (development mode; it allows 0 days too, but a window of 0
# ends at once and leaves nothing to check), two approval rules, no admin
# quorum (so schedule-deletion needs no grant).
mkdir -p "$work/policies"
printf '{"name": "admin-quorum", "version": 1}\n' >"$work/policies/admin-quorum.json"
cat >"$work/policies/clock.json" <<'JSON'
{
  "name": "clock",
  "version": 1,
  "approvals": [
    {"id": "fwd-unwrap", "keys": ["acme/fwd-*"], "operations": ["unwrap"],
     "approvals": 1, "grant_ttl_s": 3600, "grant_uses": 100},
    {"id": "back-unwrap", "keys": ["acme/back-*"], "operations": ["unwrap"],
     "approvals": 1, "grant_ttl_s": 60, "grant_uses": 100}
  ]
}
JSON
SYS_EXTRA_TOML="[keys]
min_deletion_days = 1
[scheduler]
interval_s = 1
[policies]
dir = \"$work/policies\""

sys_start_server
sys_init

# An officer with an enrolled signing key, and an application.
made=$("$bin" officer keygen --out "$work/alice.key") || sys_fail "officer keygen: $made"
pub=$(sed -n 's/^public key: //p' <<<"$made")
[ -n "$pub" ] || sys_fail "officer keygen printed no public key: $made"
KEYHOLD_TOKEN=$admin "$bin" officer enrol alice --public-key "$pub" >/dev/null ||
  sys_fail "officer enrol failed"
alice=$(sys_expect_status 201 POST /v1/tokens '{"principal": "alice", "tenant": "*", "roles": ["officer"]}' | sys_json token)
app=$(sys_expect_status 201 POST /v1/tokens '{"principal": "app", "tenant": "acme", "roles": ["app"]}' | sys_json token)

# key_create NAME [ROTATION_PERIOD_S]
key_create() {
  local body="{\"tenant\": \"acme\", \"name\": \"$1\"${2:+, \"rotation_period_s\": $2}}"
  sys_expect_status 201 POST /v1/keys "$body" >/dev/null
}
# key_get NAME MEMBER
key_get() { sys_expect_status 200 GET "/v1/keys/acme/$1" | sys_json "$2"; }
# versions NAME: how many versions acme/NAME has left.
versions() { sys_expect_status 200 GET "/v1/keys/acme/$1" | { grep -o '"version":' || true; } | wc -l; }
# wrap NAME: a blob of acme/NAME, context case=clock.
wrap() {
  sys_expect_status 200 POST "/v1/keys/acme/$1/wrap" \
    '{"plaintext": "MDEyMzQ1Njc4OWFiY2RlZg==", "context": {"case": "clock"}}' "$app" |
    sys_json ciphertext
}
# server_time: the server's clock, read as the created_at of a new key.
server_time() {
  local at
  at=$(sys_expect_status 201 POST /v1/keys "{\"tenant\": \"probe\", \"name\": \"t$(date +%s%N)\"}" |
    sys_json created_at) || exit 1
  epoch "$at"
}
# grant NAME: an approved request (by alice) for app to unwrap with acme/NAME.
grant() {
  local id
  id=$(sys_expect_status 201 POST /v1/requests "{\"operation\": \"unwrap\", \"key\": \"acme/$1\", \"context\": {\"case\": \"clock\"}, \"justification\": {\"reason_code\": \"clock_test\", \"text\": \"system test\"}}" "$app" | sys_json id)
  KEYHOLD_TOKEN=$alice "$bin" request approve "$id" --signing-key "$work/alice.key" \
    --comment ok >/dev/null || sys_fail "request approve $id failed"
  printf '%s\n' "$id"
}
request_get() { sys_expect_status 200 GET "/v1/requests/$1" "" "$app" | sys_json "$2"; }
# use_grant NAME ID BLOB: prints "STATUS BODY" of the unwrap with the grant.
use_grant() {
  sys_api_header "X-Keyhold-Grant: $2" POST "/v1/keys/acme/$1/unwrap" \
    "{\"ciphertext\": \"$3\", \"context\": {\"case\": \"clock\"}}" "$app"
}
# expect_usable WHAT NAME ID BLOB / expect_expired WHAT NAME ID BLOB
expect_usable() {
  local got
  got=$(use_grant "$2" "$3" "$4")
  if [ "${got%% *}" = 200 ]; then ok "$1: the grant works (200)"; else bad "$1: wanted 200, got: $got"; fi
}
expect_expired() {
  local got code msg
  got=$(use_grant "$2" "$3" "$4")
  code=$(sys_json code <<<"${got#* }")
  msg=$(sys_json message <<<"${got#* }")
  if [ "${got%% *}" = 403 ] && [ "$code" = approval_required ] && [[ $msg == *"it expired" ]]; then
    ok "$1: refused, 403 approval_required: $msg"
  else
    bad "$1: wanted 403 approval_required ending 'it expired', got: $got"
  fi
}
# wait_until SECONDS COMMAND...: true once COMMAND succeeds, polled every 0.2 s.
wait_until() {
  local deadline=$(($(now) + $1))
  shift
  while ! "$@"; do
    [ "$(now)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
# jump_to SECONDS: the server's wall clock becomes real + SECONDS.
jump_to() {
  if [ "$1" -ge 0 ]; then sys_faketime_set "+$1"; else sys_faketime_set "$1"; fi
}
sleep_until() {
  local d=$(($1 - $(now)))
  [ "$d" -le 0 ] || sleep "$d"
}

started=$(now)

# ===== Phase 1: forward =====================================================
key_create fwd-rot 86400
key_create fwd-grant
blob1=$(wrap fwd-grant)
g1=$(grant fwd-grant)
expect_usable "forward: grant_ttl_s 3600, before the jump" fwd-grant "$g1" "$blob1"

sys_faketime_set +7200
t=$(server_time)
if within $((t - $(now))) 7195 7230; then
  ok "forward +2 h: the server's time is real + $((t - $(now))) s"
else
  bad "forward +2 h: the server did not follow (its time is real + $((t - $(now))) s)"
fi
expect_expired "forward +2 h: a grant for 1 h approved before the jump" fwd-grant "$g1" "$blob1"
status=$(request_get "$g1" status)
[ "$status" = spent ] && ok "forward +2 h: the request is spent" ||
  bad "forward +2 h: the request is $status, not spent"
sleep 2 # two ticks
v=$(key_get fwd-rot latest_version)
[ "$v" = 1 ] && ok "forward +2 h: a key with a 1-day period has not rotated (version 1)" ||
  bad "forward +2 h: a key with a 1-day period has version $v"

sys_faketime_set +129600
jumped=$(now)
rotated() { [ "$(key_get fwd-rot latest_version)" -ge 2 ]; }
if wait_until 6 rotated; then
  ok "forward +36 h: rotated within $(($(now) - jumped)) s"
else
  bad "forward +36 h: a key with a 1-day period did not rotate within 6 s"
fi
v=$(key_get fwd-rot latest_version)
rot_at=$(epoch "$(key_get fwd-rot last_rotated_at)")
[ "$v" = 2 ] && ok "forward +36 h: exactly one new version (latest 2)" ||
  bad "forward +36 h: latest version $v, wanted 2"
if within $((rot_at - $(now))) 129590 129630; then
  ok "forward +36 h: last_rotated_at is real + $((rot_at - $(now))) s"
else
  bad "forward +36 h: last_rotated_at is real + $((rot_at - $(now))) s, wanted about 129600"
fi
sleep 5 # five more ticks
v=$(key_get fwd-rot latest_version)
n=$(grep -c '"key rotated".*"acme/fwd-rot"' "$work/server.log" || true)
[ "$v" = 2 ] && [ "$n" = 1 ] && ok "forward +36 h: still version 2 five ticks later, one 'key rotated' log line" ||
  bad "forward +36 h: five ticks later latest version $v and $n 'key rotated' lines, wanted 2 and 1"

# ===== Restart: the new process takes the wall clock as it is ===============
sys_stop_server
sys_faketime_set +0
sys_start_server
t=$(server_time)
if within $((t - $(now))) -5 5; then
  ok "restart at offset 0: the server's time is real again (real + $((t - $(now))) s), 36 h before the last process's"
else
  bad "restart at offset 0: the server's time is real + $((t - $(now))) s, wanted about 0"
fi

# ===== Phase 2: back ========================================================
key_create back-grant
key_create back-doomed1
key_create back-doomed2
blob2=$(wrap back-grant)
d1=$(epoch "$(sys_expect_status 200 POST /v1/keys/acme/back-doomed1/schedule-deletion '{"days": 1}' | sys_json deletion_at)")
within $((d1 - $(now))) 86395 86405 || sys_fail "schedule-deletion: deletion_at is real + $((d1 - $(now))) s"

approved=$(now)
g2=$(grant back-grant)
until2=$(epoch "$(request_get "$g2" grant_until)")
within $((until2 - approved)) 58 62 || sys_fail "grant_until is $((until2 - approved)) s after the approval, wanted 60"

sys_faketime_set -86400
expect_usable "back -1 d: grant_ttl_s 60, just after the step back" back-grant "$g2" "$blob2"
# A process started now with the same setting sees yesterday: the step is real.
faked=$("${SYS_PREFIX[@]}" date +%s)
within $((faked - $(now))) -86405 -86395 || sys_fail "faketime did not step back (date: real + $((faked - $(now))) s)"
t=$(server_time)
if [ "$t" -ge $((approved - 1)) ] && [ "$t" -le $(($(now) + 2)) ]; then
  ok "back -1 d: the server's time did not go back (real + $((t - $(now))) s; the wall clock it reads is real - 86400 s)"
else
  bad "back -1 d: the server's time went back to real + $((t - $(now))) s"
fi
d2=$(epoch "$(sys_expect_status 200 POST /v1/keys/acme/back-doomed2/schedule-deletion '{"days": 1}' | sys_json deletion_at)")
if within $((d2 - $(now))) 86395 86405; then
  ok "back -1 d: a 1-day deletion scheduled after the step ends at real + $((d2 - $(now))) s"
else
  bad "back -1 d: a 1-day deletion scheduled after the step ends at real + $((d2 - $(now))) s: the window is shortened by the step"
fi
sleep 3 # three ticks
for k in 1 2; do
  dv=d$k
  d=${!dv}
  got="$(key_get "back-doomed$k" state) $(key_get "back-doomed$k" deletion_at)"
  if [ "${got%% *}" = pending_deletion ] && [ "$(epoch "${got#* }")" = "$d" ]; then
    ok "back -1 d: back-doomed$k pending_deletion, deletion_at unchanged (${got#* })"
  else
    bad "back -1 d: back-doomed$k is '$got', wanted pending_deletion at $(date -u -d "@$d" +%FT%TZ)"
  fi
done

sleep_until $((until2 - 4))
expect_usable "back -1 d: 4 s before the grant's end" back-grant "$g2" "$blob2"
sleep_until $((until2 + 1))
expect_expired "back -1 d: $(($(now) - approved)) s of real time after the approval" back-grant "$g2" "$blob2"
status=$(request_get "$g2" status)
[ "$status" = spent ] && ok "back -1 d: the request is spent" ||
  bad "back -1 d: the request is $status, not spent: the grant outlives its 60 s"

# Forward to 2 minutes before the first window ends, then past the second.
first=$((d1 < d2 ? d1 : d2))
last=$((d1 > d2 ? d1 : d2))
jump_to $((first - 120 - $(now)))
t=$(server_time)
if within $((first - t)) 100 125; then
  ok "forward to the window's end: the server's time is $((first - t)) s before it"
else
  bad "forward to the window's end: the server's time is $((first - t)) s before it, wanted about 120"
fi
sleep 3 # three ticks
for k in 1 2; do
  got="$(key_get "back-doomed$k" state) $(versions "back-doomed$k")"
  [ "$got" = "pending_deletion 1" ] && ok "2 min before the end: back-doomed$k not destroyed" ||
    bad "2 min before the end: back-doomed$k is '$got', wanted 'pending_deletion 1' (state, versions)"
done
jump_to $((last + 2 - $(now)))
jumped=$(now)
destroyed() {
  [ "$(key_get back-doomed1 state)" = destroyed ] && [ "$(key_get back-doomed2 state)" = destroyed ]
}
if wait_until 5 destroyed; then
  ok "past the end: both keys destroyed within $(($(now) - jumped)) s"
else
  bad "past the end: not both destroyed within 5 s ($(key_get back-doomed1 state), $(key_get back-doomed2 state))"
fi
for k in 1 2; do
  dv=d$k
  d=${!dv}
  got="$(versions "back-doomed$k") $(key_get "back-doomed$k" deletion_at)"
  [ "${got%% *}" = 0 ] && [ "$(epoch "${got#* }")" = "$d" ] &&
    ok "past the end: back-doomed$k has no versions left, deletion_at unchanged" ||
    bad "past the end: back-doomed$k: '$got' (versions, deletion_at), wanted 0 and $(date -u -d "@$d" +%FT%TZ)"
done

# ===== Restart with the wall clock a day back ===============================
sys_stop_server
sys_faketime_set -86400
sys_start_server
t=$(server_time)
if within $((t - $(now))) -86405 -86395; then
  ok "restart at -1 d: the new process starts from the wall clock (real + $((t - $(now))) s)"
else
  bad "restart at -1 d: the server's time is real + $((t - $(now))) s, wanted about -86400"
fi

sys_log "$failures failed check(s), $(($(now) - started)) s"
[ "$failures" = 0 ] || sys_fail "$failures check(s) failed"
sys_log "PASS"
