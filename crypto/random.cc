#include "crypto/random.h"

#include <openssl/rand.h>
#include <sys/mman.h>  // layer-check: allow (memory mapping for the nonce buffer, no I/O)

#include <algorithm>
#include <climits>
#include <cstring>

namespace keyhold::crypto {

Status FillRandom(std::span<std::uint8_t> out) {
  // RAND_bytes takes an int length; requests are chunked so that no size
  // silently truncates.
  std::size_t done = 0;
  while (done < out.size()) {
    const std::size_t chunk = std::min<std::size_t>(out.size() - done, INT_MAX);
    if (RAND_bytes(out.data() + done, static_cast<int>(chunk)) != 1) {
      Wipe(out);
      return MakeError(ErrorCode::kCryptoFailure, "random generator failure");
    }
    done += chunk;
  }
  return Status::Ok();
}

namespace {

constexpr std::size_t kNoncePage = 4096;
constexpr std::size_t kMaxNonceRequest = 64;

// One page per thread: `remaining` lives in the page itself, so
// MADV_WIPEONFORK zeroes it together with the bytes in a forked child.
struct NoncePage {
  std::uint32_t remaining;
  std::uint8_t bytes[kNoncePage - sizeof(std::uint32_t)];
};
static_assert(sizeof(NoncePage) == kNoncePage);

class NonceBuffer {
 public:
  NonceBuffer() {
    void* p =
        ::mmap(nullptr, kNoncePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      return;
    }
    if (::madvise(p, kNoncePage, MADV_WIPEONFORK) != 0) {
      ::munmap(p, kNoncePage);  // no fork safety: do not buffer at all
      return;
    }
    (void)::madvise(p, kNoncePage, MADV_DONTDUMP);
    page_ = static_cast<NoncePage*>(p);
  }
  ~NonceBuffer() {
    if (page_ != nullptr) {
      Wipe({reinterpret_cast<std::uint8_t*>(page_), kNoncePage});
      ::munmap(page_, kNoncePage);
    }
  }
  NonceBuffer(const NonceBuffer&) = delete;
  NonceBuffer& operator=(const NonceBuffer&) = delete;

  Status Fill(std::span<std::uint8_t> out) {
    if (page_ == nullptr) {
      return FillRandom(out);
    }
    if (page_->remaining < out.size()) {
      KEYHOLD_TRY(FillRandom(page_->bytes));
      page_->remaining = sizeof(page_->bytes);
    }
    // Hand out from the end and erase what was handed out: no byte is used
    // twice, and none stays in memory after use.
    std::uint8_t* from = page_->bytes + page_->remaining - out.size();
    std::memcpy(out.data(), from, out.size());
    Wipe({from, out.size()});
    page_->remaining -= static_cast<std::uint32_t>(out.size());
    return Status::Ok();
  }

 private:
  NoncePage* page_ = nullptr;
};

}  // namespace

Status FillNonce(std::span<std::uint8_t> out) {
  if (out.size() > kMaxNonceRequest) {
    return FillRandom(out);
  }
  thread_local NonceBuffer buffer;
  return buffer.Fill(out);
}

Result<std::vector<std::uint8_t>> RandomBytes(std::size_t size) {
  std::vector<std::uint8_t> out(size);
  KEYHOLD_TRY(FillRandom(out));
  return out;
}

Result<SecretBytes> RandomSecret(std::size_t size) {
  KEYHOLD_ASSIGN_OR_RETURN(SecretBytes s, SecretBytes::Allocate(size));
  KEYHOLD_TRY(FillRandom(s.RevealMutable(SecretAccess::Get())));
  return s;
}

}  // namespace keyhold::crypto
