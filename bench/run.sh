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
build=${BENCH_BUILD:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target keyring_bench >/dev/null

filter='.'
if [ "${1:-}" = "--quick" ]; then filter='^BM_(Wrap32|Unwrap32|AesGcmSeal32|UnwrapAmongKeys/1000|UnwrapLatency/1000|OpenAndUnseal/1000)$'; fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "openssl: $(openssl version)"

# openssl speed prints, for -bytes 32, thousands of bytes per second.
kbytes=$(openssl speed -seconds 3 -bytes 32 -evp aes-256-gcm 2>/dev/null | awk '/^AES-256-GCM|^aes-256-gcm/ {v=$NF} END {sub(/k$/,"",v); print v}')
baseline_ns=$(awk -v k="$kbytes" 'BEGIN {printf "%.1f", 32 / (k * 1000) * 1e9}')
echo "baseline: openssl speed aes-256-gcm, 32-byte messages: ${baseline_ns} ns per message"
echo

out=$(mktemp)
trap 'rm -f "$out" "$out.err"' EXIT
# JSON, not CSV: the CSV reporter wants every benchmark to have the same
# counters. Google Benchmark writes one field per line, which awk reads.
"$build"/bench/keyring_bench --benchmark_filter="$filter" --benchmark_format=json \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>"$out.err" > "$out" \
  || { cat "$out.err" >&2; exit 1; }

# Per median row: the time as a ratio to the baseline, then any counters
# (the fields after time_unit: latency percentiles, memory).
printf '%-34s %12s %10s  %s\n' "benchmark (median of 3)" "ns per op" "x openssl" "counters"
awk -v base="$baseline_ns" '
  function flush() {
    if (name ~ /_median$/) {
      n = name; sub(/_median$/, "", n)
      t = time; if (unit == "us") t *= 1000; else if (unit == "ms") t *= 1e6
      printf "%-34s %12.0f %10.1f  %s\n", n, t, t / base, counters
    }
    name = ""; counters = ""; after_unit = 0
  }
  /^ *\{ *$/ { flush(); next }
  {
    line = $0; gsub(/^ +|,$/, "", line)
    split(line, kv, /": /); key = kv[1]; gsub(/"/, "", key); value = kv[2]; gsub(/"/, "", value)
    if (key == "name") name = value
    else if (key == "real_time") time = value + 0
    else if (key == "time_unit") { unit = value; after_unit = 1 }
    else if (after_unit && value ~ /^[-0-9.e+]+$/) counters = counters sprintf("%s=%.0f ", key, value)
  }
  END { flush() }' "$out"
