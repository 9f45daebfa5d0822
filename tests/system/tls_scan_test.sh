#!/usr/bin/env bash
# DESIGN.md invariant 5, from outside the process: TLS below 1.3 is refused.
#
# sslscan (Debian's 2.0.7) scans the running server; its XML report must
# list SSLv2, SSLv3, TLSv1.0, TLSv1.1 and TLSv1.2 as disabled, TLSv1.3 as
# enabled, and no cipher suite of a version other than TLSv1.3. Then
# `openssl s_client` at each version: -tls1, -tls1_1 and -tls1_2 must fail
# with the server's "protocol version" alert (the client runs at security
# level 0, so the refusal is the server's, not its own), and -tls1_3 must
# complete with the certificate verified. The server keeps serving.
#
# So that a pass means something, the same probes first run against a
# control: `openssl s_server` with the same certificate, allowing every
# version OpenSSL has. There the checks must find TLSv1.0, 1.1 and 1.2
# enabled and the old-version handshakes must succeed; if they do not, the
# probes are blind and the test fails. (SSLv2 and SSLv3 have no control:
# OpenSSL 3 cannot serve them; sslscan probes them with its own hellos and
# reports them disabled.)
#
# Run time: about 2 s (bounded: sslscan's socket timeout is 3 s, s_client
# has `timeout 10`). Run: bash tests/system/tls_scan_test.sh BUILD/cli/keyhold
set -euo pipefail
source "$(dirname "$0")/system_lib.sh"
sys_setup "$@"

command -v sslscan >/dev/null || sys_fail "sslscan is not installed (scripts/deps installs it)"

# scan_protocols PORT: sslscan's verdict per protocol, one "NAME ENABLED"
# line each (e.g. "tls1.2 0"), then one "cipher VERSION" line per accepted
# suite; the whole XML report is kept in $work/scan.PORT.xml.
scan_protocols() {
  local p=$1 xml=$work/scan.$1.xml
  timeout 30 sslscan --no-colour --xml=- "127.0.0.1:$p" >"$xml" 2>"$work/scan.$p.err" ||
    sys_fail "sslscan failed on port $p: $(head -c 500 "$work/scan.$p.err")"
  local el type version enabled
  while IFS= read -r el; do
    type=$(sed -n 's/.* type="\([^"]*\)".*/\1/p' <<<"$el")
    version=$(sed -n 's/.* version="\([^"]*\)".*/\1/p' <<<"$el")
    enabled=$(sed -n 's/.* enabled="\([^"]*\)".*/\1/p' <<<"$el")
    printf '%s%s %s\n' "$type" "$version" "$enabled"
  done < <(grep -o '<protocol [^>]*>' "$xml" || true)
  grep -o '<cipher [^>]*>' "$xml" | sed -n 's/.* sslversion="\([^"]*\)".*/cipher \1/p' || true
}

# tls13_only_problems PORT: prints one line per departure from "TLS 1.3
# only" in sslscan's report, nothing when there is none.
tls13_only_problems() {
  local scan want name state
  scan=$(scan_protocols "$1")
  for want in "ssl2 0" "ssl3 0" "tls1.0 0" "tls1.1 0" "tls1.2 0" "tls1.3 1"; do
    name=${want% *}
    state=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$scan")
    if [ -z "$state" ]; then
      echo "sslscan reported nothing for $name"
    elif [ "$state" != "${want#* }" ]; then
      echo "$name enabled=$state"
    fi
  done
  awk '$1 == "cipher" && $2 != "TLSv1.3" { print "a cipher suite accepted at " $2 }' <<<"$scan" |
    sort -u
  [ "$(grep -c '^cipher TLSv1.3$' <<<"$scan")" -gt 0 ] || echo "no TLSv1.3 cipher suite accepted"
}

# s_client_at PORT VERSION_FLAG: runs one handshake; prints its output and
# returns its status.
s_client_at() {
  timeout 10 openssl s_client -connect "127.0.0.1:$1" "$2" -cipher 'DEFAULT:@SECLEVEL=0' \
    -CAfile "$work/ca.crt" -verify_return_error </dev/null 2>&1
}

# --- The control: an OpenSSL server that allows every version. -----------
cport=$(sys_free_port)
openssl s_server -accept "127.0.0.1:$cport" -cert "$work/server.crt" -key "$work/server.key" \
  -cipher 'DEFAULT:@SECLEVEL=0' -quiet </dev/null >"$work/control.log" 2>&1 &
control_pid=$!
# sys_cleanup exits with the status it finds in $?: hand the test's on (set +e,
# or `(exit 1)` would end the trap before the cleanup).
trap 'rc=$?; set +e; kill "$control_pid" 2>/dev/null; (exit "$rc"); sys_cleanup' EXIT
for _ in $(seq 1 50); do
  timeout 5 openssl s_client -connect "127.0.0.1:$cport" </dev/null >/dev/null 2>&1 && break
  sleep 0.1
done
control=$(tls13_only_problems "$cport")
for v in tls1.0 tls1.1 tls1.2; do
  grep -qx "$v enabled=1" <<<"$control" ||
    sys_fail "the control server allows $v but sslscan did not see it; the scan is blind:
$control"
done
for flag in -tls1 -tls1_1 -tls1_2; do
  out=$(s_client_at "$cport" "$flag") ||
    sys_fail "openssl s_client $flag could not reach the control server; the probe is blind:
$(tail -n 5 <<<"$out")"
done
kill "$control_pid" 2>/dev/null || true
wait "$control_pid" 2>/dev/null || true
sys_log "control (OpenSSL s_server, all versions): the probes see $(tr '\n' ';' <<<"$control")"

# --- Keyhold. ---------------------------------------------------------------
sys_start_server
problems=$(tls13_only_problems "$port")
[ -z "$problems" ] || sys_fail "sslscan finds more than TLS 1.3:
$problems
$(cat "$work/scan.$port.xml")"
sys_log "sslscan: $(grep -o '<protocol [^>]*>' "$work/scan.$port.xml" | tr -s ' ' | tr '\n' ' ')"

for flag in -tls1 -tls1_1 -tls1_2; do
  if out=$(s_client_at "$port" "$flag"); then
    sys_fail "openssl s_client $flag completed a handshake:
$out"
  fi
  # The server's alert 70 (protocol_version), not a client-side refusal.
  grep -q 'alert protocol version' <<<"$out" ||
    sys_fail "openssl s_client $flag failed without the server's protocol_version alert:
$out"
  grep -q 'Cipher is (NONE)' <<<"$out" || sys_fail "openssl s_client $flag agreed on a cipher:
$out"
done
out=$(s_client_at "$port" -tls1_3) || sys_fail "openssl s_client -tls1_3 failed:
$out"
grep -q '^New, TLSv1.3, Cipher is TLS_' <<<"$out" || sys_fail "no TLS 1.3 session:
$out"
grep -q 'Verify return code: 0 (ok)' <<<"$out" || sys_fail "the certificate did not verify:
$out"

# Refused handshakes leave the server serving everyone else.
sys_expect_status 200 GET /v1/health/live >/dev/null
sys_log "PASS: only TLS 1.3 is offered (sslscan and openssl s_client)"
