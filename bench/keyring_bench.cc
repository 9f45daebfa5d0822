// In-process cost of the key operations, measured on a real LMDB store.
// The stores live on /dev/shm when it exists, so that creating a million keys
// for the lookup benchmarks does not take a million disk syncs; reads (what
// the lookup benchmarks measure) are served from memory either way.
// Run through bench/run.sh, which prints the ratio to `openssl speed`.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "crypto/aes_gcm.h"
#include "crypto/random.h"
#include "kms/key_service.h"

namespace keyhold {
namespace {

std::filesystem::path ScratchRoot() {
  return std::filesystem::is_directory("/dev/shm") ? "/dev/shm"
                                                   : std::filesystem::temp_directory_path();
}

// A store with `count` keys under tenants t0..t(count/100), kept for the whole
// run (building a million keys takes a while; each size is built once).
struct Fixture {
  std::filesystem::path dir;
  kms::KeyServiceOptions options;
  std::unique_ptr<kms::KeyService> service;
  std::shared_ptr<kms::Keyring> ring;
  std::vector<crypto::KeyId> sample;  // keys spread over the whole key space
  std::vector<std::vector<std::uint8_t>> blobs;
  crypto::EncryptionContext context;

  explicit Fixture(std::size_t count) {
    std::string tmpl = (ScratchRoot() / "keyhold-bench-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    kms::KeyServiceOptions& o = options;
    o.store.dir = dir / "store";
    o.store.map_size_bytes = std::size_t{8} << 30;
    o.seal.dev_mode = true;
    service = kms::KeyService::Open(o).value();
    kms::InitRequest req;
    req.method = kms::SealMethod::kKeyFile;
    req.key_file = dir / "unseal.key";
    (void)service->Init(std::move(req)).value();
    if (!service->UnsealWithKeyFile(dir / "unseal.key").ok()) {
      std::abort();
    }
    ring = service->keyring().value();
    context =
        crypto::EncryptionContext::Create({{"bucket", "invoices"}, {"object", "2026/11/a.pdf"}})
            .value();
    // The same number of keys in use for every store size, so that only the
    // size of the store differs between runs.
    const std::size_t stride = std::max<std::size_t>(1, count / 1000);
    for (std::size_t i = 0; i < count; ++i) {
      auto id =
          crypto::KeyId::Create("t" + std::to_string(i / 100), "k" + std::to_string(i)).value();
      if (!ring->CreateKey(id, {0}).ok()) {
        std::abort();
      }
      if (i % stride == 0) {
        sample.push_back(id);
      }
    }
    // Restart, so lookups start from the store, not from what creation cached.
    ring.reset();
    service.reset();
    service = kms::KeyService::Open(o).value();
    if (!service->UnsealWithKeyFile(dir / "unseal.key").ok()) {
      std::abort();
    }
    ring = service->keyring().value();
    const auto dk = crypto::RandomBytes(32).value();
    for (const auto& id : sample) {
      blobs.push_back(ring->Wrap(id, dk, context).value().ciphertext);
    }
  }
  ~Fixture() {
    ring.reset();
    service.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& Get(std::size_t count) {
  static std::map<std::size_t, std::unique_ptr<Fixture>> fixtures;
  auto& f = fixtures[count];
  if (!f) {
    f = std::make_unique<Fixture>(count);
  }
  return *f;
}

// Wrap of a 32-byte data key with a two-entry context, including the
// durable encryption count (one sync per 65,536 wraps).
void BM_Wrap32(benchmark::State& state) {
  Fixture& f = Get(1000);
  const auto dk = crypto::RandomBytes(32).value();
  const auto& id = f.sample.front();
  for (auto _ : state) {
    auto r = f.ring->Wrap(id, dk, f.context);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Wrap32);

void BM_Unwrap32(benchmark::State& state) {
  Fixture& f = Get(1000);
  for (auto _ : state) {
    auto r = f.ring->Unwrap(f.sample.front(), f.blobs.front(), f.context);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Unwrap32);

// Unwrap cycling over 1,000 keys spread over a store of N keys: lookup cost
// against the number of keys (the first pass loads each key, the rest hit
// the cache, as in a long-running service).
void BM_UnwrapAmongKeys(benchmark::State& state) {
  Fixture& f = Get(static_cast<std::size_t>(state.range(0)));
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++ % f.sample.size();
    auto r = f.ring->Unwrap(f.sample[k], f.blobs[k], f.context);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_UnwrapAmongKeys)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// Unwrap latency, each call timed, cycling over the same 1,000 keys in a
// store of N keys (N / 100 tenants), once every key is cached: the p50 and
// p99 (counters p50_ns, p99_ns) show whether a larger store or more tenants
// lengthen the tail, where the mean of BM_UnwrapAmongKeys would hide it.
void BM_UnwrapLatency(benchmark::State& state) {
  Fixture& f = Get(static_cast<std::size_t>(state.range(0)));
  for (std::size_t k = 0; k < f.sample.size(); ++k) {  // warm: load every key
    benchmark::DoNotOptimize(f.ring->Unwrap(f.sample[k], f.blobs[k], f.context));
  }
  std::vector<std::int64_t> ns;
  ns.reserve(1 << 20);
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++ % f.sample.size();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = f.ring->Unwrap(f.sample[k], f.blobs[k], f.context);
    const auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(r);
    if (ns.size() < ns.capacity()) {
      ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    }
  }
  std::sort(ns.begin(), ns.end());
  const auto at = [&](double q) {
    return ns.empty() ? 0.0
                      : static_cast<double>(ns[static_cast<std::size_t>(q * (ns.size() - 1))]);
  };
  state.counters["p50_ns"] = at(0.50);
  state.counters["p99_ns"] = at(0.99);
}
BENCHMARK(BM_UnwrapLatency)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// RssAnonKib reads the process's anonymous resident memory: the heap and the
// guarded key memory, without the store's mapped file pages (which the
// kernel may drop and reread at will). The process's RSS as a whole is this
// plus the store's pages in use.
long RssAnonKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssAnon:", 0) == 0) {
      return std::stol(line.substr(8));
    }
  }
  return -1;
}

// Memory against the number of keys in use: from a fresh start on the 1M-key
// store, a wrap under each of N keys spread over the store (each loads the
// key's record and its primary version's material, which then stay cached).
// Counters: anon_mib (resident anonymous memory after), bytes_per_key (its
// growth over the N keys).
void BM_MemoryForKeysInUse(benchmark::State& state) {
  Fixture& f = Get(1000000);
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto dk = crypto::RandomBytes(32).value();
  long before = 0;
  long after = 0;
  for (auto _ : state) {
    state.PauseTiming();
    f.ring.reset();
    f.service.reset();
    f.service = kms::KeyService::Open(f.options).value();
    if (!f.service->UnsealWithKeyFile(f.dir / "unseal.key").ok()) {
      std::abort();
    }
    f.ring = f.service->keyring().value();
    ::malloc_trim(0);  // what the last run (or building the store) freed goes back first
    before = RssAnonKib();
    state.ResumeTiming();
    const std::size_t stride = 1000000 / n;
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t i = j * stride;
      auto id =
          crypto::KeyId::Create("t" + std::to_string(i / 100), "k" + std::to_string(i)).value();
      if (!f.ring->Wrap(id, dk, f.context).ok()) {
        std::abort();
      }
    }
    state.PauseTiming();
    after = RssAnonKib();
    state.ResumeTiming();
  }
  state.counters["anon_mib"] = static_cast<double>(after) / 1024;
  state.counters["bytes_per_key"] =
      static_cast<double>(after - before) * 1024 / static_cast<double>(n);
}
BENCHMARK(BM_MemoryForKeysInUse)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Start-up: open the store and unseal it (dev key file), with N keys in the
// store. Keys are loaded on first use, so this should not grow with N.
void BM_OpenAndUnseal(benchmark::State& state) {
  Fixture& f = Get(static_cast<std::size_t>(state.range(0)));
  f.ring.reset();
  f.service.reset();
  for (auto _ : state) {
    auto service = kms::KeyService::Open(f.options);
    if (!service.ok() || !(*service)->UnsealWithKeyFile(f.dir / "unseal.key").ok()) {
      std::abort();
    }
    state.PauseTiming();
    service->reset();  // closing is not start-up
    state.ResumeTiming();
  }
  f.service = kms::KeyService::Open(f.options).value();
  if (!f.service->UnsealWithKeyFile(f.dir / "unseal.key").ok()) {
    std::abort();
  }
  f.ring = f.service->keyring().value();
}
BENCHMARK(BM_OpenAndUnseal)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// The primitive alone: AES-256-GCM seal of 32 bytes with a fresh random
// nonce, for comparison with `openssl speed` in the same run.
void BM_AesGcmSeal32(benchmark::State& state) {
  auto key = crypto::RandomSecret(32).value();
  auto aead = crypto::Aes256Gcm::Create(key).value();
  const auto pt = crypto::RandomBytes(32).value();
  const std::vector<std::uint8_t> aad(64, 1);
  std::vector<std::uint8_t> out;
  out.reserve(128);
  for (auto _ : state) {
    out.clear();
    if (!aead->Seal(pt, aad, &out).ok()) {
      std::abort();
    }
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_AesGcmSeal32);

}  // namespace
}  // namespace keyhold

BENCHMARK_MAIN();
