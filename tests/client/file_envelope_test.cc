// Tests for client/file_envelope.h with in-process data keys
// (local_key_source.h); tests/server/file_test.cc runs the same through a
// real server and the CLI. Sizes 0, 1, C-1, C, C+1 and many chunks round
// trip through files and pipes with any number of workers. Every tamper
// class (bit flip, truncation, dropped, swapped, duplicated and appended
// chunks, headers swapped between two files, another context or key) is
// refused, with no output file and no temporary file left behind. One data
// key call per file.
#include "client/file_envelope.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include "client/fd_io.h"
#include "crypto/stream_cipher.h"
#include "tests/client/local_key_source.h"
#include "tests/testlib/temp_dir.h"

namespace keyhold::client {
namespace {

namespace fs = std::filesystem;
constexpr std::uint32_t kChunk = crypto::kMinStreamChunkSize;
constexpr std::size_t kSealedChunk = kChunk + crypto::kStreamTagSize;

std::vector<std::uint8_t> Random(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
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

crypto::KeyId Key(const char* text = "acme/files") {
  return crypto::KeyId::Parse(text).value();
}

crypto::EncryptionContext Ctx(const char* file = "a.pdf") {
  return crypto::EncryptionContext::Create({{"file", file}, {"tenant", "acme"}}).value();
}

class FileEnvelopeTest : public ::testing::Test {
 protected:
  fs::path Path(const std::string& name) const { return dir_.path() / name; }

  // Seal writes `plaintext` to a file and encrypts it; returns the sealed path.
  fs::path Seal(const std::string& name, const std::vector<std::uint8_t>& plaintext,
                const crypto::KeyId& key = Key(), const crypto::EncryptionContext& ctx = Ctx()) {
    WriteFile(Path(name), plaintext);
    const Status s = EncryptFile(keys_, key, ctx, Path(name), Path(name + ".khs"),
                                 {.chunk_size = kChunk, .workers = 3});
    EXPECT_TRUE(s.ok()) << s.error().message;
    return Path(name + ".khs");
  }

  // Refused checks that decrypting `sealed` fails with `code` and leaves no
  // output and no temporary file.
  void ExpectRefused(const fs::path& sealed, ErrorCode code, const DecryptOptions& options = {}) {
    const fs::path out = Path("refused.out");
    const Status s = DecryptFile(keys_, sealed, out, options);
    ASSERT_FALSE(s.ok()) << sealed;
    EXPECT_EQ(s.error().code, code) << s.error().message;
    EXPECT_FALSE(fs::exists(out));
    for (const auto& e : fs::directory_iterator(dir_.path())) {
      EXPECT_EQ(e.path().filename().string().find(".keyhold-"), std::string::npos) << e.path();
    }
  }

  keyhold::testing::TempDir dir_;
  testing::LocalKeySource keys_;
};

TEST_F(FileEnvelopeTest, SizesThatMatterRoundTripThroughFiles) {
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{kChunk - 1}, std::size_t{kChunk},
        std::size_t{kChunk + 1}, std::size_t{3 * kChunk}, std::size_t{300 * kChunk + 123}}) {
    const auto plaintext = Random(size, static_cast<unsigned>(size));
    const fs::path sealed = Seal("f" + std::to_string(size), plaintext);
    const auto bytes = ReadFile(sealed);
    // Header, then full chunks, then a short last chunk of at least a tag.
    const std::size_t header = *crypto::StreamHeaderSize(std::span(bytes).first(16));
    EXPECT_EQ(bytes.size(), header + (size / kChunk) * kSealedChunk + size % kChunk + 16) << size;
    const Status s = DecryptFile(keys_, sealed, Path("out"));
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(ReadFile(Path("out")), plaintext) << size;
  }
}

TEST_F(FileEnvelopeTest, TheDefaultChunkAndAnyWorkerCountAgree) {
  const auto plaintext = Random(3 * crypto::kDefaultStreamChunkSize + 5, 1);
  WriteFile(Path("big"), plaintext);
  ASSERT_TRUE(EncryptFile(keys_, Key(), Ctx(), Path("big"), Path("big.khs")).ok());
  for (unsigned workers : {1u, 2u, 8u}) {
    ASSERT_TRUE(DecryptFile(keys_, Path("big.khs"), Path("big.out"), {.workers = workers}).ok());
    EXPECT_EQ(ReadFile(Path("big.out")), plaintext) << workers;
  }
}

TEST_F(FileEnvelopeTest, OneDataKeyCallPerFile) {
  Seal("a", Random(10 * kChunk, 2));
  Seal("b", Random(10, 3));
  EXPECT_EQ(keys_.generated, 2);
  ASSERT_TRUE(DecryptFile(keys_, Path("a.khs"), Path("a.out")).ok());
  EXPECT_EQ(keys_.unwrapped, 1);
}

TEST_F(FileEnvelopeTest, StreamsRoundTripThroughPipes) {
  // plaintext -> encrypt -> decrypt -> sink, each stage a pipe, as in
  // `keyhold encrypt - - | keyhold decrypt - -`.
  const auto plaintext = Random(50 * kChunk + 7, 4);
  // A stage that fails closes its ends, so the others fail too instead of
  // blocking; writes to a closed pipe then fail with EPIPE, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  int a[2], b[2], c[2];
  ASSERT_EQ(::pipe(a), 0);
  ASSERT_EQ(::pipe(b), 0);
  ASSERT_EQ(::pipe(c), 0);
  std::thread source([&] {
    EXPECT_TRUE(WriteAll(a[1], plaintext, "pipe").ok());
    ::close(a[1]);
  });
  std::thread enc([&] {
    EXPECT_TRUE(EncryptStream(keys_, Key(), Ctx(), a[0], b[1], {.chunk_size = kChunk}).ok());
    ::close(a[0]);
    ::close(b[1]);
  });
  std::thread dec([&] {
    EXPECT_TRUE(DecryptStream(keys_, b[0], c[1]).ok());
    ::close(b[0]);
    ::close(c[1]);
  });
  std::vector<std::uint8_t> got(plaintext.size() + 1);
  auto n = ReadFull(c[0], got, "pipe");
  source.join();
  enc.join();
  dec.join();
  ASSERT_TRUE(n.ok());
  got.resize(*n);
  EXPECT_EQ(got, plaintext);
  ::close(c[0]);
}

TEST_F(FileEnvelopeTest, OutputAppearsWithMode0600AndReplacesAnOldFile) {
  WriteFile(Path("a.khs"), {1, 2, 3});
  Seal("a", Random(100, 5));
  struct stat st {};
  ASSERT_EQ(::stat(Path("a.khs").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(DecryptFile(keys_, Path("a.khs"), Path("a.out")).ok());
  EXPECT_EQ(ReadFile(Path("a.out")), Random(100, 5));
}

// Byte offsets of the chunks in a sealed file.
struct Layout {
  std::size_t header;
  std::size_t chunks;
  std::size_t Chunk(std::size_t i) const { return header + i * kSealedChunk; }
};

Layout LayoutOf(const std::vector<std::uint8_t>& sealed, std::size_t plaintext_size) {
  return {*crypto::StreamHeaderSize(std::span(sealed).first(16)), plaintext_size / kChunk + 1};
}

TEST_F(FileEnvelopeTest, EveryTamperClassIsRefusedWithNoOutput) {
  const auto plaintext = Random(3 * kChunk + 100, 6);
  const auto good = ReadFile(Seal("t", plaintext));
  const Layout l = LayoutOf(good, plaintext.size());
  ASSERT_EQ(l.chunks, 4u);
  auto refused = [&](const std::string& name, std::vector<std::uint8_t> bytes) {
    SCOPED_TRACE(name);
    WriteFile(Path(name), bytes);
    ExpectRefused(Path(name), ErrorCode::kInvalidCiphertext);
  };
  auto flip = [&](std::size_t at) {
    auto b = good;
    b[at] ^= 0x01;
    return b;
  };
  auto cut = [&](std::size_t from, std::size_t to) {  // remove [from, to)
    auto b = good;
    b.erase(b.begin() + static_cast<long>(from), b.begin() + static_cast<long>(to));
    return b;
  };
  refused("flip in the first chunk", flip(l.Chunk(0) + 5));
  refused("flip in a middle chunk's tag", flip(l.Chunk(2) + kSealedChunk - 1));
  refused("flip in the last chunk", flip(good.size() - 1));
  refused("flip in the salt", flip(l.header - 32 - 7 - 1));
  refused("flip in the commitment", flip(l.header - 1));
  refused("truncated to the header", cut(l.header, good.size()));
  refused("truncated at a chunk boundary", cut(l.Chunk(3), good.size()));
  refused("truncated inside the last chunk", cut(good.size() - 1, good.size()));
  refused("truncated inside the header", cut(20, good.size()));
  refused("a chunk dropped", cut(l.Chunk(1), l.Chunk(2)));
  {
    auto b = good;  // chunks 0 and 1 swapped
    std::swap_ranges(b.begin() + static_cast<long>(l.Chunk(0)),
                     b.begin() + static_cast<long>(l.Chunk(1)),
                     b.begin() + static_cast<long>(l.Chunk(1)));
    refused("two chunks swapped", b);
  }
  {
    auto b = good;  // chunk 0 twice
    b.insert(b.begin() + static_cast<long>(l.Chunk(1)),
             good.begin() + static_cast<long>(l.Chunk(0)),
             good.begin() + static_cast<long>(l.Chunk(1)));
    refused("a chunk duplicated", b);
  }
  {
    auto b = good;
    b.push_back(0);
    refused("one byte appended", b);
    b = good;
    b.insert(b.end(), good.begin() + static_cast<long>(l.Chunk(0)),
             good.begin() + static_cast<long>(l.Chunk(1)));
    refused("a chunk appended", b);
  }
  refused("empty file", {});
  // The untouched file still decrypts: the refusals were about the changes.
  WriteFile(Path("untouched"), good);
  ASSERT_TRUE(DecryptFile(keys_, Path("untouched"), Path("untouched.out")).ok());
  EXPECT_EQ(ReadFile(Path("untouched.out")), plaintext);
}

TEST_F(FileEnvelopeTest, HeadersSwappedBetweenTwoFilesAreRefused) {
  const auto a_plain = Random(2 * kChunk + 1, 7);
  const auto b_plain = Random(2 * kChunk + 1, 8);
  const auto a = ReadFile(Seal("a", a_plain));
  const auto b = ReadFile(Seal("b", b_plain));
  const Layout la = LayoutOf(a, a_plain.size());
  const Layout lb = LayoutOf(b, b_plain.size());
  std::vector<std::uint8_t> mixed(a.begin(), a.begin() + static_cast<long>(la.header));
  mixed.insert(mixed.end(), b.begin() + static_cast<long>(lb.header), b.end());
  WriteFile(Path("mixed"), mixed);
  ExpectRefused(Path("mixed"), ErrorCode::kInvalidCiphertext);
}

TEST_F(FileEnvelopeTest, AnotherContextOrKeyIsRefused) {
  const fs::path sealed = Seal("c", Random(100, 9), Key("acme/files"), Ctx("c.pdf"));
  // What the caller expects must be in the file's context.
  ExpectRefused(sealed, ErrorCode::kInvalidContext, {.expected_context = {{"file", "other.pdf"}}});
  ExpectRefused(sealed, ErrorCode::kInvalidContext, {.expected_context = {{"owner", "bob"}}});
  ExpectRefused(sealed, ErrorCode::kInvalidRequest, {.expected_key = Key("acme/other")});
  // A subset of the context, and the right key, are fine.
  ASSERT_TRUE(
      DecryptFile(keys_, sealed, Path("c.out"),
                  {.expected_key = Key("acme/files"), .expected_context = {{"file", "c.pdf"}}})
          .ok());

  // The header's context changed to another of the same length: the key
  // source refuses to unwrap the data key under a context it was not bound
  // to (the commitment, which also covers it, is never reached).
  auto bytes = ReadFile(sealed);
  const std::string from = "c.pdf";
  auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
  ASSERT_NE(at, bytes.end());
  *at = 'd';
  WriteFile(Path("other-context"), bytes);
  ExpectRefused(Path("other-context"), ErrorCode::kInvalidCiphertext);

  // The header's key id changed: the wrapped key names the real one.
  bytes = ReadFile(sealed);
  const std::string id = "acme/files";
  at = std::search(bytes.begin(), bytes.end(), id.begin(), id.end());
  ASSERT_NE(at, bytes.end());
  *(at + 5) = 'g';  // acme/giles
  WriteFile(Path("other-key"), bytes);
  ExpectRefused(Path("other-key"), ErrorCode::kInvalidCiphertext);
}

TEST_F(FileEnvelopeTest, AFileSealedUnderAnotherMasterKeyIsRefused) {
  const fs::path sealed = Seal("k", Random(100, 10));
  // The other master key cannot unwrap the data key.
  testing::LocalKeySource other(0x22);
  const Status s = DecryptFile(other, sealed, Path("k.out"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidCiphertext);
  EXPECT_FALSE(fs::exists(Path("k.out")));
}

TEST_F(FileEnvelopeTest, NotAnEncryptedFileIsSaidPlainly) {
  WriteFile(Path("plain.txt"), std::vector<std::uint8_t>(100, 'a'));
  const Status s = DecryptFile(keys_, Path("plain.txt"), Path("plain.out"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("not a file encrypted by keyhold"), std::string::npos);
}

TEST_F(FileEnvelopeTest, RefusalsAndMissingFilesLeaveNothingBehind) {
  WriteFile(Path("in"), Random(100, 11));
  keys_.refuse = true;
  Status s = EncryptFile(keys_, Key(), Ctx(), Path("in"), Path("in.khs"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kForbidden);
  EXPECT_FALSE(fs::exists(Path("in.khs")));
  keys_.refuse = false;
  s = EncryptFile(keys_, Key(), Ctx(), Path("missing"), Path("m.khs"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIoError);
  EXPECT_FALSE(fs::exists(Path("m.khs")));
  s = EncryptFile(keys_, Key(), Ctx(), Path("in"), Path("no-such-dir") / "x.khs");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIoError);
  // A directory as input fails on read, after the output was opened.
  s = EncryptFile(keys_, Key(), Ctx(), dir_.path(), Path("dir.khs"));
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(fs::exists(Path("dir.khs")));
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    EXPECT_EQ(e.path().filename().string().find(".keyhold-"), std::string::npos) << e.path();
  }
}

}  // namespace
}  // namespace keyhold::client
