// Tests for crypto/error.h: walks the whole error catalogue (codes in enum
// order, unique snake_case names, known statuses, user_error iff 4xx, safe
// texts), then Result<T>, Status, KEYHOLD_TRY and KEYHOLD_ASSIGN_OR_RETURN,
// and that reading the wrong side of a Result aborts.
#include "crypto/error.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace keyhold::crypto {
namespace {

bool IsSnakeCase(std::string_view s) {
  if (s.empty() || s.front() == '_' || s.back() == '_') {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) {
      return false;
    }
  }
  return s.find("__") == std::string_view::npos;
}

TEST(ErrorCatalogueTest, CoversEveryCodeInEnumOrder) {
  const auto catalogue = ErrorCatalogue();
  // kInternal is the last enumerator.
  ASSERT_EQ(catalogue.size(), static_cast<std::size_t>(ErrorCode::kInternal) + 1);
  for (std::size_t i = 0; i < catalogue.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(catalogue[i].code), i) << catalogue[i].name;
  }
}

TEST(ErrorCatalogueTest, NamesAreUniqueSnakeCase) {
  std::set<std::string_view> names;
  for (const auto& row : ErrorCatalogue()) {
    EXPECT_TRUE(IsSnakeCase(row.name)) << "'" << row.name << "'";
    EXPECT_TRUE(names.insert(row.name).second) << "duplicate " << row.name;
  }
}

TEST(ErrorCatalogueTest, StatusesAreKnownAndUserErrorIff4xx) {
  const std::set<int> allowed = {400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 501, 503};
  for (const auto& row : ErrorCatalogue()) {
    SCOPED_TRACE(row.name);
    EXPECT_TRUE(allowed.count(row.http_status)) << row.http_status;
    EXPECT_EQ(row.user_error, row.http_status >= 400 && row.http_status < 500);
  }
}

TEST(ErrorCatalogueTest, SafeTextsArePlain) {
  std::set<std::string_view> texts;
  for (const auto& row : ErrorCatalogue()) {
    SCOPED_TRACE(row.name);
    EXPECT_FALSE(row.safe_text.empty());
    EXPECT_EQ(row.safe_text.find('%'), std::string_view::npos);
    EXPECT_EQ(row.safe_text.find('\n'), std::string_view::npos);
    EXPECT_EQ(row.safe_text.find('\r'), std::string_view::npos);
    for (char c : row.safe_text) {
      EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "non-printable byte in safe text";
    }
    EXPECT_TRUE(texts.insert(row.safe_text).second) << "duplicate safe text";
  }
}

TEST(ErrorCatalogueTest, KnownRows) {
  // Spot checks against the API documentation, so that a reordered or
  // renamed row cannot pass the structural checks alone.
  EXPECT_EQ(Info(ErrorCode::kInvalidRequest).name, "invalid_request");
  EXPECT_EQ(Info(ErrorCode::kInvalidRequest).http_status, 400);
  EXPECT_EQ(Info(ErrorCode::kInvalidKeyId).name, "invalid_key_id");
  EXPECT_EQ(Info(ErrorCode::kInvalidContext).name, "invalid_context");
  EXPECT_EQ(Info(ErrorCode::kUnauthenticated).http_status, 401);
  EXPECT_EQ(Info(ErrorCode::kForbidden).http_status, 403);
  EXPECT_EQ(Info(ErrorCode::kKeyNotFound).http_status, 404);
  EXPECT_EQ(Info(ErrorCode::kKeyExists).http_status, 409);
  EXPECT_EQ(Info(ErrorCode::kSealed).http_status, 503);
  EXPECT_FALSE(Info(ErrorCode::kSealed).user_error);
  EXPECT_EQ(Info(ErrorCode::kInternal).name, "internal");
  EXPECT_EQ(Info(ErrorCode::kInternal).http_status, 500);
  EXPECT_FALSE(Info(ErrorCode::kInternal).user_error);
}

TEST(ErrorCatalogueTest, InfoReturnsTheRow) {
  for (const auto& row : ErrorCatalogue()) {
    const ErrorInfo& info = Info(row.code);
    EXPECT_EQ(&info, &row) << row.name;
    EXPECT_EQ(info.code, row.code);
    EXPECT_EQ(info.name, row.name);
  }
}

TEST(ErrorCatalogueDeathTest, InfoOfUnknownCodeAborts) {
  const auto past_end = static_cast<ErrorCode>(ErrorCatalogue().size());
  EXPECT_DEATH((void)Info(past_end), "internal check failed");
  EXPECT_DEATH((void)Info(static_cast<ErrorCode>(0xffff)), "internal check failed");
}

TEST(MakeErrorTest, UsesSafeTextOrGivenMessage) {
  for (const auto& row : ErrorCatalogue()) {
    const Error e = MakeError(row.code);
    EXPECT_EQ(e.code, row.code);
    EXPECT_EQ(e.message, row.safe_text);
  }
  const Error e = MakeError(ErrorCode::kKeyNotFound, "no key acme/k1");
  EXPECT_EQ(e.code, ErrorCode::kKeyNotFound);
  EXPECT_EQ(e.message, "no key acme/k1");
}

TEST(ResultTest, HoldsValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  r.value() = 7;
  EXPECT_EQ(*r, 7);
  const Result<int>& cr = r;
  EXPECT_EQ(cr.value(), 7);
  EXPECT_EQ(*cr, 7);
}

TEST(ResultTest, HoldsError) {
  Result<int> r = MakeError(ErrorCode::kForbidden, "nope");
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(r.error().message, "nope");
}

TEST(ResultTest, ArrowAndMoveOnlyValues) {
  Result<std::string> s = std::string("hello");
  EXPECT_EQ(s->size(), 5u);
  Result<std::unique_ptr<int>> p = std::make_unique<int>(9);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 9);
}

TEST(StatusTest, OkAndError) {
  const Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_TRUE(Status::Ok().ok());
  const Status bad = MakeError(ErrorCode::kStoreFull);
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.error().code, ErrorCode::kStoreFull);
  EXPECT_EQ(bad.error().message, Info(ErrorCode::kStoreFull).safe_text);
}

Status FailWith(ErrorCode code) {
  return MakeError(code, "failed");
}
Result<int> IntOrError(bool ok, int value) {
  if (ok) {
    return value;
  }
  return MakeError(ErrorCode::kNotFound, "missing " + std::to_string(value));
}

Status TryStatus(bool fail, int* reached) {
  KEYHOLD_TRY(fail ? FailWith(ErrorCode::kSealed) : Status::Ok());
  *reached = 1;
  return Status::Ok();
}

Status TryResult(bool ok, int* reached) {
  KEYHOLD_TRY(IntOrError(ok, 5));
  *reached = 1;
  return Status::Ok();
}

Result<int> TryInResult(bool ok, int* reached) {
  KEYHOLD_TRY(ok ? Status::Ok() : FailWith(ErrorCode::kForbidden));
  *reached = 1;
  return 3;
}

TEST(MacroTest, TryPropagatesStatusErrors) {
  int reached = 0;
  Status s = TryStatus(true, &reached);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kSealed);
  EXPECT_EQ(s.error().message, "failed");
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(TryStatus(false, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(MacroTest, TryPropagatesResultErrors) {
  int reached = 0;
  Status s = TryResult(false, &reached);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.error().message, "missing 5");
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(TryResult(true, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(MacroTest, TryWorksInFunctionsReturningResult) {
  int reached = 0;
  Result<int> r = TryInResult(false, &reached);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(reached, 0);
  Result<int> good = TryInResult(true, &reached);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  EXPECT_EQ(reached, 1);
}

TEST(MacroTest, TryEvaluatesOnce) {
  int calls = 0;
  auto counted = [&calls]() -> Status {
    ++calls;
    return Status::Ok();
  };
  auto f = [&]() -> Status {
    KEYHOLD_TRY(counted());
    return Status::Ok();
  };
  EXPECT_TRUE(f().ok());
  EXPECT_EQ(calls, 1);
}

Result<int> AddBoth(bool first_ok, bool second_ok, int* reached) {
  KEYHOLD_ASSIGN_OR_RETURN(const int a, IntOrError(first_ok, 1));
  *reached = 1;
  int b = 0;
  KEYHOLD_ASSIGN_OR_RETURN(b, IntOrError(second_ok, 2));
  *reached = 2;
  return a + b;
}

TEST(MacroTest, AssignOrReturnAssignsValues) {
  int reached = 0;
  Result<int> r = AddBoth(true, true, &reached);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3);
  EXPECT_EQ(reached, 2);
}

TEST(MacroTest, AssignOrReturnPropagatesErrors) {
  int reached = 0;
  Result<int> first = AddBoth(false, true, &reached);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(first.error().message, "missing 1");
  EXPECT_EQ(reached, 0);

  Result<int> second = AddBoth(true, false, &reached);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message, "missing 2");
  EXPECT_EQ(reached, 1);
}

Status MoveOnly(bool ok, std::unique_ptr<int>* out) {
  auto make = [ok]() -> Result<std::unique_ptr<int>> {
    if (!ok) {
      return MakeError(ErrorCode::kInternal);
    }
    return std::make_unique<int>(11);
  };
  KEYHOLD_ASSIGN_OR_RETURN(*out, make());
  return Status::Ok();
}

TEST(MacroTest, AssignOrReturnMovesMoveOnlyValues) {
  std::unique_ptr<int> out;
  ASSERT_TRUE(MoveOnly(true, &out).ok());
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(*out, 11);
  std::unique_ptr<int> untouched;
  Status s = MoveOnly(false, &untouched);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInternal);
  EXPECT_EQ(untouched, nullptr);
}

TEST(MacroTest, AssignOrReturnEvaluatesOnce) {
  int calls = 0;
  auto counted = [&calls]() -> Result<int> { return ++calls; };
  auto f = [&]() -> Result<int> {
    KEYHOLD_ASSIGN_OR_RETURN(int v, counted());
    return v;
  };
  Result<int> r = f();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(calls, 1);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> r = MakeError(ErrorCode::kInternal);
  EXPECT_DEATH((void)r.value(), "value\\(\\) of a failed Result");
  EXPECT_DEATH((void)*r, "value\\(\\) of a failed Result");
  const Result<int>& cr = r;
  EXPECT_DEATH((void)cr.value(), "value\\(\\) of a failed Result");
  EXPECT_DEATH((void)std::move(r).value(), "value\\(\\) of a failed Result");
  Result<std::string> s = MakeError(ErrorCode::kInternal);
  EXPECT_DEATH((void)s->size(), "value\\(\\) of a failed Result");
}

TEST(ResultDeathTest, ErrorOfOkAborts) {
  Result<int> r = 1;
  EXPECT_DEATH((void)r.error(), "error\\(\\) of an ok Result");
  const Status s;
  EXPECT_DEATH((void)s.error(), "error\\(\\) of an ok Result");
}

}  // namespace
}  // namespace keyhold::crypto
