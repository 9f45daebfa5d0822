#!/usr/bin/env bash
# bench/file.sh: `keyhold encrypt` and `keyhold decrypt` on files of 1 GiB
# and 8 GiB, against `cp` and `age` on the same file, in one command. Each
# tool runs under /usr/bin/time -v for its wall time and peak RSS. keyhold
# syncs its output before renaming it (docs/library.md) and cp does not, so
# `cp + sync` (cp, then sync of that one file) is shown too: it is the copy
# that is as durable as keyhold's output. The input is read once first, so
# every tool starts from a warm page cache. Everything runs on 127.0.0.1 in
# a temporary directory, on the disk of $BENCH_DIR (default $TMPDIR or
# /tmp), and stops by itself; it needs about three times the largest size
# free there, and skips a size that does not fit.
#
#   bench/file.sh                 1 GiB and 8 GiB, each tool 3 times
#   FILE_SIZES_GIB="1" FILE_REPS=5 bench/file.sh
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${FILE_SIZES_GIB:-1 8}"
reps="${FILE_REPS:-3}"

source bench/bench_server.sh
bench_setup age time
bench_start_keyhold
KEYHOLD_TOKEN="$admin" "$bin" key create bench/files >/dev/null
export KEYHOLD_TOKEN
KEYHOLD_TOKEN=$(KEYHOLD_TOKEN="$admin" "$bin" token create --principal bench --tenant bench \
  --role app | sed -n 's/^token: *//p')
age-keygen -o "$work/age.key" 2>/dev/null
recipient=$(age-keygen -y "$work/age.key")

# timed NAME COMMAND...: runs COMMAND under /usr/bin/time -v and prints
# "NAME wall_seconds peak_rss_kib".
timed() {
  local name=$1
  shift
  /usr/bin/time -v -o "$work/time.txt" "$@"
  awk -v name="$name" '
    /Elapsed \(wall clock\)/ {
      n = split($NF, p, ":"); s = 0
      for (i = 1; i <= n; i++) s = s * 60 + p[i]
    }
    /Maximum resident set size/ { rss = $NF }
    END { printf "%s %.2f %d\n", name, s, rss }' "$work/time.txt"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "disk: $(df -h --output=source,fstype,avail "$work" | tail -1)"
echo "tools: $(cp --version | head -1), age $(age --version), $(openssl version)"
for gib in $sizes; do
  need_kib=$((gib * 3 * 1024 * 1024 + 1024 * 1024))
  avail_kib=$(df -k --output=avail "$work" | tail -1)
  if ((avail_kib < need_kib)); then
    echo
    echo "== $gib GiB: skipped, $((avail_kib / 1024 / 1024)) GiB free in $work"
    continue
  fi
  in="$work/in.bin"
  # Incompressible input, fast: AES-CTR over zeros (openssl is stopped by
  # SIGPIPE when head has enough, which is not a failure).
  (openssl enc -aes-256-ctr -nosalt -pass pass:keyhold-bench -in /dev/zero 2>/dev/null || true) |
    head -c "$((gib * 1024 * 1024 * 1024))" >"$in"
  sync "$in"
  cat "$in" >/dev/null
  echo
  echo "== $gib GiB ($(stat -c %s "$in") bytes), warm page cache"
  # Each tool runs $reps times, the tools interleaved, each run starting
  # with no dirty pages (sync) so that none pays for another's writeback;
  # the median wall time is reported.
  : >"$work/results.txt"
  for _ in $(seq 1 "$reps"); do
    {
      sync
      timed cp cp "$in" "$work/out.cp"
      rm -f "$work/out.cp"
      sync
      timed cp+sync sh -c 'cp "$1" "$2" && sync "$2"' sh "$in" "$work/out.cp"
      rm -f "$work/out.cp"
      sync
      timed age age -r "$recipient" -o "$work/out.age" "$in"
      rm -f "$work/out.age"
      sync
      timed keyhold-encrypt "$bin" encrypt --key bench/files --context bench=file "$in" "$work/out.khs"
      sync
      timed keyhold-decrypt "$bin" decrypt --context bench=file "$work/out.khs" "$work/out.dec"
      # The same without the disk: read, compute, discard.
      timed cat-null sh -c 'cat "$1" >/dev/null' sh "$in"
      timed age-null sh -c 'age -r "$1" "$2" >/dev/null' sh "$recipient" "$in"
      timed encrypt-null sh -c '"$1" encrypt --key bench/files --context bench=file "$2" - >/dev/null' \
        sh "$bin" "$in"
      timed decrypt-null sh -c '"$1" decrypt "$2" - >/dev/null' sh "$bin" "$work/out.khs"
    } >>"$work/results.txt"
    cmp "$in" "$work/out.dec" || { echo "decrypted output differs from the input" >&2; exit 1; }
    rm -f "$work/out.khs" "$work/out.dec"
  done
  rm -f "$in"
  sort -k1,1 -k2,2n "$work/results.txt" | awk -v reps="$reps" -v gib="$gib" '
    { n[$1]++; w[$1, n[$1]] = $2; if ($3 > rss[$1]) rss[$1] = $3 }
    END {
      split("cp cp+sync age keyhold-encrypt keyhold-decrypt", order, " ")
      for (i = 1; i <= 5; i++) med[order[i]] = w[order[i], int((reps + 1) / 2)]
      printf "to the disk       %8s %9s %12s %13s   (median of %d)\n", "wall s", "x cp", "x cp+sync", "peak RSS MiB", reps
      for (i = 1; i <= 5; i++) {
        t = order[i]
        printf "%-16s  %8.2f %9.2f %12.2f %13.1f\n", t, med[t], med[t] / med["cp"], med[t] / med["cp+sync"], rss[t] / 1024
      }
      split("cat-null age-null encrypt-null decrypt-null", order2, " ")
      for (i = 1; i <= 4; i++) med[order2[i]] = w[order2[i], int((reps + 1) / 2)]
      printf "to /dev/null      %8s %9s %12s %13s\n", "wall s", "x cat", "GiB/s", "peak RSS MiB"
      for (i = 1; i <= 4; i++) {
        t = order2[i]
        printf "%-16s  %8.2f %9.2f %12.2f %13.1f\n", t, med[t], med[t] / med["cat-null"], gib / med[t], rss[t] / 1024
      }
    }'

done
echo
echo "targets: keyhold encrypt wall <= 1.15 x cp, peak RSS <= 64 MiB, faster than age"
