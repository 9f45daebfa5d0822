#include "kms/logger.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace keyhold::kms {
namespace {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string Now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // sized for any int, so the format cannot truncate
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long>(micros));
  return buf;
}

void WriteStderr(std::string_view line) {
  std::string out(line);
  out.push_back('\n');
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::write(STDERR_FILENO, out.data() + done, out.size() - done);
    if (n <= 0) {
      return;  // nowhere left to report a failing stderr
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

Logger::Logger(LogLevel min_level) : Logger(min_level, WriteStderr) {}

Logger::Logger(LogLevel min_level, std::function<void(std::string_view)> sink)
    : min_level_(min_level), sink_(std::move(sink)) {}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) {
    return;
  }
  nlohmann::ordered_json line;
  line["time"] = Now();
  line["level"] = LevelName(level);
  line["msg"] = msg;
  for (const LogField& f : fields) {
    std::visit([&](const auto& v) { line[std::string(f.key)] = v; }, f.value);
  }
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mu_);
  sink_(text);
}

}  // namespace keyhold::kms
