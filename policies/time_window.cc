#include "policies/time_window.h"

#include <charconv>

namespace keyhold::policies {
namespace {

constexpr std::int64_t kDay = 86400;

// DaysFromCivil counts days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (Howard Hinnant's algorithm, as std::chrono uses).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, unsigned* out) {
  if (s.empty()) {
    return false;
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && s[0] != '+' && s[0] != '-';
}

Error Bad(std::string_view what) {
  return Error{ErrorCode::kInvalidPolicy, std::string(what)};
}

}  // namespace

bool TimeWindow::Contains(std::int64_t now) const {
  if ((not_before && now < *not_before) || (not_after && now >= *not_after)) {
    return false;
  }
  // Floor division: times before 1970 still fall on the right day.
  std::int64_t day = now / kDay;
  std::int64_t second = now % kDay;
  if (second < 0) {
    second += kDay;
    --day;
  }
  const auto minute = static_cast<std::uint16_t>(second / 60);
  const auto weekday = [](std::int64_t d) {  // 1970-01-01 was a Thursday (4)
    return static_cast<unsigned>(((d % 7) + 7 + 4) % 7);
  };
  const auto on = [&](std::int64_t d) { return (days >> weekday(d) & 1U) != 0; };
  if (from_minute <= to_minute) {
    return on(day) && minute >= from_minute && minute < to_minute;
  }
  // Wraps midnight: the evening belongs to today, the morning to yesterday.
  return (minute >= from_minute && on(day)) || (minute < to_minute && on(day - 1));
}

Result<int> ParseDayName(std::string_view day) {
  static constexpr std::string_view kNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  for (int i = 0; i < 7; ++i) {
    if (day == kNames[i]) {
      return i;
    }
  }
  return Bad("not a day (sun, mon, tue, wed, thu, fri, sat)");
}

Result<std::uint16_t> ParseMinuteOfDay(std::string_view text) {
  unsigned h = 0;
  unsigned m = 0;
  if (text.size() != 5 || text[2] != ':' || !Digits(text.substr(0, 2), &h) ||
      !Digits(text.substr(3, 2), &m) || m > 59 || h > 24 || (h == 24 && m != 0)) {
    return Bad("not a time of day HH:MM (00:00 to 24:00, UTC)");
  }
  return static_cast<std::uint16_t>(h * 60 + m);
}

Result<std::int64_t> ParseUtcTime(std::string_view t) {
  unsigned y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  unsigned h = 0;
  unsigned mi = 0;
  unsigned s = 0;
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':' || t[19] != 'Z' || !Digits(t.substr(0, 4), &y) || !Digits(t.substr(5, 2), &mo) ||
      !Digits(t.substr(8, 2), &d) || !Digits(t.substr(11, 2), &h) ||
      !Digits(t.substr(14, 2), &mi) || !Digits(t.substr(17, 2), &s)) {
    return Bad("not a UTC time YYYY-MM-DDTHH:MM:SSZ");
  }
  static constexpr unsigned kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > kMonthDays[mo - 1] ||
      (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || s > 59) {
    return Bad("not a valid UTC time from 1970 on");
  }
  return DaysFromCivil(y, mo, d) * kDay + h * 3600 + mi * 60 + s;
}

}  // namespace keyhold::policies
