#include "policies/cidr.h"

#include <arpa/inet.h>  // inet_pton, inet_ntop: address text only, no I/O

#include <charconv>

namespace keyhold::policies {
namespace {

// Address parses an IPv4 or IPv6 address; an IPv4-mapped IPv6 address
// becomes its IPv4 address.
bool ParseAddress(std::string_view text, std::array<std::uint8_t, 16>* out, bool* v6,
                  bool* mapped = nullptr) {
  // inet_pton reads a C string: a NUL would hide whatever follows it.
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string s(text);
  out->fill(0);
  if (inet_pton(AF_INET, s.c_str(), out->data()) == 1) {
    *v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out->data()) != 1) {
    return false;
  }
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(std::begin(kMapped), std::end(kMapped), out->begin())) {
    std::copy(out->begin() + 12, out->end(), out->begin());
    std::fill(out->begin() + 4, out->end(), 0);
    *v6 = false;
    if (mapped != nullptr) {
      *mapped = true;
    }
    return true;
  }
  *v6 = true;
  return true;
}

bool PrefixEqual(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                 unsigned prefix) {
  const unsigned whole = prefix / 8;
  for (unsigned i = 0; i < whole; ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  const unsigned rest = prefix % 8;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

bool Cidr::Contains(std::string_view address) const {
  std::array<std::uint8_t, 16> a{};
  bool is_v6 = false;
  if (!ParseAddress(address, &a, &is_v6) || is_v6 != v6) {
    return false;
  }
  return PrefixEqual(a, network, prefix);
}

std::string Cidr::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, network.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(prefix);
}

Result<Cidr> ParseCidr(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Error{ErrorCode::kInvalidPolicy, "not a CIDR network (" + std::string(why) + ")"};
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return bad("want ADDRESS/PREFIX");
  }
  Cidr c;
  bool mapped = false;
  if (!ParseAddress(text.substr(0, slash), &c.network, &c.v6, &mapped)) {
    return bad("bad address");
  }
  if (mapped) {
    // Its prefix would count IPv6 bits over an IPv4 address: write the
    // IPv4 network instead (mapped addresses match it).
    return bad("an IPv4-mapped IPv6 network; write it as IPv4");
  }
  const std::string_view p = text.substr(slash + 1);
  unsigned prefix = 0;
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
  if (p.empty() || p.size() > 3 || ec != std::errc() || end != p.data() + p.size() ||
      prefix > (c.v6 ? 128U : 32U) || (p.size() > 1 && p[0] == '0')) {
    return bad("bad prefix length");
  }
  c.prefix = static_cast<std::uint8_t>(prefix);
  std::array<std::uint8_t, 16> zero_host = c.network;
  for (unsigned bit = prefix; bit < 128; ++bit) {
    zero_host[bit / 8] &= static_cast<std::uint8_t>(~(0x80U >> (bit % 8)));
  }
  if (zero_host != c.network) {
    return bad("host bits set after the prefix");
  }
  return c;
}

}  // namespace keyhold::policies
