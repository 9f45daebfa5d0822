#include "kms/audit/audit_export.h"

#include "kms/audit/audit_record.h"

namespace keyhold::kms {
namespace {

using Json = nlohmann::json;

std::string Text(const Json& record, const char* name) {
  auto it = record.find(name);
  if (it == record.end() || it->is_null()) {
    return "";
  }
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// CEF escapes: '\' and '|' in the header; '\', '=' and line breaks in
// extension values. Other control characters cannot be escaped in CEF, so
// they become '?' rather than split or forge a field.
std::string CefHeader(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '|') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

std::string CefValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '=') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

// 0-10: what a SIEM ranks. Denials and failures stand out; checkpoints and
// intents are routine.
int CefSeverity(std::string_view decision, std::string_view type) {
  if (type == "system" && decision == "error") {
    return 9;  // an integrity finding or an outage of the log itself
  }
  return decision == "deny" ? 7 : decision == "error" ? 5 : 3;
}

// RFC 5424 PRINTUSASCII, no spaces, bounded; otherwise the nil value.
std::string HeaderField(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) {
    return "-";
  }
  for (char c : s) {
    if (c < 33 || c > 126) {
      return "-";
    }
  }
  return std::string(s);
}

}  // namespace

Result<AuditExportFormat> ParseAuditExportFormat(std::string_view name) {
  if (name == "jsonl") {
    return AuditExportFormat::kJsonl;
  }
  if (name == "cef") {
    return AuditExportFormat::kCef;
  }
  if (name == "syslog") {
    return AuditExportFormat::kSyslog;
  }
  return MakeError(ErrorCode::kInvalidRequest, "the format must be jsonl, cef or syslog");
}

std::string FormatAuditCef(const AuditEntry& e) {
  const Json& r = e.record;
  const std::string type = Text(r, "type");
  const std::string operation =
      type == "checkpoint" ? "checkpoint " + Text(r, "reason") : Text(r, "operation");
  std::string out = "CEF:0|Keyhold|Keyhold|" + std::to_string(kAuditFormatVersion) + "|" +
                    CefHeader(type + ":" + operation) + "|" + CefHeader(operation) + "|" +
                    std::to_string(CefSeverity(Text(r, "decision"), type)) + "|";
  bool first = true;
  const auto ext = [&out, &first](std::string_view name, const std::string& value) {
    if (!value.empty()) {
      if (!first) {
        out += ' ';  // not after the header, whatever the last value ended with
      }
      first = false;
      out += name;
      out += '=';
      out += CefValue(value);
    }
  };
  // rt in milliseconds since the epoch, as CEF expects.
  const std::int64_t ms = e.time_us / 1000 - (e.time_us % 1000 < 0 ? 1 : 0);
  ext("rt", std::to_string(ms));
  ext("externalId", Text(r, "request_id"));
  ext("suser", Text(r, "principal"));
  ext("src", Text(r, "source"));
  ext("act", Text(r, "decision"));
  ext("reason", Text(r, "reason"));
  ext("outcome", Text(r, "status"));
  ext("cs1Label", "key");
  ext("cs1", Text(r, "key"));
  ext("cs2Label", "keyVersion");
  ext("cs2", Text(r, "key_version"));
  ext("cs3Label", "contextDigest");
  ext("cs3", Text(r, "context_digest"));
  ext("cs4Label", "auth");
  ext("cs4", Text(r, "auth"));
  ext("cs5Label", "justification");
  ext("cs5", Text(r, "justification"));
  ext("cn1Label", "seq");
  ext("cn1", std::to_string(e.seq));
  ext("cn2Label", "latencyMicros");
  ext("cn2", Text(r, "latency_us"));
  return out;
}

std::string FormatAuditSyslog(const AuditEntry& e, std::string_view hostname,
                              std::string_view app_name) {
  // Facility 13 is "log audit"; the severity follows the decision.
  const std::string decision = Text(e.record, "decision");
  const std::string type = Text(e.record, "type");
  const int severity = type == "system" && decision == "error" ? 2  // critical
                       : decision == "deny"                    ? 4  // warning
                       : decision == "error"                   ? 3  // error
                       : type == "checkpoint"                  ? 5  // notice
                                                               : 6;                  // informational
  return "<" + std::to_string(13 * 8 + severity) + ">1 " + Rfc3339Micros(e.time_us) + " " +
         HeaderField(hostname, 255) + " " + HeaderField(app_name, 48) + " - " +
         HeaderField(type, 32) + " - " + e.line;
}

std::string FormatAuditExport(const AuditEntry& entry, AuditExportFormat format,
                              std::string_view hostname) {
  switch (format) {
    case AuditExportFormat::kCef:
      return FormatAuditCef(entry);
    case AuditExportFormat::kSyslog:
      return FormatAuditSyslog(entry, hostname);
    case AuditExportFormat::kJsonl:
      break;
  }
  return entry.line;
}

}  // namespace keyhold::kms
