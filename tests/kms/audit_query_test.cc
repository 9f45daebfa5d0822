// Tests for DecodeAuditQuery and QueryUint (kms/api/requests.h), the decoder
// of GET /v1/audit's query string, fed through ParseQuery (kms/api/router.h)
// as the server does.
//
// The query comes from any caller allowed to read the audit log, so every
// parameter is attacked: unknown names, times in other forms or impossible,
// keys that are not tenant/name or break the id rules, principals empty or
// too long, numbers out of range, not digits, or too long to convert. Each
// must be refused with the right error code, and each good query must give
// exactly the filter it names, with the documented defaults.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kms/api/requests.h"
#include "kms/api/router.h"

namespace keyhold::kms {
namespace {

constexpr std::int64_t kDay = 1'795'478'400'000'000;  // 2026-11-24T00:00:00Z

Result<AuditQuery> Decode(const std::string& query) {
  auto map = ParseQuery(query);
  EXPECT_TRUE(map.ok()) << query;
  if (!map.ok()) {
    return map.error();
  }
  return DecodeAuditQuery(*map);
}

TEST(AuditQueryTest, EmptyQueryGivesTheDefaults) {
  auto q = Decode("");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->filter.since_us, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(q->filter.until_us, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(q->filter.key, "");
  EXPECT_EQ(q->filter.tenant, "");
  EXPECT_EQ(q->filter.principal, "");
  EXPECT_EQ(q->filter.after_seq, 0u);
  EXPECT_EQ(q->limit, 100u);
}

TEST(AuditQueryTest, EveryParameterLandsInTheFilter) {
  auto q = Decode(
      "since=2026-11-24&until=2026-11-25T09:30:00.000001Z&key=acme/app.v2&principal=alice@corp"
      "&after=42&limit=1000");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->filter.since_us, kDay);
  EXPECT_EQ(q->filter.until_us, kDay + 86'400'000'000 + 34'200'000'001);
  EXPECT_EQ(q->filter.key, "acme/app.v2");
  EXPECT_EQ(q->filter.tenant, "");  // the handler sets it from the caller, never the query
  EXPECT_EQ(q->filter.principal, "alice@corp");
  EXPECT_EQ(q->filter.after_seq, 42u);
  EXPECT_EQ(q->limit, 1000u);
}

// The decoded query expected: the defaults, changed by `set`.
template <typename F>
AuditQuery Want(F set) {
  AuditQuery q;
  set(q);
  return q;
}

TEST(AuditQueryTest, GoodQueries) {
  struct Row {
    std::string query;
    AuditQuery want;
  };
  const std::vector<Row> rows = {
      {"since=2026-11-24T09:30:00Z",
       Want([](AuditQuery& q) { q.filter.since_us = kDay + 34'200'000'000; })},
      {"until=2026-11-24", Want([](AuditQuery& q) { q.filter.until_us = kDay; })},
      {"since=2026-11-24&until=2026-11-24",  // an empty window, not an error
       Want([](AuditQuery& q) { q.filter.since_us = q.filter.until_us = kDay; })},
      {"key=a/b", Want([](AuditQuery& q) { q.filter.key = "a/b"; })},
      {"key=t-1_x/Name.2-_", Want([](AuditQuery& q) { q.filter.key = "t-1_x/Name.2-_"; })},
      {"key=" + std::string(64, 't') + "/" + std::string(128, 'n'), Want([](AuditQuery& q) {
         q.filter.key = std::string(64, 't') + "/" + std::string(128, 'n');
       })},
      {"principal=" + std::string(128, 'p'),
       Want([](AuditQuery& q) { q.filter.principal = std::string(128, 'p'); })},
      {"principal=a", Want([](AuditQuery& q) { q.filter.principal = "a"; })},
      {"after=0", Want([](AuditQuery&) {})},
      {"after=9223372036854775807",
       Want([](AuditQuery& q) { q.filter.after_seq = 9'223'372'036'854'775'807u; })},
      {"limit=1", Want([](AuditQuery& q) { q.limit = 1; })},
      {"limit=1000", Want([](AuditQuery& q) { q.limit = 1000; })},
      {"limit=007", Want([](AuditQuery& q) { q.limit = 7; })},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.query);
    auto q = Decode(row.query);
    ASSERT_TRUE(q.ok()) << q.error().message;
    EXPECT_EQ(q->filter.since_us, row.want.filter.since_us);
    EXPECT_EQ(q->filter.until_us, row.want.filter.until_us);
    EXPECT_EQ(q->filter.key, row.want.filter.key);
    EXPECT_EQ(q->filter.tenant, "");
    EXPECT_EQ(q->filter.principal, row.want.filter.principal);
    EXPECT_EQ(q->filter.after_seq, row.want.filter.after_seq);
    EXPECT_EQ(q->limit, row.want.limit);
  }
}

TEST(AuditQueryTest, HostileQueriesAreRefused) {
  struct Row {
    std::string query;
    ErrorCode code;
    const char* names;  // a word the message must hold
  };
  const ErrorCode kBad = ErrorCode::kInvalidRequest;
  const ErrorCode kBadKey = ErrorCode::kInvalidKeyId;
  const std::vector<Row> rows = {
      // Unknown parameters, even next to good ones or empty.
      {"tenant=acme", kBad, "unknown"},
      {"foo=1", kBad, "unknown"},
      {"Since=2026-11-24", kBad, "unknown"},
      {"limit=10&verbose=", kBad, "unknown"},
      {"since_us=0", kBad, "unknown"},
      // Times.
      {"since=", kBad, "since"},
      {"since=yesterday", kBad, "since"},
      {"since=1795478400", kBad, "since"},
      {"since=2026-02-30", kBad, "since"},
      {"since=2026-11-24T24:00:00Z", kBad, "since"},
      {"since=2026-11-24T09:30:00", kBad, "since"},
      {"since=2026-11-24t09:30:00Z", kBad, "since"},
      {"since=0999-12-31", kBad, "since"},
      {"until=2026-1-1", kBad, "until"},
      {"until=2026-11-24T09:30:00-05:00", kBad, "until"},
      {"until=2026-11-24T09:30:00.1234567Z", kBad, "until"},
      {"since=2026-11-24&until=bad", kBad, "until"},
      // Keys.
      {"key=", kBadKey, "tenant/name"},
      {"key=acme", kBadKey, "tenant/name"},
      {"key=acme:app", kBadKey, "tenant/name"},
      {"key=/app", kBadKey, ""},
      {"key=acme/", kBadKey, ""},
      {"key=/", kBadKey, ""},
      {"key=ACME/app", kBadKey, ""},
      {"key=-acme/app", kBadKey, ""},
      {"key=acme/.hidden", kBadKey, ""},
      {"key=acme/..", kBadKey, ""},
      {"key=acme/app/extra", kBadKey, ""},
      {"key=acme//app", kBadKey, ""},
      {"key=acme/app name", kBadKey, ""},
      {"key=acme/app\n", kBadKey, ""},
      {"key=acme/caf\xc3\xa9", kBadKey, ""},
      {"key=" + std::string(65, 't') + "/app", kBadKey, ""},
      {"key=acme/" + std::string(129, 'n'), kBadKey, ""},
      // Principals.
      {"principal=", kBad, "principal"},
      {"principal=" + std::string(129, 'p'), kBad, "principal"},
      {"principal=" + std::string(1000, 'p'), kBad, "principal"},
      // after: 0 to 2^63-1, decimal digits only, 19 digits at most.
      {"after=", kBad, "after"},
      {"after=-1", kBad, "after"},
      {"after=1e3", kBad, "after"},
      {"after=0x10", kBad, "after"},
      {"after= 1", kBad, "after"},
      {"after=1 ", kBad, "after"},
      {"after=１", kBad, "after"},
      {"after=9223372036854775808", kBad, "after"},
      {"after=9999999999999999999", kBad, "after"},
      {"after=18446744073709551615", kBad, "after"},
      {"after=18446744073709551616", kBad, "after"},
      {"after=00000000000000000001", kBad, "after"},
      {"after=99999999999999999999999999", kBad, "after"},
      // limit: 1 to 1000.
      {"limit=0", kBad, "limit"},
      {"limit=1001", kBad, "limit"},
      {"limit=", kBad, "limit"},
      {"limit=-5", kBad, "limit"},
      {"limit=ten", kBad, "limit"},
      {"limit=10.5", kBad, "limit"},
      {"limit=18446744073709551617", kBad, "limit"},
      {"limit=00000000000000000010", kBad, "limit"},
      // One bad parameter spoils a good query.
      {"since=2026-11-24&key=acme/app&limit=0", kBad, "limit"},
      {"since=2026-11-24&key=acme&limit=10", kBadKey, "tenant/name"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.query);
    auto q = Decode(row.query);
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.error().code, row.code) << q.error().message;
    EXPECT_NE(q.error().message.find(row.names), std::string::npos) << q.error().message;
  }
}

TEST(AuditQueryTest, ParseQueryRefusesWhatDecodeNeverSees) {
  // A '+' in a zone or a percent-escape never reaches the decoder.
  for (const char* query :
       {"since=2026-11-24T09:30:00+08:00", "key=acme%2Fapp", "after=1&after=2", "=1", "limit"}) {
    SCOPED_TRACE(query);
    auto map = ParseQuery(query);
    ASSERT_FALSE(map.ok());
    EXPECT_EQ(map.error().code, ErrorCode::kInvalidRequest);
  }
  // Given directly, a '+' zone is still refused by the decoder.
  auto q = DecodeAuditQuery(Query{{"since", "2026-11-24T09:30:00+08:00"}});
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().code, ErrorCode::kInvalidRequest);
}

TEST(QueryUintTest, ReadsDecimalsInRange) {
  const Query q = {{"n", "42"},
                   {"zero", "0"},
                   {"max19", "9999999999999999999"},
                   {"twenty", "10000000000000000000"},
                   {"empty", ""},
                   {"neg", "-1"},
                   {"plus", "+1"},
                   {"space", " 1"}};
  EXPECT_EQ(QueryUint(q, "absent", 7, 1, 10).value(), 7u);
  EXPECT_EQ(QueryUint(q, "n", 0, 42, 42).value(), 42u);
  EXPECT_FALSE(QueryUint(q, "n", 0, 43, 100).ok());
  EXPECT_FALSE(QueryUint(q, "n", 0, 0, 41).ok());
  EXPECT_EQ(QueryUint(q, "zero", 5, 0, 1).value(), 0u);
  EXPECT_FALSE(QueryUint(q, "zero", 5, 1, 10).ok());
  EXPECT_EQ(QueryUint(q, "max19", 0, 0, std::numeric_limits<std::uint64_t>::max()).value(),
            9'999'999'999'999'999'999u);
  // Twenty digits are refused whatever the range, so no value can overflow.
  EXPECT_FALSE(QueryUint(q, "twenty", 0, 0, std::numeric_limits<std::uint64_t>::max()).ok());
  for (const char* name : {"empty", "neg", "plus", "space"}) {
    SCOPED_TRACE(name);
    auto r = QueryUint(q, name, 0, 0, std::numeric_limits<std::uint64_t>::max());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
    EXPECT_NE(r.error().message.find(name), std::string::npos);
  }
}

}  // namespace
}  // namespace keyhold::kms
