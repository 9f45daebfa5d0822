// ByteReader and ByteWriter: the one bounds-checked way to parse and build
// Keyhold's binary formats (wrapped blob, shares, store records). Integers are
// big-endian. A read past the end never touches memory outside the input: it
// returns false and the reader stays failed. Thread-compatible. May include:
// std only.
#ifndef KEYHOLD_CRYPTO_BYTE_READER_H_
#define KEYHOLD_CRYPTO_BYTE_READER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace keyhold::crypto {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> input) : input_(input) {}

  // Each Read* returns false (and consumes nothing) when fewer bytes remain
  // than it needs, or when an earlier read failed.
  bool ReadU8(std::uint8_t* out);
  bool ReadU16(std::uint16_t* out);
  bool ReadU32(std::uint32_t* out);
  bool ReadU64(std::uint64_t* out);
  // ReadBytes views the next `n` bytes of the input (no copy).
  bool ReadBytes(std::size_t n, std::span<const std::uint8_t>* out);
  // ReadString copies the next `n` bytes into a string.
  bool ReadString(std::size_t n, std::string* out);

  std::size_t remaining() const { return failed_ ? 0 : input_.size() - pos_; }
  std::size_t position() const { return pos_; }
  // Done is true when every byte was consumed and no read failed: parsers
  // call it last so that trailing bytes are refused.
  bool Done() const { return !failed_ && pos_ == input_.size(); }
  bool failed() const { return failed_; }

 private:
  bool Take(std::size_t n, std::span<const std::uint8_t>* out);
  std::span<const std::uint8_t> input_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>* out) : out_(out) {}
  void PutU8(std::uint8_t v) { out_->push_back(v); }
  void PutU16(std::uint16_t v);
  void PutU32(std::uint32_t v);
  void PutU64(std::uint64_t v);
  void PutBytes(std::span<const std::uint8_t> bytes);
  void PutString(std::string_view s);

 private:
  std::vector<std::uint8_t>* out_;
};

}  // namespace keyhold::crypto

#endif  // KEYHOLD_CRYPTO_BYTE_READER_H_
