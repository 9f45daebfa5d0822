// Cidr: an IPv4 or IPv6 network ("10.0.0.0/8", "fd00::/8") and whether an
// address lies in it. IPv4-mapped IPv6 addresses (::ffff:10.1.2.3) count as
// their IPv4 address, so a dual-stack listener cannot be used to step around
// an IPv4 rule. Pure, thread-safe (value type). May include: std,
// <arpa/inet.h> (address parsing only), crypto/error.h.
#ifndef KEYHOLD_POLICIES_CIDR_H_
#define KEYHOLD_POLICIES_CIDR_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/error.h"

namespace keyhold::policies {

struct Cidr {
  std::array<std::uint8_t, 16> network{};  // IPv4 in the first 4 bytes
  std::uint8_t prefix = 0;
  bool v6 = false;

  // Contains is true when `address` (a textual IPv4 or IPv6 address) is in
  // the network; false for anything that is not an address.
  bool Contains(std::string_view address) const;
  std::string ToString() const;
};

// ParseCidr parses "ADDRESS/PREFIX"; host bits must be zero (a typo such as
// 10.0.0.1/8 is refused rather than silently widened). kInvalidPolicy.
Result<Cidr> ParseCidr(std::string_view text);

}  // namespace keyhold::policies

#endif  // KEYHOLD_POLICIES_CIDR_H_
