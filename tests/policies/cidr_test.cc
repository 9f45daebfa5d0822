// Tests for Cidr and ParseCidr (policies/cidr.h). A source_cidrs condition is
// a network boundary written by hand in a policy file, so the parser must
// refuse anything it could read two ways (host bits set, a prefix with a
// sign or a leading zero, an IPv4-mapped network, trailing junk), and
// Contains must never let an address in by being lenient: an IPv4-mapped
// IPv6 address is its IPv4 address (a dual-stack listener must not step
// around an IPv4 rule), and anything that is not an address is in no network.
#include "policies/cidr.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keyhold::policies {
namespace {

Cidr MustParse(std::string_view text) {
  auto c = ParseCidr(text);
  EXPECT_TRUE(c.ok()) << text << ": " << (c.ok() ? "" : c.error().message);
  return c.ok() ? *c : Cidr{};
}

TEST(ParseCidrTest, GoodNetworks) {
  struct Case {
    std::string text;
    bool v6;
    unsigned prefix;
    std::string canonical;
  };
  const std::vector<Case> cases = {
      {"10.0.0.0/8", false, 8, "10.0.0.0/8"},
      {"0.0.0.0/0", false, 0, "0.0.0.0/0"},
      {"192.168.1.0/24", false, 24, "192.168.1.0/24"},
      {"172.16.0.0/12", false, 12, "172.16.0.0/12"},
      {"192.168.1.7/32", false, 32, "192.168.1.7/32"},
      {"255.255.255.255/32", false, 32, "255.255.255.255/32"},
      {"10.128.0.0/9", false, 9, "10.128.0.0/9"},
      {"128.0.0.0/1", false, 1, "128.0.0.0/1"},
      {"fd00::/8", true, 8, "fd00::/8"},
      {"::/0", true, 0, "::/0"},
      {"::1/128", true, 128, "::1/128"},
      {"2001:db8::/32", true, 32, "2001:db8::/32"},
      {"2001:DB8::/32", true, 32, "2001:db8::/32"},
      {"2001:db8:0:0:0:0:0:0/64", true, 64, "2001:db8::/64"},
      {"fe80::/10", true, 10, "fe80::/10"},
      {"2001:db8:8000::/33", true, 33, "2001:db8:8000::/33"},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", true, 128,
       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"},
      // 45 characters: the longest IPv6 text there is.
      {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", true, 128,
       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"},
  };
  for (const Case& c : cases) {
    const Cidr cidr = MustParse(c.text);
    EXPECT_EQ(cidr.v6, c.v6) << c.text;
    EXPECT_EQ(cidr.prefix, c.prefix) << c.text;
    EXPECT_EQ(cidr.ToString(), c.canonical) << c.text;
    // The canonical text parses to the same network.
    const Cidr again = MustParse(cidr.ToString());
    EXPECT_EQ(again.network, cidr.network) << c.text;
    EXPECT_EQ(again.prefix, cidr.prefix) << c.text;
    EXPECT_EQ(again.v6, cidr.v6) << c.text;
  }
}

TEST(ParseCidrTest, Ipv4NetworkBytes) {
  const Cidr c = MustParse("192.168.4.0/22");
  const std::array<std::uint8_t, 16> want = {192, 168, 4, 0};
  EXPECT_EQ(c.network, want);
  EXPECT_FALSE(c.v6);
}

TEST(CidrContainsTest, Table) {
  struct Case {
    const char* network;
    std::string address;
    bool want;
  };
  const std::vector<Case> cases = {
      // Boundaries of an IPv4 /8.
      {"10.0.0.0/8", "10.0.0.0", true},
      {"10.0.0.0/8", "10.255.255.255", true},
      {"10.0.0.0/8", "10.1.2.3", true},
      {"10.0.0.0/8", "11.0.0.0", false},
      {"10.0.0.0/8", "9.255.255.255", false},
      // A prefix that ends inside a byte.
      {"10.0.0.0/9", "10.127.255.255", true},
      {"10.0.0.0/9", "10.128.0.0", false},
      {"172.16.0.0/12", "172.31.255.255", true},
      {"172.16.0.0/12", "172.32.0.0", false},
      {"172.16.0.0/12", "172.15.255.255", false},
      {"192.168.1.0/24", "192.168.1.255", true},
      {"192.168.1.0/24", "192.168.2.0", false},
      {"192.168.1.0/24", "192.168.0.255", false},
      // /32: exactly one address.
      {"10.0.0.9/32", "10.0.0.9", true},
      {"10.0.0.9/32", "10.0.0.8", false},
      {"10.0.0.9/32", "10.0.0.10", false},
      // /0: every address of its family, and only of its family.
      {"0.0.0.0/0", "1.2.3.4", true},
      {"0.0.0.0/0", "0.0.0.0", true},
      {"0.0.0.0/0", "255.255.255.255", true},
      {"0.0.0.0/0", "::1", false},
      {"0.0.0.0/0", "fd00::1", false},
      {"::/0", "::", true},
      {"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"::/0", "1.2.3.4", false},  // an IPv4 address is in no IPv6 network
      // IPv4-mapped IPv6 addresses count as their IPv4 address, in every
      // spelling...
      {"10.0.0.0/8", "::ffff:10.1.2.3", true},
      {"10.0.0.0/8", "::FFFF:10.1.2.3", true},
      {"10.0.0.0/8", "::ffff:a01:203", true},
      {"10.0.0.0/8", "0:0:0:0:0:ffff:10.1.2.3", true},
      {"10.0.0.0/8", "::ffff:11.1.2.3", false},
      {"0.0.0.0/0", "::ffff:1.2.3.4", true},
      {"10.0.0.9/32", "::ffff:10.0.0.9", true},
      // ...and so are in no IPv6 network, not even ::/0.
      {"::/0", "::ffff:1.2.3.4", false},
      {"::/96", "::ffff:1.2.3.4", false},
      // IPv4-compatible (deprecated) addresses are plain IPv6.
      {"10.0.0.0/8", "::10.1.2.3", false},
      {"::/96", "::10.1.2.3", true},
      // IPv6.
      {"fd00::/8", "fd12:3456::1", true},
      {"fd00::/8", "FD00::1", true},
      {"fd00::/8", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"fd00::/8", "fc00::1", false},
      {"fd00::/8", "fe00::", false},
      {"::1/128", "::1", true},
      {"::1/128", "0:0:0:0:0:0:0:1", true},
      {"::1/128", "::2", false},
      {"::1/128", "::", false},
      {"2001:db8::/33", "2001:db8:7fff:ffff::1", true},
      {"2001:db8::/33", "2001:db8:8000::", false},
      {"fe80::/10", "febf:ffff::1", true},
      {"fe80::/10", "fec0::1", false},
      // Anything that is not exactly an address is in no network.
      {"0.0.0.0/0", "", false},
      {"0.0.0.0/0", "garbage", false},
      {"0.0.0.0/0", "10.1.2", false},
      {"0.0.0.0/0", "10.1.2.3.4", false},
      {"0.0.0.0/0", "10.1.2.256", false},
      {"0.0.0.0/0", " 10.1.2.3", false},
      {"0.0.0.0/0", "10.1.2.3 ", false},
      {"0.0.0.0/0", "10.1.2.3\n", false},
      {"0.0.0.0/0", "010.1.2.3", false},  // octal to some parsers
      {"0.0.0.0/0", "0x0a.1.2.3", false},
      {"0.0.0.0/0", "167837955", false},  // 10.1.2.3 as one number
      {"0.0.0.0/0", "10.1.2.3/32", false},
      {"0.0.0.0/0", "10.1.2.3:443", false},
      {"0.0.0.0/0", "[::ffff:10.1.2.3]", false},
      {"::/0", "fe80::1%eth0", false},
      {"::/0", "1::2::3", false},
      {"::/0", ":::", false},
      {"::/0", "[::1]", false},
      {"::/0", "::1/128", false},
      {"::/0", std::string(46, ':'), false},
      {"::/0", std::string(10'000, '1'), false},
      {"0.0.0.0/0", std::string("10.1.2.3\0", 9), false},
      {"0.0.0.0/0", std::string("10.1.2.3\0garbage", 16), false},
  };
  for (const Case& c : cases) {
    const Cidr cidr = MustParse(c.network);
    EXPECT_EQ(cidr.Contains(c.address), c.want) << c.network << " contains '" << c.address << "'";
  }
}

TEST(ParseCidrTest, HostileInputsAreRefused) {
  const std::vector<std::string> cases = {
      "",
      "/",
      "//",
      "10.0.0.0",        // no slash
      "fd00::",          // no slash
      "10.0.0.0/",       // no prefix
      "/8",              // no address
      "10.0.0.1/8",      // host bits set
      "11.0.0.0/7",      // host bits set (the last bit of 11)
      "192.168.1.1/24",  // host bits set
      "fd00::1/8",       // host bits set
      "::1/127",         // host bits set
      "10.0.0.0/33",     // prefix too long for IPv4
      "10.0.0.0/255",
      "10.0.0.0/256",  // wraps a uint8_t
      "::/129",        // prefix too long for IPv6
      "::/256",
      "10.0.0.0/08",  // leading zero
      "10.0.0.0/008",
      "10.0.0.0/00",
      "::/0128",      // too many digits
      "10.0.0.0/+8",  // sign
      "10.0.0.0/-8",
      "10.0.0.0/-0",
      "10.0.0.0/ 8",  // spaces
      "10.0.0.0 /8",
      " 10.0.0.0/8",
      "10.0.0.0/8 ",
      "10.0.0.0/8\n",
      "\t10.0.0.0/8",
      "10.0.0.0/8x",  // trailing junk
      "10.0.0.0/8/8",
      "10.0.0.0/8,11.0.0.0/8",  // a list in one string
      "10.0.0.0/0x8",           // hex prefix
      "10.0.0.0/8.0",
      "10.0.0.0/1e1",
      "10.0.0.0/4294967304",  // 2^32 + 8: wraps an unsigned
      "10.0.0.0/18446744073709551624",
      "10.0.0/8",  // short address
      "10/8",
      "10.0.0.0.0/8",
      "010.0.0.0/8",  // octal to some parsers
      "0x0a.0.0.0/8",
      "256.0.0.0/8",
      "10.0.0.-1/32",
      "1::2::3/64",
      "fe80::%eth0/64",  // zone ids name interfaces, not networks
      "fe80::/64%eth0",
      "[fd00::]/8",
      "::ffff:10.0.0.0/104",  // IPv4-mapped: say 10.0.0.0/8
      "::ffff:10.0.0.0/8",
      "::ffff:0.0.0.0/96",
      "::ffff:a00:0/8",
      "localhost/32",
      "any/0",
      "*/0",
      "10.0.0.0/8\xff",
      std::string("10.0.0.0/8\0", 11),
      std::string("10.0.0.0/\0", 10),
      std::string(100'000, '1') + "/8",
      "10.0.0.0/" + std::string(100'000, '8'),
      std::string(1 << 20, '/'),
      std::string(46, ':') + "/0",
  };
  for (const std::string& text : cases) {
    auto c = ParseCidr(text);
    EXPECT_FALSE(c.ok()) << "'" << text.substr(0, 80) << "' parsed as "
                         << (c.ok() ? c->ToString() : "");
    if (!c.ok()) {
      EXPECT_EQ(c.error().code, ErrorCode::kInvalidPolicy) << text.substr(0, 80);
      EXPECT_EQ(c.error().message.rfind("not a CIDR network (", 0), 0u) << c.error().message;
      // The error never echoes the input (which may be huge).
      EXPECT_LT(c.error().message.size(), 80u) << c.error().message;
    }
  }
}

// An IPv4-mapped network is refused however it is spelled: accepting
// ::FFFF:10.0.0.0/8 as the IPv4 network 10.0.0.0/8 would read an IPv6
// prefix (which would cover ::/8) as an IPv4 one.
TEST(ParseCidrTest, MappedNetworksAreRefusedInEverySpelling) {
  for (const char* text :
       {"::FFFF:10.0.0.0/8", "::Ffff:10.0.0.0/8", "0:0:0:0:0:ffff:a00:0/8", "0::ffff:10.0.0.0/8",
        "0:0:0:0:0:FFFF:10.0.0.0/104", "::FFFF:0.0.0.0/0"}) {
    auto c = ParseCidr(text);
    EXPECT_FALSE(c.ok()) << text << " parsed as " << (c.ok() ? c->ToString() : "");
  }
}

// A NUL byte inside the address must not cut the text short: "10.0.0.0\0…"
// is not the address 10.0.0.0.
TEST(ParseCidrTest, NulInsideTheAddressIsRefused) {
  for (const std::string& text :
       {std::string("10.0.0.0\0/8", 11), std::string("10.0.0.0\0junk/8", 15),
        std::string("fd00::\0/8", 9)}) {
    auto c = ParseCidr(text);
    EXPECT_FALSE(c.ok()) << "parsed as " << (c.ok() ? c->ToString() : "");
  }
}

TEST(ParseCidrTest, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(ParseCidr("10.0.0.0").error().message, "not a CIDR network (want ADDRESS/PREFIX)");
  EXPECT_EQ(ParseCidr("10.0.0/8").error().message, "not a CIDR network (bad address)");
  EXPECT_EQ(ParseCidr("10.0.0.0/33").error().message, "not a CIDR network (bad prefix length)");
  EXPECT_EQ(ParseCidr("10.0.0.1/8").error().message,
            "not a CIDR network (host bits set after the prefix)");
}

}  // namespace
}  // namespace keyhold::policies
