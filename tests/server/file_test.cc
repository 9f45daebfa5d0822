// `keyhold encrypt` and `keyhold decrypt` against a real server: sizes 0,
// 1, C-1, C, C+1 and many chunks round trip; every tamper class is refused
// with exit code 1, a message, and no output file; a refusal by the server
// is exit code 2; one generate-data-key per file in the audit log; and a
// 1 GiB stream goes through `encrypt - - | decrypt - -` in pipes with each
// process under 64 MiB of peak memory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include "client/fd_io.h"
#include "crypto/stream_header.h"
#include "tests/server/server_fixture.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KEYHOLD_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define KEYHOLD_SANITIZED 1
#endif
#endif

namespace keyhold::kms {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kChunk = crypto::kDefaultStreamChunkSize;

struct CliResult {
  int exit_code = -1;
  std::string err;       // stderr
  long max_rss_kib = 0;  // peak resident memory of the process
};

std::vector<std::uint8_t> Random(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) {
    b = static_cast<std::uint8_t>(rng());
  }
  return v;
}

void WriteFile(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class FileCliTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    InitAndUnseal();
    ASSERT_EQ(
        Call(admin_token_, "POST", "/v1/keys", Json{{"tenant", "acme"}, {"name", "files"}}).status,
        201);
    app_ = Token("acme", {"app"});
    other_ = Token("beta", {"app"});
  }

  // Keyhold runs the CLI with `args`, stdin from `in_fd` and stdout to
  // `out_fd` (-1: /dev/null), and returns its exit code, stderr and peak RSS.
  CliResult Keyhold(const std::vector<std::string>& args, const std::string& token, int in_fd = -1,
                    int out_fd = -1) {
    return Exec(KEYHOLD_CLI_BINARY, args, token, in_fd, out_fd);
  }

  // Exec runs `binary` the same way, with `extra_env` added.
  CliResult Exec(const std::string& binary, const std::vector<std::string>& args,
                 const std::string& token, int in_fd = -1, int out_fd = -1,
                 const std::vector<std::string>& extra_env = {}) {
    std::vector<std::string> env = {"KEYHOLD_ADDR=" + Address(),
                                    "KEYHOLD_CACERT=" + pki_.ca_cert.string(),
                                    "KEYHOLD_TOKEN=" + token, "PATH=/usr/bin:/bin"};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    std::vector<std::string> argv_s = {binary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env) {
      envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    int err_pipe[2];
    EXPECT_EQ(::pipe2(err_pipe, O_CLOEXEC), 0);
    const int devnull_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int devnull_out = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    const pid_t pid = ::fork();
    if (pid == 0) {
      // Only async-signal-safe calls between fork and exec.
      ::dup2(in_fd >= 0 ? in_fd : devnull_in, STDIN_FILENO);
      ::dup2(out_fd >= 0 ? out_fd : devnull_out, STDOUT_FILENO);
      ::dup2(err_pipe[1], STDERR_FILENO);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(err_pipe[1]);
    ::close(devnull_in);
    ::close(devnull_out);
    CliResult r;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err_pipe[0], buf, sizeof(buf))) > 0) {
      r.err.append(buf, static_cast<std::size_t>(n));
    }
    ::close(err_pipe[0]);
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.max_rss_kib = usage.ru_maxrss;
    return r;
  }

  fs::path Path(const std::string& name) const { return dir_.path() / name; }

  CliResult Encrypt(const std::string& in, const std::string& out,
                    const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"encrypt", "--key", "acme/files", "--context", "file=" + in};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(Path(in).string());
    args.push_back(Path(out).string());
    return Keyhold(args, app_);
  }

  CliResult Decrypt(const std::string& in, const std::string& out,
                    const std::vector<std::string>& extra = {}, const std::string& token = "") {
    std::vector<std::string> args = {"decrypt"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(Path(in).string());
    args.push_back(Path(out).string());
    return Keyhold(args, token.empty() ? app_ : token);
  }

  // AuditCount counts outcome records of `operation` (a route suffix).
  int AuditCount(const std::string& route) {
    audit_->Flush();
    int count = 0;
    for (const auto& e : fs::directory_iterator(config_.audit_path)) {
      std::ifstream in(e.path());
      std::string line;
      while (std::getline(in, line)) {
        if (line.find("\"operation\":\"POST /v1/keys/{tenant}/{name}/" + route + "\"") !=
                std::string::npos &&
            line.find("\"type\":\"request\"") != std::string::npos) {
          ++count;
        }
      }
    }
    return count;
  }

  void ExpectRefused(const std::string& sealed, const std::vector<std::string>& extra = {},
                     int code = 1) {
    const CliResult r = Decrypt(sealed, "refused.out", extra);
    EXPECT_EQ(r.exit_code, code) << sealed << ": " << r.err;
    EXPECT_NE(r.err.find("keyhold: "), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(Path("refused.out"))) << sealed;
  }

  std::string app_;
  std::string other_;
};

TEST_F(FileCliTest, SizesThatMatterRoundTrip) {
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, kChunk - 1, kChunk, kChunk + 1, 5 * kChunk + 3}) {
    const std::string name = "f" + std::to_string(size);
    const auto plaintext = Random(size, static_cast<unsigned>(size));
    WriteFile(Path(name), plaintext);
    CliResult r = Encrypt(name, name + ".khs");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = Decrypt(name + ".khs", name + ".out", {"--context", "file=" + name, "--key", "acme/files"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadFile(Path(name + ".out")), plaintext) << size;
  }
  // One generate-data-key per file, one unwrap per decryption.
  EXPECT_EQ(AuditCount("generate-data-key"), 6);
  EXPECT_EQ(AuditCount("unwrap"), 6);
}

TEST_F(FileCliTest, EveryTamperClassIsRefusedWithNoOutput) {
  const auto plaintext = Random(3 * kChunk + 10, 1);
  WriteFile(Path("t"), plaintext);
  ASSERT_EQ(Encrypt("t", "t.khs").exit_code, 0);
  WriteFile(Path("u"), Random(3 * kChunk + 10, 2));
  ASSERT_EQ(Encrypt("u", "u.khs").exit_code, 0);
  const auto good = ReadFile(Path("t.khs"));
  const auto other = ReadFile(Path("u.khs"));
  const std::size_t header = *crypto::StreamHeaderSize(std::span(good).first(16));
  const std::size_t sealed = kChunk + 16;
  auto write = [&](const std::string& name, std::vector<std::uint8_t> bytes) {
    WriteFile(Path(name), bytes);
    return name;
  };
  auto flipped = good;
  flipped[header + sealed + 100] ^= 0x80;
  ExpectRefused(write("bit-flip", flipped));
  ExpectRefused(
      write("truncated", {good.begin(), good.begin() + static_cast<long>(header + 2 * sealed)}));
  ExpectRefused(write("cut-short", {good.begin(), good.end() - 1}));
  auto dropped = good;
  dropped.erase(dropped.begin() + static_cast<long>(header),
                dropped.begin() + static_cast<long>(header + sealed));
  ExpectRefused(write("dropped", dropped));
  auto swapped = good;
  std::swap_ranges(swapped.begin() + static_cast<long>(header),
                   swapped.begin() + static_cast<long>(header + sealed),
                   swapped.begin() + static_cast<long>(header + sealed));
  ExpectRefused(write("swapped", swapped));
  auto appended = good;
  appended.insert(appended.end(), {0, 1, 2});
  ExpectRefused(write("appended", appended));
  // The header of u (its own context, so the same length) with t's chunks.
  std::vector<std::uint8_t> mixed(other.begin(), other.begin() + static_cast<long>(header));
  mixed.insert(mixed.end(), good.begin() + static_cast<long>(header), good.end());
  ExpectRefused(write("headers-swapped", mixed));
  // What the caller expects: another context value, another key.
  ExpectRefused("t.khs", {"--context", "file=u"});
  ExpectRefused("t.khs", {"--key", "acme/other"});
  // The header's context rewritten ("file=t" -> "file=u"): the server
  // refuses to unwrap a data key under a context it was not bound to.
  auto recontext = good;
  const std::vector<std::uint8_t> entry = {'f', 'i', 'l', 'e', 0x00, 0x01, 't'};
  auto at = std::search(recontext.begin(), recontext.begin() + static_cast<long>(header),
                        entry.begin(), entry.end());
  ASSERT_NE(at, recontext.begin() + static_cast<long>(header));
  at[6] = 'u';  // the value, after "file" and its u16 length
  ExpectRefused(write("recontext", recontext), {}, 2);
  ExpectRefused("plain-text-is-not-sealed", {});  // missing file: exit 1
  // The untouched file still decrypts.
  const CliResult r = Decrypt("t.khs", "t.out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(Path("t.out")), plaintext);
}

TEST_F(FileCliTest, ARefusalByTheServerIsExitTwoAndLeavesNothing) {
  WriteFile(Path("p"), Random(100, 3));
  ASSERT_EQ(Encrypt("p", "p.khs").exit_code, 0);
  // Another tenant's token may not unwrap acme's data key.
  const CliResult other = Decrypt("p.khs", "p.out", {}, other_);
  EXPECT_EQ(other.exit_code, 2) << other.err;
  EXPECT_NE(other.err.find("forbidden"), std::string::npos) << other.err;
  EXPECT_FALSE(fs::exists(Path("p.out")));
  // Nor generate one under acme's key.
  const CliResult enc = Keyhold(
      {"encrypt", "--key", "acme/files", Path("p").string(), Path("q.khs").string()}, other_);
  EXPECT_EQ(enc.exit_code, 2) << enc.err;
  EXPECT_FALSE(fs::exists(Path("q.khs")));
  // A usage error is exit 1.
  EXPECT_EQ(Keyhold({"encrypt", "--key", "nokey", "a", "b"}, app_).exit_code, 1);
  EXPECT_EQ(Keyhold({"encrypt", Path("p").string(), Path("x").string()}, app_).exit_code, 1);
}

TEST_F(FileCliTest, TheExampleProgramSealsManyFilesWithOneDataKey) {
  // examples/encrypt_before_upload.cc, as docs/library.md shows it.
  std::vector<std::string> files = {"invoices-2026-12"};
  for (const char* name : {"a.txt", "b.bin", "c.pdf"}) {
    WriteFile(Path(name), Random(5000, static_cast<unsigned>(name[0])));
    files.push_back(Path(name).string());
  }
  const CliResult r = Exec(KEYHOLD_EXAMPLE_BINARY, files, app_, -1, -1, {"KEYHOLD_KEY=acme/files"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Three files of one batch (one context), one data key: the cache at work.
  EXPECT_EQ(AuditCount("generate-data-key"), 1);
  for (const char* name : {"a.txt", "b.bin", "c.pdf"}) {
    const std::string sealed = std::string(name) + ".khs";
    const CliResult d =
        Decrypt(sealed, std::string(name) + ".out",
                {"--context", "batch=invoices-2026-12", "--context", "app=uploader"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    EXPECT_EQ(ReadFile(Path(std::string(name) + ".out")), ReadFile(Path(name)));
    EXPECT_FALSE(fs::exists(Path(std::string(name) + ".check")));
  }
}

// Deterministic bytes of a long stream, made and checked block by block so
// that neither end holds the stream.
void FillBlock(std::uint64_t block, std::span<std::uint8_t> out) {
  std::uint64_t x = block * 0x9E3779B97F4A7C15ULL + 1;
  for (std::size_t i = 0; i + 8 <= out.size(); i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(out.data() + i, &x, 8);
  }
}

TEST_F(FileCliTest, AGibibyteStreamsThroughPipesInBoundedMemory) {
#ifdef KEYHOLD_SANITIZED
  GTEST_SKIP() << "peak memory means nothing under a sanitizer; the release stage runs this";
#endif
  constexpr std::size_t kBlock = 1 << 20;
  constexpr std::uint64_t kBlocks = 1024;  // 1 GiB
  // If a process fails, writing to its closed pipe must fail, not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  int plain[2], sealed[2], out[2];
  ASSERT_EQ(::pipe2(plain, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(sealed, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  std::thread source([&] {
    std::vector<std::uint8_t> block(kBlock);
    for (std::uint64_t b = 0; b < kBlocks; ++b) {
      FillBlock(b, block);
      if (!client::WriteAll(plain[1], block, "pipe").ok()) {
        break;
      }
    }
    ::close(plain[1]);
  });
  CliResult enc, dec;
  std::thread encrypt([&] {
    enc = Keyhold({"encrypt", "--key", "acme/files", "-", "-"}, app_, plain[0], sealed[1]);
    ::close(plain[0]);
    ::close(sealed[1]);
  });
  std::thread decrypt([&] {
    dec = Keyhold({"decrypt", "-", "-"}, app_, sealed[0], out[1]);
    ::close(sealed[0]);
    ::close(out[1]);
  });
  std::vector<std::uint8_t> want(kBlock), got(kBlock);
  std::uint64_t same = 0;
  for (std::uint64_t b = 0; b < kBlocks; ++b) {
    auto n = client::ReadFull(out[0], got, "pipe");
    if (!n.ok() || *n != kBlock) {
      break;
    }
    FillBlock(b, want);
    same += got == want ? 1 : 0;
  }
  std::uint8_t extra = 0;
  const auto trailing = client::ReadFull(out[0], std::span(&extra, 1), "pipe");
  ::close(out[0]);
  source.join();
  encrypt.join();
  decrypt.join();
  EXPECT_EQ(enc.exit_code, 0) << enc.err;
  EXPECT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_EQ(same, kBlocks);
  EXPECT_TRUE(trailing.ok() && *trailing == 0);
  // Constant memory: the chunk ring and the process, nowhere near the GiB.
  EXPECT_LE(enc.max_rss_kib, 64 * 1024);
  EXPECT_LE(dec.max_rss_kib, 64 * 1024);
  RecordProperty("encrypt_max_rss_kib", std::to_string(enc.max_rss_kib));
  RecordProperty("decrypt_max_rss_kib", std::to_string(dec.max_rss_kib));
}

}  // namespace
}  // namespace keyhold::kms
