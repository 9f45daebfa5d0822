// Logger: operational logs as JSON lines on stderr (or a sink in tests).
//
// Each line is {"time", "level", "msg", ...fields}, written with one write
// so lines from different threads never interleave. Only the fields a caller
// names are written: there is no way to log a request body, a header or a
// secret by accident, and callers must never pass secret bytes as a field
// value. Thread-safe.
#ifndef KEYHOLD_KMS_LOGGER_H_
#define KEYHOLD_KMS_LOGGER_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

namespace keyhold::kms {

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn, kError };

struct LogField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, bool> value;
};

class Logger {
 public:
  // A logger writing to stderr.
  explicit Logger(LogLevel min_level);
  // A logger handing each line (without the newline) to `sink`.
  Logger(LogLevel min_level, std::function<void(std::string_view line)> sink);

  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
  bool Enabled(LogLevel level) const { return level >= min_level_; }

 private:
  LogLevel min_level_;
  std::function<void(std::string_view)> sink_;
  std::mutex mu_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_LOGGER_H_
