// Tests for TimeWindow and its parsers (policies/time_window.h). A time
// condition opens access at some hours only, so an error at a boundary (the
// minute a window closes, midnight of a window that wraps, the second of
// not_after) opens it for longer than the policy says. Every boundary is
// checked on both sides, at times before 1970 too, and the parsers refuse
// every spelling that is not exactly the documented one: a lenient parser
// would read a mistyped time as some other time.
#include "policies/time_window.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace keyhold::policies {
namespace {

constexpr std::int64_t kMinute = 60;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
// 2026-11-22T00:00:00Z, a Sunday (`date -u -d 2026-11-22 +%s`).
constexpr std::int64_t kSunday = 1'795'305'600;

enum Day : int { kSun, kMon, kTue, kWed, kThu, kFri, kSat };

// At is day `d` of the week of kSunday (kSat + 1 is the next Sunday), HH:MM:SS.
constexpr std::int64_t At(int d, int h, int m, int s = 0) {
  return kSunday + d * kDay + h * kHour + m * kMinute + s;
}

constexpr std::uint8_t Days(std::initializer_list<int> days) {
  std::uint8_t out = 0;
  for (int d : days) {
    out = static_cast<std::uint8_t>(out | (1U << d));
  }
  return out;
}

TimeWindow Window(std::uint8_t days, int from_h, int from_m, int to_h, int to_m) {
  TimeWindow w;
  w.days = days;
  w.from_minute = static_cast<std::uint16_t>(from_h * 60 + from_m);
  w.to_minute = static_cast<std::uint16_t>(to_h * 60 + to_m);
  return w;
}

TimeWindow Between(std::optional<std::int64_t> not_before, std::optional<std::int64_t> not_after) {
  TimeWindow w;
  w.not_before = not_before;
  w.not_after = not_after;
  return w;
}

TEST(TimeWindowTest, Contains) {
  const std::uint8_t weekdays = Days({kMon, kTue, kWed, kThu, kFri});
  const TimeWindow office = Window(weekdays, 9, 0, 17, 0);
  const TimeWindow fri_night = Window(Days({kFri}), 22, 0, 6, 0);
  const TimeWindow sat_night = Window(Days({kSat}), 22, 0, 6, 0);
  const TimeWindow sun_night = Window(Days({kSun}), 22, 0, 6, 0);
  const TimeWindow every_night = Window(0x7f, 23, 30, 0, 30);
  const TimeWindow late = Window(0x7f, 23, 0, 24, 0);
  const TimeWindow half_past = Window(0x7f, 9, 30, 9, 31);
  const TimeWindow one_day = Between(At(kMon, 0, 0), At(kTue, 0, 0));
  const TimeWindow thursday = Window(Days({kThu}), 0, 0, 24, 0);
  const TimeWindow sunday = Window(Days({kSun}), 0, 0, 24, 0);
  const TimeWindow wed_late = Window(Days({kWed}), 23, 0, 24, 0);
  const TimeWindow wed_wrap = Window(Days({kWed}), 23, 0, 1, 0);
  TimeWindow office_from_monday = office;
  office_from_monday.not_before = At(kMon, 12, 0);
  office_from_monday.not_after = At(kWed, 12, 0);
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

  struct Case {
    const char* name;
    TimeWindow window;
    std::int64_t now;
    bool want;
  };
  const std::vector<Case> cases = {
      {"default window: any time", TimeWindow{}, At(kTue, 3, 4), true},
      {"default window: 1970", TimeWindow{}, 0, true},
      {"default window: before 1970", TimeWindow{}, -1, true},
      {"default window: far past", TimeWindow{}, kMin, true},
      {"default window: far future", TimeWindow{}, kMax, true},
      {"no days: never", Window(0, 0, 0, 24, 0), At(kTue, 12, 0), false},
      {"no days: never, far past", Window(0, 0, 0, 24, 0), kMin, false},

      {"office: opens at 09:00", office, At(kMon, 9, 0), true},
      {"office: not at 08:59:59", office, At(kMon, 8, 59, 59), false},
      {"office: still at 16:59:59", office, At(kMon, 16, 59, 59), true},
      {"office: closed at 17:00", office, At(kMon, 17, 0), false},
      {"office: Friday", office, At(kFri, 12, 0), true},
      {"office: not Saturday", office, At(kSat, 12, 0), false},
      {"office: not Sunday", office, At(kSun, 12, 0), false},
      {"office: next Monday", office, At(kSat + 2, 9, 0), true},
      {"office: Monday midnight", office, At(kMon, 0, 0), false},

      // A window that wraps midnight belongs to the day it starts on.
      {"Fri night: Fri 22:00", fri_night, At(kFri, 22, 0), true},
      {"Fri night: Fri 21:59:59", fri_night, At(kFri, 21, 59, 59), false},
      {"Fri night: Fri 23:59:59", fri_night, At(kFri, 23, 59, 59), true},
      {"Fri night: Sat 00:00", fri_night, At(kSat, 0, 0), true},
      {"Fri night: Sat 05:59:59", fri_night, At(kSat, 5, 59, 59), true},
      {"Fri night: Sat 06:00", fri_night, At(kSat, 6, 0), false},
      {"Fri night: not Sat 22:00", fri_night, At(kSat, 22, 0), false},
      {"Fri night: not Fri morning (Thursday's night)", fri_night, At(kFri, 3, 0), false},
      {"Fri night: not Fri noon", fri_night, At(kFri, 12, 0), false},
      // ...including across the end of the week.
      {"Sat night: Sun 01:00", sat_night, At(kSat + 1, 1, 0), true},
      {"Sat night: Sun 01:00 a week before", sat_night, At(kSun, 1, 0), true},
      {"Sat night: not Sat 01:00 (Friday's night)", sat_night, At(kSat, 1, 0), false},
      {"Sun night: Sun 23:00", sun_night, At(kSun, 23, 0), true},
      {"Sun night: Mon 03:00", sun_night, At(kMon, 3, 0), true},
      {"Sun night: not Sun 03:00 (Saturday's night)", sun_night, At(kSun, 3, 0), false},
      {"Sun night: not Mon 23:00", sun_night, At(kMon, 23, 0), false},
      {"nightly 23:30-00:30: 00:29", every_night, At(kWed, 0, 29), true},
      {"nightly 23:30-00:30: 00:30", every_night, At(kWed, 0, 30), false},
      {"nightly 23:30-00:30: 23:29", every_night, At(kWed, 23, 29), false},
      {"nightly 23:30-00:30: 23:30", every_night, At(kWed, 23, 30), true},
      {"23:00-24:00: 23:59:59", late, At(kWed, 23, 59, 59), true},
      {"23:00-24:00: not 00:00 next day", late, At(kThu, 0, 0), false},
      {"23:00-24:00: not 22:59:59", late, At(kWed, 22, 59, 59), false},
      {"one minute: 09:30:00", half_past, At(kWed, 9, 30), true},
      {"one minute: 09:30:59", half_past, At(kWed, 9, 30, 59), true},
      {"one minute: 09:31:00", half_past, At(kWed, 9, 31), false},
      {"one minute: 09:29:59", half_past, At(kWed, 9, 29, 59), false},

      // not_before is inclusive, not_after exclusive.
      {"not_before itself", one_day, At(kMon, 0, 0), true},
      {"a second before not_before", one_day, At(kMon, 0, 0) - 1, false},
      {"a second before not_after", one_day, At(kTue, 0, 0) - 1, true},
      {"not_after itself", one_day, At(kTue, 0, 0), false},
      {"only not_before: far future", Between(0, std::nullopt), kMax, true},
      {"only not_before: before it", Between(0, std::nullopt), -1, false},
      {"only not_after: far past", Between(std::nullopt, 0), kMin, true},
      {"only not_after: at it", Between(std::nullopt, 0), 0, false},
      {"dates and hours: both hold", office_from_monday, At(kTue, 10, 0), true},
      {"dates and hours: before the dates", office_from_monday, At(kMon, 10, 0), false},
      {"dates and hours: dates hold, hours not", office_from_monday, At(kTue, 18, 0), false},
      {"dates and hours: after the dates", office_from_monday, At(kWed, 13, 0), false},

      // Before 1970 the day and the minute still come out right
      // (1969-12-28T00:00:00Z was a Sunday, -345600).
      {"1970-01-01 was a Thursday", thursday, 0, true},
      {"1969-12-31 23:59:59 was a Wednesday", thursday, -1, false},
      {"1969-12-31 23:59:59 in Wed 23:00-24:00", wed_late, -1, true},
      {"1969-12-31 22:59:59 not in Wed 23:00-24:00", wed_late, -kHour - 1, false},
      {"1970-01-01 00:30 in Wed night 23:00-01:00", wed_wrap, 30 * kMinute, true},
      {"1970-01-01 01:00 not in Wed night", wed_wrap, kHour, false},
      {"1969-12-31 23:00 in Wed night", wed_wrap, -kHour, true},
      {"1969-12-28 was a Sunday", sunday, -345'600, true},
      {"1969-12-28 23:59:59", sunday, -345'600 + kDay - 1, true},
      {"1969-12-27 23:59:59 was a Saturday", sunday, -345'601, false},
      {"a Sunday in 1900", sunday, -2'177'625'600, true},  // 1900-12-30
      {"negative not_before", Between(-100, std::nullopt), -100, true},
      {"before a negative not_before", Between(-100, std::nullopt), -101, false},
      {"negative not_after", Between(std::nullopt, -100), -101, true},
      {"at a negative not_after", Between(std::nullopt, -100), -100, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.window.Contains(c.now), c.want) << c.name << " (now=" << c.now << ")";
  }
}

// Every minute of a week, against a window that wraps: exactly the evening
// of each listed day and the following morning are inside.
TEST(TimeWindowTest, WrappingWindowOverAWholeWeek) {
  const TimeWindow w = Window(Days({kTue, kSat}), 21, 15, 4, 45);
  int inside = 0;
  for (std::int64_t t = At(kSun, 0, 0); t < At(kSat + 1, 0, 0); t += kMinute) {
    const int day = static_cast<int>((t - kSunday) / kDay);
    const int minute = static_cast<int>((t - kSunday) % kDay / kMinute);
    const bool evening = minute >= 21 * 60 + 15 && (day == kTue || day == kSat);
    const bool morning = minute < 4 * 60 + 45 && (day == kWed || day == kSun);
    EXPECT_EQ(w.Contains(t), evening || morning) << "day " << day << " minute " << minute;
    inside += w.Contains(t) ? 1 : 0;
  }
  // Tue 21:15-Wed 04:45, Sat 21:15-24:00, and Sun 00:00-04:45 carried over
  // from the Saturday before.
  EXPECT_EQ(inside, (7 * 60 + 30) + (2 * 60 + 45) + (4 * 60 + 45));
}

TEST(ParseUtcTimeTest, GoodTimes) {
  // Each checked with `date -u -d TIME +%s`.
  const std::vector<std::pair<std::string, std::int64_t>> cases = {
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:00:01Z", 1},
      {"1970-01-02T00:00:00Z", 86'400},
      {"1999-12-31T23:59:59Z", 946'684'799},
      {"2000-02-29T12:34:56Z", 951'827'696},    // divisible by 400: a leap year
      {"2024-02-29T23:59:59Z", 1'709'251'199},  // leap day
      {"2026-11-22T00:00:00Z", 1'795'305'600},
      {"2026-11-24T00:00:00Z", 1'795'478'400},
      {"2038-01-19T03:14:08Z", 2'147'483'648},   // past 32-bit time_t
      {"2100-03-01T00:00:00Z", 4'107'542'400},   // 2100 is no leap year
      {"2400-02-29T00:00:00Z", 13'574'563'200},  // 2400 is
      {"9999-12-31T23:59:59Z", 253'402'300'799},
  };
  for (const auto& [text, want] : cases) {
    auto t = ParseUtcTime(text);
    ASSERT_TRUE(t.ok()) << text << ": " << t.error().message;
    EXPECT_EQ(*t, want) << text;
  }
}

TEST(ParseUtcTimeTest, EveryDayOf2024And2026) {
  // Consecutive days are 86400 s apart, through both leap and common years.
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int year : {2024, 2026}) {
    auto first = ParseUtcTime(std::to_string(year) + "-01-01T00:00:00Z");
    ASSERT_TRUE(first.ok());
    std::int64_t want = *first;
    for (int m = 1; m <= 12; ++m) {
      const int days = kMonthDays[m - 1] + (m == 2 && year % 4 == 0 ? 1 : 0);
      for (int d = 1; d <= days; ++d) {
        char text[32];
        std::snprintf(text, sizeof text, "%04d-%02d-%02dT00:00:00Z", year, m, d);
        auto t = ParseUtcTime(text);
        ASSERT_TRUE(t.ok()) << text;
        EXPECT_EQ(*t, want) << text;
        want += kDay;
      }
      char past_end[32];
      std::snprintf(past_end, sizeof past_end, "%04d-%02d-%02dT00:00:00Z", year, m, days + 1);
      EXPECT_FALSE(ParseUtcTime(past_end).ok()) << past_end;
    }
  }
}

TEST(ParseUtcTimeTest, HostileFormsAreRefused) {
  const std::vector<std::string> cases = {
      "",
      "2026-11-24",
      "2026-11-24T00:00",
      "2026-11-24T00:00Z",
      "2026-11-24T00:00:00",
      "2026-11-24T00:00:00z",
      "2026-11-24t00:00:00Z",
      "2026-11-24 00:00:00Z",
      "2026-11-24_00:00:00Z",
      "2026-11-24T00:00:00.0Z",
      "2026-11-24T00:00:00.000Z",
      "2026-11-24T00:00:00+00:00",
      "2026-11-24T00:00:00+0000",
      "2026-11-24T00:00:00UTC",
      "2026-11-24T00:00:00ZZ",
      " 2026-11-24T00:00:00Z",
      "2026-11-24T00:00:00Z ",
      "2026-11-24T00:00:00Z\n",
      "2026/11/24T00:00:00Z",
      "2026-11-24T00-00-00Z",
      "2026.11.24T00:00:00Z",
      "20261124T000000Z",
      "26-11-24T00:00:00Z",
      "02026-11-24T00:00:00Z",
      "+026-11-24T00:00:00Z",  // signs where digits belong
      "-026-11-24T00:00:00Z",
      "2026-+1-24T00:00:00Z",
      "2026-11-+4T00:00:00Z",
      "2026-11-24T+1:00:00Z",
      "2026-11-24T-1:00:00Z",
      "2026-11-24T00:-1:00Z",
      "2026-11-24T00:00:+1Z",
      "2026-1-024T00:00:00Z",  // the right length, digits in the wrong places
      "2026-11-2 T00:00:00Z",
      "2026-11-24T0 :00:00Z",
      "2026- 1-24T00:00:00Z",
      "2026-1a-24T00:00:00Z",
      "abcd-11-24T00:00:00Z",
      "2026-11-24T00:00:0aZ",
      "２０２６-11-24T00:00:00Z",  // full-width digits
      std::string("2026-11-24T00:00:00\0", 20),
      std::string("2026-11-24T00:00:0\0Z", 20),
      std::string("\0\0\0\0-11-24T00:00:00Z", 20),
      "1969-12-31T23:59:59Z",  // before 1970
      "0000-01-01T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "10000-01-01T00:00:00Z",
      "2026-00-10T00:00:00Z",  // impossible dates
      "2026-13-01T00:00:00Z",
      "2026-99-01T00:00:00Z",
      "2026-01-00T00:00:00Z",
      "2026-01-32T00:00:00Z",
      "2026-02-29T00:00:00Z",  // no leap year
      "2100-02-29T00:00:00Z",  // divisible by 100, not by 400
      "2026-02-30T00:00:00Z",
      "2024-02-30T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-06-31T00:00:00Z",
      "2026-09-31T00:00:00Z",
      "2026-11-31T00:00:00Z",
      "2026-11-24T24:00:00Z",  // impossible times
      "2026-11-24T23:60:00Z",
      "2026-11-24T23:59:60Z",  // leap seconds are not counted in unix time
      "2026-11-24T99:99:99Z",
      std::string(1 << 16, '2'),
  };
  for (const std::string& text : cases) {
    auto t = ParseUtcTime(text);
    EXPECT_FALSE(t.ok()) << "'" << text.substr(0, 40) << "' parsed as " << (t.ok() ? *t : 0);
    if (!t.ok()) {
      EXPECT_EQ(t.error().code, ErrorCode::kInvalidPolicy) << text.substr(0, 40);
    }
  }
  EXPECT_GE(cases.size(), 30u);
}

TEST(ParseMinuteOfDayTest, Table) {
  const std::vector<std::pair<std::string, std::uint16_t>> good = {
      {"00:00", 0},    {"00:01", 1},    {"09:30", 570},  {"12:00", 720},
      {"17:00", 1020}, {"23:59", 1439}, {"24:00", 1440},
  };
  for (const auto& [text, want] : good) {
    auto m = ParseMinuteOfDay(text);
    ASSERT_TRUE(m.ok()) << text;
    EXPECT_EQ(*m, want) << text;
  }
  const std::vector<std::string> bad = {
      "",
      "24:01",
      "23:60",
      "25:00",
      "99:99",
      "7:00",
      "07:0",
      "0700",
      "07-00",
      "07.00",
      "07:00 ",
      " 7:00",
      "07: 0",
      "+7:00",
      "07:+0",
      "-1:00",
      "07:-1",
      "ab:cd",
      "07:00:00",
      "07::0",
      "7:000",
      "0x:10",
      "１２:00",
      "12:00Z",
      "12h00",
      "noon",
      std::string("07:0\0", 5),
      std::string("\0\0:00", 5),
  };
  for (const std::string& text : bad) {
    auto m = ParseMinuteOfDay(text);
    EXPECT_FALSE(m.ok()) << "'" << text << "' parsed as " << (m.ok() ? *m : 0);
    if (!m.ok()) {
      EXPECT_EQ(m.error().code, ErrorCode::kInvalidPolicy);
    }
  }
}

TEST(ParseDayNameTest, Table) {
  const std::vector<std::pair<std::string, int>> good = {
      {"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4}, {"fri", 5}, {"sat", 6},
  };
  for (const auto& [text, want] : good) {
    auto d = ParseDayName(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(*d, want) << text;
  }
  const std::vector<std::string> bad = {
      "",  "Sun", "SUN",     "sunday", "su",   "s",    "mon ", " mon",
      "0", "7",   "sat,sun", "tues",   "thur", "weds", "mo",   std::string("sun\0", 4),
      "*",
  };
  for (const std::string& text : bad) {
    auto d = ParseDayName(text);
    EXPECT_FALSE(d.ok()) << "'" << text << "' parsed as " << (d.ok() ? *d : -1);
    if (!d.ok()) {
      EXPECT_EQ(d.error().code, ErrorCode::kInvalidPolicy);
    }
  }
}

}  // namespace
}  // namespace keyhold::policies
