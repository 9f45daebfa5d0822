#!/usr/bin/env bash
# DESIGN.md invariants 1 and 2 at the process level: no secret can leave the
# running server through a core dump or another process's reads, and its
# secret memory is locked and excluded from dumps.
#
# The server starts from a shell that allows core dumps (ulimit -c
# unlimited), so what it shows is its own doing (kms/server/run.cc,
# HardenProcess), and is initialised and unsealed (keys in memory). Checked:
#   1. /proc/PID/limits: "Max core file size" is 0 soft and 0 hard
#      (setrlimit(RLIMIT_CORE, {0, 0})).
#   2. It is not dumpable (prctl(PR_SET_DUMPABLE, 0)). No /proc file shows
#      the flag, so the test observes what it does: a process of the same
#      user, with the same capabilities and without CAP_SYS_PTRACE, can open
#      /proc/PID/mem of a dumpable control process but not the server's.
#      (As root, the server, the control and the reader all run under
#      setpriv without CAP_SYS_PTRACE, which would otherwise bypass the
#      check.) Not as root, the server's /proc files also belong to root.
#   3. /proc/PID/smaps: some mappings are locked and marked "do not dump"
#      (VmFlags lo and dd: the secure pool that holds keys and tokens).
#   4. A crash writes no core: a dumpable control process killed by
#      SIGSEGV in the same kind of directory leaves a core file there (so
#      this machine's core_pattern writes files the test can see); the
#      server killed by SIGSEGV leaves none.
# A check whose observable this machine does not give (no setpriv, a piped
# core_pattern) is reported as not checked; the others still run.
#
# Run time: about 3 s. Run: bash tests/system/hygiene_test.sh BUILD/cli/keyhold
set -euo pipefail
source "$(dirname "$0")/system_lib.sh"
sys_setup "$@"

# The environment allows core dumps: a 0 the server shows is its own.
ulimit -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"

# As root, every process of the test runs without CAP_SYS_PTRACE (see 2).
drop=()
if [ "$(id -u)" = 0 ] &&
  setpriv --bounding-set=-sys_ptrace --inh-caps=-sys_ptrace -- true 2>/dev/null; then
  drop=(setpriv --bounding-set=-sys_ptrace --inh-caps=-sys_ptrace --)
fi
# run_dropped CMD...: CMD with the test's reduced capabilities.
run_dropped() { "${drop[@]+"${drop[@]}"}" "$@"; }

mkdir -p "$work/server-cwd" "$work/control-cwd"
cd "$work/server-cwd" # where a relative core_pattern would put the server's core
SYS_PREFIX=("${drop[@]+"${drop[@]}"}")
sys_start_server
sys_init
sys_expect_status 201 POST /v1/keys '{"tenant":"acme","name":"hygiene"}' >/dev/null
not_checked=()

# 1. The core-file limit.
read -r core_soft core_hard < <(awk '/^Max core file size/ { print $5, $6 }' "/proc/$kpid/limits")
if [ "$core_soft" != 0 ] || [ "$core_hard" != 0 ]; then
  sys_fail "the server's core file size limit is $core_soft (soft) / $core_hard (hard), not 0 / 0"
fi
sys_log "1. Max core file size: soft $core_soft, hard $core_hard (the shell allowed $(ulimit -c))"

# 2. Not dumpable.
# A simple command, so that $! is sleep itself (setpriv execs it), not a
# subshell with every capability.
"${drop[@]+"${drop[@]}"}" sleep 60 &
control=$!
# sys_cleanup exits with the status it finds in $? (see tls_scan_test.sh).
trap 'rc=$?; set +e; kill "$control" 2>/dev/null; (exit "$rc"); sys_cleanup' EXIT
sleep 0.2
# shellcheck disable=SC2016 # $1 is the inner shell's
can_open_mem() { run_dropped bash -c 'exec 3<"/proc/$1/mem"' _ "$1" 2>/dev/null; }
if can_open_mem "$control"; then
  if can_open_mem "$kpid"; then
    sys_fail "a process of the same user and capabilities opened /proc/$kpid/mem: the server is dumpable"
  fi
  sys_log "2. /proc/PID/mem: the control's opens, the server's is refused (not dumpable)"
else
  not_checked+=("2 (no process of the test can open even a dumpable process's /proc/PID/mem)")
fi
if [ "$(id -u)" != 0 ]; then
  owner=$(stat -c %u "/proc/$kpid/environ")
  [ "$owner" = 0 ] || sys_fail "the server's /proc files belong to uid $owner, not root: it is dumpable"
fi
kill "$control" 2>/dev/null || true
wait "$control" 2>/dev/null || true

# 3. Locked, not-dumped memory.
if smaps=$(cat "/proc/$kpid/smaps" 2>/dev/null); then
  guarded=$(grep '^VmFlags:' <<<"$smaps" | grep -c ' lo .*dd\| dd .*lo' || true)
  [ "$guarded" -ge 1 ] ||
    sys_fail "no mapping of the server is both locked and excluded from dumps (VmFlags lo, dd)"
  sys_log "3. smaps: $guarded mappings locked and excluded from dumps"
else
  not_checked+=("3 (/proc/PID/smaps of the server is not readable: needs CAP_SYS_PTRACE)")
fi

# 4. A crash writes no core.
cores_in() { find "$1" -maxdepth 1 -name 'core*' | wc -l; }
pattern=$(cat /proc/sys/kernel/core_pattern)
(
  cd "$work/control-cwd"
  exec bash -c 'ulimit -c unlimited 2>/dev/null; exec sleep 60'
) &
crasher=$!
sleep 0.2
kill -SEGV "$crasher"
wait "$crasher" 2>/dev/null || true
if [ "$(cores_in "$work/control-cwd")" -ge 1 ]; then
  kill -SEGV "$kpid"
  status=0
  wait "$kpid" 2>/dev/null || status=$?
  kpid=
  [ "$status" = 139 ] || sys_fail "the server did not die of SIGSEGV (status $status)"
  [ "$(cores_in "$work/server-cwd")" = 0 ] ||
    sys_fail "the server left a core file: $(ls "$work/server-cwd")"
  sys_log "4. SIGSEGV: the control left a core file (core_pattern '$pattern'), the server none"
else
  not_checked+=("4 (core_pattern '$pattern' writes no core file in the process's directory)")
fi

for n in "${not_checked[@]+"${not_checked[@]}"}"; do
  sys_log "not checked on this machine: $n"
done
sys_log "PASS: no core dumps, not dumpable, secret memory locked and not dumped"
