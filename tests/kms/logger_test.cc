// Tests for kms/logger.h with a sink: one JSON object per line, "time",
// "level" and "msg" first and then the fields in the caller's order; the
// time is UTC with microseconds; level filtering; string, integer and bool
// values; quotes, backslashes and control characters escaped and invalid
// UTF-8 replaced so that every line stays valid JSON; and whole lines only
// when 8 threads log at once.
#include "kms/logger.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace keyhold::kms {
namespace {

using nlohmann::ordered_json;

class LoggerTest : public ::testing::Test {
 protected:
  Logger MakeLogger(LogLevel min) {
    return Logger(min, [this](std::string_view line) { lines_.emplace_back(line); });
  }
  // Parsed parses line `i`, failing the test if it is not one JSON object.
  ordered_json Parsed(std::size_t i) {
    EXPECT_LT(i, lines_.size());
    if (i >= lines_.size()) {
      return {};
    }
    EXPECT_TRUE(ordered_json::accept(lines_[i])) << lines_[i];
    auto j = ordered_json::parse(lines_[i], nullptr, false);
    EXPECT_TRUE(j.is_object()) << lines_[i];
    return j;
  }
  static std::vector<std::string> Keys(const ordered_json& j) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) {
      keys.push_back(k);
    }
    return keys;
  }
  // WithoutTime is the line with its time value replaced by "T".
  std::string WithoutTime(std::size_t i) {
    static const std::regex kTime(R"(^\{"time":"[^"]*",)");
    return std::regex_replace(lines_.at(i), kTime, R"({"time":"T",)");
  }

  std::vector<std::string> lines_;
};

TEST_F(LoggerTest, OneObjectPerLineInOrder) {
  Logger log = MakeLogger(LogLevel::kDebug);
  log.Log(LogLevel::kInfo, "key rotated",
          {{"key", "acme/app"}, {"reason", "period"}, {"version", std::int64_t{2}}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].find('\n'), std::string::npos);
  EXPECT_EQ(WithoutTime(0), R"({"time":"T","level":"info","msg":"key rotated","key":"acme/app",)"
                            R"("reason":"period","version":2})");
  const ordered_json j = Parsed(0);
  EXPECT_EQ(Keys(j),
            (std::vector<std::string>{"time", "level", "msg", "key", "reason", "version"}));
}

TEST_F(LoggerTest, FieldOrderIsTheCallersNotAlphabetical) {
  Logger log = MakeLogger(LogLevel::kDebug);
  log.Log(LogLevel::kWarn, "m", {{"zulu", "1"}, {"alpha", "2"}, {"mike", "3"}});
  EXPECT_EQ(Keys(Parsed(0)),
            (std::vector<std::string>{"time", "level", "msg", "zulu", "alpha", "mike"}));
}

TEST_F(LoggerTest, NoFields) {
  Logger log = MakeLogger(LogLevel::kDebug);
  log.Log(LogLevel::kError, "");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(WithoutTime(0), R"({"time":"T","level":"error","msg":""})");
}

TEST_F(LoggerTest, TimeIsUtcWithMicroseconds) {
  Logger log = MakeLogger(LogLevel::kDebug);
  const std::time_t before = std::time(nullptr);
  log.Log(LogLevel::kInfo, "now");
  const std::time_t after = std::time(nullptr);
  const std::string time = Parsed(0)["time"].get<std::string>();
  std::smatch m;
  ASSERT_TRUE(std::regex_match(
      time, m, std::regex(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z)")))
      << time;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  const std::time_t logged = timegm(&tm);
  EXPECT_LE(before, logged);
  EXPECT_LE(logged, after);
}

TEST_F(LoggerTest, LevelNamesAndFiltering) {
  const std::pair<LogLevel, std::string> levels[] = {{LogLevel::kDebug, "debug"},
                                                     {LogLevel::kInfo, "info"},
                                                     {LogLevel::kWarn, "warn"},
                                                     {LogLevel::kError, "error"}};
  for (const auto& [min, min_name] : levels) {
    SCOPED_TRACE(min_name);
    lines_.clear();
    Logger log = MakeLogger(min);
    std::vector<std::string> expected;
    for (const auto& [level, name] : levels) {
      EXPECT_EQ(log.Enabled(level), level >= min) << name;
      log.Log(level, "msg-" + name);
      if (level >= min) {
        expected.push_back(name);
      }
    }
    ASSERT_EQ(lines_.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const ordered_json j = Parsed(i);
      EXPECT_EQ(j["level"], expected[i]);
      EXPECT_EQ(j["msg"], "msg-" + expected[i]);
    }
  }
}

TEST_F(LoggerTest, StringIntegerAndBoolValues) {
  Logger log = MakeLogger(LogLevel::kInfo);
  log.Log(LogLevel::kInfo, "v",
          {{"s", std::string_view("text")},
           {"zero", std::int64_t{0}},
           {"neg", std::int64_t{-42}},
           {"min", std::numeric_limits<std::int64_t>::min()},
           {"max", std::numeric_limits<std::int64_t>::max()},
           {"yes", true},
           {"no", false},
           {"empty", std::string_view()}});
  EXPECT_EQ(WithoutTime(0),
            R"({"time":"T","level":"info","msg":"v","s":"text","zero":0,"neg":-42,)"
            R"("min":-9223372036854775808,"max":9223372036854775807,"yes":true,"no":false,)"
            R"("empty":""})");
  const ordered_json j = Parsed(0);
  EXPECT_TRUE(j["s"].is_string());
  EXPECT_TRUE(j["neg"].is_number_integer());
  EXPECT_EQ(j["min"].get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(j["max"].get<std::int64_t>(), std::numeric_limits<std::int64_t>::max());
  EXPECT_TRUE(j["yes"].is_boolean());
  EXPECT_EQ(j["yes"], true);
  EXPECT_EQ(j["no"], false);
}

TEST_F(LoggerTest, QuotesAndControlCharactersAreEscaped) {
  Logger log = MakeLogger(LogLevel::kInfo);
  const std::string nasty = std::string("a\"b\\c\nd\re\tf") + '\0' + "g\x01h\x1fi\x7fj";
  log.Log(LogLevel::kInfo, nasty, {{"v", std::string_view(nasty)}});
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& line = lines_[0];
  for (unsigned char c : line) {
    EXPECT_GE(c, 0x20) << "raw control byte in " << line;
  }
  EXPECT_EQ(WithoutTime(0),
            R"({"time":"T","level":"info","msg":"a\"b\\c\nd\re\tf\u0000g\u0001h\u001fi)"
            "\x7f"
            R"(j","v":"a\"b\\c\nd\re\tf\u0000g\u0001h\u001fi)"
            "\x7f"
            R"(j"})");
  const ordered_json j = Parsed(0);
  EXPECT_EQ(j["msg"].get<std::string>(), nasty);
  EXPECT_EQ(j["v"].get<std::string>(), nasty);
}

TEST_F(LoggerTest, ForgedLineBreakCannotStartANewRecord) {
  Logger log = MakeLogger(LogLevel::kInfo);
  log.Log(LogLevel::kInfo, "login failed",
          {{"user", "x\"}\n{\"time\":\"0\",\"level\":\"error\",\"msg\":\"forged"}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].find('\n'), std::string::npos);
  const ordered_json j = Parsed(0);
  EXPECT_EQ(j["msg"], "login failed");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j.size(), 4u);
}

TEST_F(LoggerTest, InvalidUtf8IsReplacedAndValidUtf8Kept) {
  Logger log = MakeLogger(LogLevel::kInfo);
  const std::string replacement = "\xef\xbf\xbd";  // U+FFFD
  log.Log(LogLevel::kInfo, "bad \xff end",
          {{"truncated", "caf\xc3"},
           {"overlong", "\xc0\xaf"},
           {"surrogate", "\xed\xa0\x80"},
           {"ok", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"}});
  ASSERT_EQ(lines_.size(), 1u);
  const ordered_json j = Parsed(0);
  EXPECT_EQ(j["msg"].get<std::string>(), "bad " + replacement + " end");
  EXPECT_EQ(j["truncated"].get<std::string>(), "caf" + replacement);
  // Each refused sequence became replacement characters and nothing else.
  for (const char* key : {"overlong", "surrogate"}) {
    const std::string v = j[key].get<std::string>();
    ASSERT_FALSE(v.empty()) << key;
    ASSERT_EQ(v.size() % replacement.size(), 0u) << key;
    for (std::size_t i = 0; i < v.size(); i += replacement.size()) {
      EXPECT_EQ(v.substr(i, replacement.size()), replacement) << key;
    }
  }
  // Valid multi-byte UTF-8 is written as is, not \u-escaped.
  EXPECT_EQ(j["ok"].get<std::string>(), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91");
  EXPECT_NE(lines_[0].find("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"), std::string::npos);
}

TEST_F(LoggerTest, InvalidUtf8InAKeyIsReplacedToo) {
  Logger log = MakeLogger(LogLevel::kInfo);
  log.Log(LogLevel::kInfo, "m", {{"k\xff", "v"}});
  const ordered_json j = Parsed(0);
  EXPECT_EQ(j.size(), 4u);
  EXPECT_TRUE(j.contains("k\xef\xbf\xbd"));
}

TEST_F(LoggerTest, EightThreadsWriteWholeLinesOnly) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 300;
  // The sink copies byte by byte into one buffer: if two calls overlapped,
  // their bytes would interleave.
  std::string buffer;
  Logger log(LogLevel::kInfo, [&buffer](std::string_view line) {
    for (char c : line) {
      buffer.push_back(c);
    }
    buffer.push_back('\n');
  });
  const std::string padding(200, 'p');
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        log.Log(LogLevel::kInfo, "tick",
                {{"thread", std::int64_t{t}}, {"i", std::int64_t{i}}, {"pad", padding}});
        log.Log(LogLevel::kDebug, "dropped");
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  std::set<std::pair<std::int64_t, std::int64_t>> seen;
  std::vector<int> next(kThreads, 0);
  std::size_t start = 0;
  int count = 0;
  while (start < buffer.size()) {
    const std::size_t end = buffer.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    const std::string line = buffer.substr(start, end - start);
    start = end + 1;
    ++count;
    auto j = ordered_json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_EQ(j["msg"], "tick");
    EXPECT_EQ(j["pad"], padding);
    const auto t = j["thread"].get<std::int64_t>();
    const auto i = j["i"].get<std::int64_t>();
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    // Each thread's lines arrive in its own order.
    EXPECT_EQ(i, next[t]) << line;
    next[t] = static_cast<int>(i) + 1;
    seen.emplace(t, i);
  }
  EXPECT_EQ(count, kThreads * kPerThread);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace keyhold::kms
