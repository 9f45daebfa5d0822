// TimeWindow: when a rule's conditions allow a call, in UTC: days of the
// week, a daily range of minutes, and an absolute not_before / not_after.
// A window whose `from` is after its `to` wraps midnight (22:00-06:00), and
// belongs to the day it starts on. Pure (the time is passed in),
// thread-safe. May include: std, crypto/error.h.
#ifndef KEYHOLD_POLICIES_TIME_WINDOW_H_
#define KEYHOLD_POLICIES_TIME_WINDOW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/error.h"

namespace keyhold::policies {

struct TimeWindow {
  std::uint8_t days = 0x7f;                // bit d: day d (0 = Sunday)
  std::uint16_t from_minute = 0;           // minutes after 00:00 UTC
  std::uint16_t to_minute = 1440;          // exclusive; 1440 = end of day
  std::optional<std::int64_t> not_before;  // unix seconds, inclusive
  std::optional<std::int64_t> not_after;   // unix seconds, exclusive

  // Contains is true when `now` (unix seconds) is inside the window.
  bool Contains(std::int64_t now) const;
};

// ParseDayName maps "sun".."sat" to 0..6.
Result<int> ParseDayName(std::string_view day);
// ParseMinuteOfDay maps "HH:MM" (00:00..24:00) to minutes.
Result<std::uint16_t> ParseMinuteOfDay(std::string_view text);
// ParseUtcTime maps "YYYY-MM-DDTHH:MM:SSZ" to unix seconds.
Result<std::int64_t> ParseUtcTime(std::string_view text);

}  // namespace keyhold::policies

#endif  // KEYHOLD_POLICIES_TIME_WINDOW_H_
