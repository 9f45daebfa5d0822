#!/usr/bin/env bash
# bench/run.sh: the in-process figures of docs/performance.md, with their
# baseline measured in the same command. Runs `openssl speed` (AES-256-GCM,
# 32-byte messages, pre-keyed context, fixed IV: the raw primitive) and the
# keyring benchmarks, then prints each Keyhold figure as a ratio to it.
#
#   bench/run.sh            all benchmarks (the 1M-key store takes ~3 min to build)
#   bench/run.sh --quick    skip the 1M-key store
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps >/dev/null
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release --target keyring_bench >/dev/null

filter='.'
if [ "${1:-}" = "--quick" ]; then filter='^BM_(Wrap32|Unwrap32|AesGcmSeal32|UnwrapAmongKeys/1000|OpenAndUnseal/1000)$'; fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "openssl: $(openssl version)"

# openssl speed prints, for -bytes 32, thousands of bytes per second.
kbytes=$(openssl speed -seconds 3 -bytes 32 -evp aes-256-gcm 2>/dev/null | awk '/^AES-256-GCM|^aes-256-gcm/ {v=$NF} END {sub(/k$/,"",v); print v}')
baseline_ns=$(awk -v k="$kbytes" 'BEGIN {printf "%.1f", 32 / (k * 1000) * 1e9}')
echo "baseline: openssl speed aes-256-gcm, 32-byte messages: ${baseline_ns} ns per message"
echo

out=$(mktemp)
trap 'rm -f "$out" "$out.err"' EXIT
build/release/bench/keyring_bench --benchmark_filter="$filter" --benchmark_format=csv \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>"$out.err" > "$out" \
  || { cat "$out.err" >&2; exit 1; }

printf '%-34s %12s %10s\n' "benchmark (median of 3)" "ns per op" "x openssl"
awk -F, -v base="$baseline_ns" '
  $1 ~ /_median"?$/ {
    name=$1; gsub(/"/, "", name); sub(/_median$/, "", name)
    t=$3; unit=$5; gsub(/"/, "", unit)
    if (unit == "us") t *= 1000; else if (unit == "ms") t *= 1e6
    printf "%-34s %12.0f %10.1f\n", name, t, t / base
  }' "$out"
