#include "crypto/byte_reader.h"

namespace keyhold::crypto {

bool ByteReader::Take(std::size_t n, std::span<const std::uint8_t>* out) {
  if (failed_ || n > input_.size() - pos_) {
    failed_ = true;
    return false;
  }
  *out = input_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool ByteReader::ReadU8(std::uint8_t* out) {
  std::span<const std::uint8_t> b;
  if (!Take(1, &b)) {
    return false;
  }
  *out = b[0];
  return true;
}

bool ByteReader::ReadU16(std::uint16_t* out) {
  std::uint64_t v = 0;
  std::span<const std::uint8_t> b;
  if (!Take(2, &b)) {
    return false;
  }
  for (std::uint8_t byte : b) {
    v = (v << 8) | byte;
  }
  *out = static_cast<std::uint16_t>(v);
  return true;
}

bool ByteReader::ReadU32(std::uint32_t* out) {
  std::uint64_t v = 0;
  std::span<const std::uint8_t> b;
  if (!Take(4, &b)) {
    return false;
  }
  for (std::uint8_t byte : b) {
    v = (v << 8) | byte;
  }
  *out = static_cast<std::uint32_t>(v);
  return true;
}

bool ByteReader::ReadU64(std::uint64_t* out) {
  std::uint64_t v = 0;
  std::span<const std::uint8_t> b;
  if (!Take(8, &b)) {
    return false;
  }
  for (std::uint8_t byte : b) {
    v = (v << 8) | byte;
  }
  *out = v;
  return true;
}

bool ByteReader::ReadBytes(std::size_t n, std::span<const std::uint8_t>* out) {
  return Take(n, out);
}

bool ByteReader::ReadString(std::size_t n, std::string* out) {
  std::span<const std::uint8_t> b;
  if (!Take(n, &b)) {
    return false;
  }
  out->assign(b.begin(), b.end());
  return true;
}

void ByteWriter::PutU16(std::uint16_t v) {
  out_->push_back(static_cast<std::uint8_t>(v >> 8));
  out_->push_back(static_cast<std::uint8_t>(v));
}

void ByteWriter::PutU32(std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out_->push_back(static_cast<std::uint8_t>(v >> shift));
  }
}

void ByteWriter::PutU64(std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out_->push_back(static_cast<std::uint8_t>(v >> shift));
  }
}

void ByteWriter::PutBytes(std::span<const std::uint8_t> bytes) {
  out_->insert(out_->end(), bytes.begin(), bytes.end());
}

void ByteWriter::PutString(std::string_view s) {
  out_->insert(out_->end(), s.begin(), s.end());
}

}  // namespace keyhold::crypto
