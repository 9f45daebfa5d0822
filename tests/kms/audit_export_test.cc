// Tests for kms/audit/audit_export.h: the forms a SIEM reads (CEF, RFC 5424
// syslog, jsonl) of records built from real lines (FormatEventLine and
// FormatCheckpointLine, read back with ParseAuditEntry).
//
// Audit fields hold what callers chose (principal, key name, justification
// text), so the exports are attacked with a table of hostile values: a CEF
// line must stay one line, keep exactly 7 header separators, and never let a
// value forge another key=value; a syslog header must stay RFC 5424 whatever
// the hostname, and carry the stored line untouched as its MSG; jsonl must be
// the stored line byte for byte, so that an export can still be verified.
#include "kms/audit/audit_export.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kms/audit/audit_record.h"
#include "tests/testlib/audit_keys.h"

namespace keyhold::kms {
namespace {

using testing::FixedKey;
using testing::FixedSigner;

constexpr std::int64_t kTime = 1'795'478'400'123'456;  // 2026-11-24T00:00:00.123456Z

AuditEvent Event() {
  AuditEvent e;
  e.time_us = kTime;
  e.request_id = "req-1";
  e.principal = "app";
  e.auth = "token:0123456789abcdef";
  e.source = "127.0.0.1";
  e.operation = "POST /v1/keys/{tenant}/{name}/unwrap";
  e.key = "acme/app";
  e.key_version = 7;
  e.decision = "allow";
  e.reason = "ok";
  e.status = 200;
  e.latency_us = 42;
  return e;
}

// A CEF line taken apart the way a strict SIEM parser would.
struct Cef {
  std::vector<std::string> header;  // the 7 header fields, unescaped
  std::vector<std::string> keys;    // extension keys, in order
  std::map<std::string, std::string> ext;
  std::string error;  // non-empty if the line does not parse
};

bool Alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

Cef ParseCef(const std::string& line) {
  Cef out;
  std::size_t i = 0;
  std::string field;
  while (out.header.size() < 7) {
    if (i >= line.size()) {
      out.error = "the header ends after " + std::to_string(out.header.size()) + " fields";
      return out;
    }
    const char c = line[i++];
    if (c == '\\') {
      if (i >= line.size() || (line[i] != '\\' && line[i] != '|')) {
        out.error = "bad escape in the header at " + std::to_string(i);
        return out;
      }
      field += line[i++];
    } else if (c == '|') {
      out.header.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  const std::string ext = line.substr(i);
  // Every unescaped '=' ends a key: the run of letters and digits before it,
  // which must start the extension or follow a space.
  std::vector<std::size_t> eqs;
  for (std::size_t j = 0; j < ext.size(); ++j) {
    if (ext[j] == '\\') {
      ++j;  // whatever follows is escaped
    } else if (ext[j] == '=') {
      eqs.push_back(j);
    }
  }
  std::vector<std::size_t> key_start;
  for (std::size_t eq : eqs) {
    std::size_t s = eq;
    while (s > 0 && Alnum(ext[s - 1])) {
      --s;
    }
    if (s == eq || (s != 0 && ext[s - 1] != ' ')) {
      out.error = "an unescaped '=' at " + std::to_string(eq) +
                  " of the extension does not follow a key: '" + ext.substr(0, eq + 1) + "'";
      return out;
    }
    if (!key_start.empty() && s == 0) {
      out.error = "a key at the start of the extension twice";
      return out;
    }
    key_start.push_back(s);
  }
  if (!ext.empty() && (key_start.empty() || key_start[0] != 0)) {
    out.error = "the extension does not start with a key";
    return out;
  }
  for (std::size_t k = 0; k < eqs.size(); ++k) {
    const std::string key = ext.substr(key_start[k], eqs[k] - key_start[k]);
    const std::size_t end = k + 1 < eqs.size() ? key_start[k + 1] - 1 : ext.size();
    const std::string raw = ext.substr(eqs[k] + 1, end - eqs[k] - 1);
    std::string value;
    for (std::size_t j = 0; j < raw.size(); ++j) {
      if (raw[j] != '\\') {
        value += raw[j];
        continue;
      }
      const char n = j + 1 < raw.size() ? raw[++j] : '\0';
      if (n == '\\' || n == '=') {
        value += n;
      } else if (n == 'n') {
        value += '\n';
      } else if (n == 'r') {
        value += '\r';
      } else {
        out.error = "bad escape in the value of " + key;
        return out;
      }
    }
    if (out.ext.count(key) != 0) {
      out.error = "key " + key + " twice";
      return out;
    }
    out.keys.push_back(key);
    out.ext[key] = value;
  }
  return out;
}

// What CEF keeps of a value: line breaks survive (escaped), other control
// characters cannot be represented and become '?'.
std::string CefKept(std::string_view s, bool keep_breaks) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 || u == 0x7f) && !(keep_breaks && (c == '\n' || c == '\r'))) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

std::string NoDel(std::string s) {
  std::replace(s.begin(), s.end(), '\x7f', '?');
  return s;
}

struct HostileRow {
  const char* name;
  std::string value;
};

std::vector<HostileRow> HostileValues() {
  return {
      {"pipe", "a|b"},
      {"leading pipe", "|a"},
      {"trailing pipe", "a|"},
      {"only pipes", "|||"},
      {"equals", "a=b"},
      {"forged pair", "x suser=root act=allow"},
      {"forged pair after space", "x cs1=other/key"},
      {"trailing equals", "a="},
      {"backslash", "a\\b"},
      {"trailing backslash", "a\\"},
      {"escaped equals attempt", "a\\=b"},
      {"escaped pipe attempt", "a\\|b"},
      {"newline", "a\nb"},
      {"newline forging a line", "x\nCEF:0|Evil|Evil|1|x|x|10|act=allow"},
      {"carriage return", "a\rb"},
      {"crlf", "a\r\nb"},
      {"nul", std::string("a\0b", 3)},
      {"tab", "a\tb"},
      {"escape char", "a\x1b[31mb"},
      {"del", "a\x7f"},
      {"control mix", "\x01\x02\x1f"},
      {"utf8", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x91"},
      {"utf8 with pipe and equals", "\xc3\xa9|=\xc3\xa9"},
      {"unicode line separator", "a\xe2\x80\xa8z"},
      {"everything", "|=\\\n\r\x01\x7f\xc3\xa9|"},
  };
}

class AuditExportTest : public ::testing::Test {
 protected:
  // The stored line for `e`, and the entry read back from it.
  AuditEntry Entry(const AuditEvent& e) {
    auto line = FormatEventLine(e, keys_, /*sign=*/true, &chain_);
    EXPECT_TRUE(line.ok()) << line.error().message;
    auto entry = ParseAuditEntry(*line);
    EXPECT_TRUE(entry.ok()) << entry.error().message;
    EXPECT_EQ(entry->line, *line);
    return std::move(entry).value();
  }
  AuditEntry Checkpoint(std::string_view reason) {
    auto line = FormatCheckpointLine(kTime, reason, keys_, &chain_);
    EXPECT_TRUE(line.ok()) << line.error().message;
    auto entry = ParseAuditEntry(*line);
    EXPECT_TRUE(entry.ok()) << entry.error().message;
    return std::move(entry).value();
  }

  // One row of the hostile table: every caller-chosen field holds the value.
  void CheckHostileCef(const HostileRow& row) {
    AuditEvent e = Event();
    e.request_id = "rid" + row.value;
    e.principal = row.value;
    e.auth = "auth" + row.value;
    e.source = "src" + row.value;
    e.operation = "op" + row.value;
    e.key = row.value;
    e.context_digest = "cd" + row.value;
    e.justification_code = "code" + row.value;
    e.justification_text = row.value;
    e.reason = row.value;
    e.decision = "deny";
    chain_ = ChainState{};  // every row is seq 1
    const AuditEntry entry = Entry(e);
    const std::string cef = FormatAuditCef(entry);

    // One line, no control characters at all.
    EXPECT_EQ(cef.find('\n'), std::string::npos) << cef;
    EXPECT_EQ(cef.find('\r'), std::string::npos) << cef;
    for (char c : cef) {
      const auto u = static_cast<unsigned char>(c);
      EXPECT_FALSE(u < 0x20 || u == 0x7f) << "control byte " << int(u) << " in " << cef;
    }

    const Cef parsed = ParseCef(cef);
    ASSERT_EQ(parsed.error, "") << cef;
    ASSERT_EQ(parsed.header.size(), 7u);
    EXPECT_EQ(parsed.header[0], "CEF:0");
    EXPECT_EQ(parsed.header[1], "Keyhold");
    EXPECT_EQ(parsed.header[2], "Keyhold");
    EXPECT_EQ(parsed.header[3], "1");
    EXPECT_EQ(parsed.header[4], CefKept("request:op" + row.value, false));
    EXPECT_EQ(parsed.header[5], CefKept("op" + row.value, false));
    EXPECT_EQ(parsed.header[6], "7");  // deny

    // Exactly the keys Keyhold writes, in its order: none forged.
    const std::vector<std::string> want_keys = {
        "rt",       "externalId", "suser",    "src",      "act",      "reason",   "outcome",
        "cs1Label", "cs1",        "cs2Label", "cs2",      "cs3Label", "cs3",      "cs4Label",
        "cs4",      "cs5Label",   "cs5",      "cn1Label", "cn1",      "cn2Label", "cn2"};
    EXPECT_EQ(parsed.keys, want_keys) << cef;
    const auto ext = [&](const std::string& k) {
      auto it = parsed.ext.find(k);
      return it == parsed.ext.end() ? std::string("<absent>") : it->second;
    };
    EXPECT_EQ(ext("suser"), CefKept(row.value, true));
    EXPECT_EQ(ext("cs1"), CefKept(row.value, true));
    EXPECT_EQ(ext("reason"), CefKept(row.value, true));
    EXPECT_EQ(ext("externalId"), CefKept("rid" + row.value, true));
    EXPECT_EQ(ext("src"), CefKept("src" + row.value, true));
    EXPECT_EQ(ext("cs3"), CefKept("cd" + row.value, true));
    EXPECT_EQ(ext("cs4"), CefKept("auth" + row.value, true));
    EXPECT_EQ(ext("act"), "deny");
    EXPECT_EQ(ext("outcome"), "200");
    EXPECT_EQ(ext("cs2"), "7");
    EXPECT_EQ(ext("cn1"), "1");
    EXPECT_EQ(ext("cn2"), "42");
    EXPECT_EQ(ext("rt"), "1795478400123");
    // The justification is its JSON, which reads back to what was given
    // (JSON escapes control characters but not DEL, which CEF turns to '?').
    const auto justification = nlohmann::json::parse(ext("cs5"), nullptr, false);
    ASSERT_FALSE(justification.is_discarded()) << ext("cs5");
    EXPECT_EQ(justification, (nlohmann::json{{"reason_code", NoDel("code" + row.value)},
                                             {"text", NoDel(row.value)}}));
  }

  crypto::SecretBytes mac_key_ = FixedKey(1);
  crypto::Ed25519Signer signer_ = FixedSigner();
  AuditKeys keys_{&mac_key_, &signer_};
  ChainState chain_;
};

TEST_F(AuditExportTest, CefLineOfHostileFieldsStaysOneLineWithItsFields) {
  for (const HostileRow& row : HostileValues()) {
    SCOPED_TRACE(row.name);
    CheckHostileCef(row);
  }
}

// A value ending in '|' must not swallow the space that separates it from
// the next key: "suser=x|src=..." makes "x|src" the key of the next '='.
TEST_F(AuditExportTest, CefValueEndingInPipeKeepsTheSeparator) {
  AuditEvent e = Event();
  e.principal = "x|";
  const std::string cef = FormatAuditCef(Entry(e));
  EXPECT_NE(cef.find(" suser=x| src=127.0.0.1 "), std::string::npos) << cef;
}

TEST_F(AuditExportTest, CefOmitsEmptyFieldsAndRanksSeverity) {
  struct Row {
    const char* type;
    const char* decision;
    const char* severity;
  };
  for (const Row& row :
       {Row{"request", "allow", "3"}, Row{"request", "deny", "7"}, Row{"request", "error", "5"},
        Row{"system", "allow", "3"}, Row{"system", "error", "9"}}) {
    SCOPED_TRACE(std::string(row.type) + " " + row.decision);
    AuditEvent e;
    e.time_us = kTime;
    e.type = row.type;
    e.operation = "audit.recovery";
    e.decision = row.decision;
    e.reason = "ok";
    e.status = 0;
    const Cef parsed = ParseCef(FormatAuditCef(Entry(e)));
    ASSERT_EQ(parsed.error, "");
    EXPECT_EQ(parsed.header[4], std::string(row.type) + ":audit.recovery");
    EXPECT_EQ(parsed.header[6], row.severity);
    // No principal, source, key, version, digest, auth or justification.
    for (const char* absent : {"suser", "src", "externalId", "cs1", "cs2", "cs3", "cs4", "cs5"}) {
      EXPECT_EQ(parsed.ext.count(absent), 0u) << absent;
    }
    EXPECT_EQ(parsed.ext.at("act"), row.decision);
  }
}

TEST_F(AuditExportTest, CefOfACheckpointNamesItsReason) {
  (void)Entry(Event());
  const AuditEntry entry = Checkpoint("unseal");
  const Cef parsed = ParseCef(FormatAuditCef(entry));
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.header[4], "checkpoint:checkpoint unseal");
  EXPECT_EQ(parsed.header[5], "checkpoint unseal");
  EXPECT_EQ(parsed.header[6], "3");
  EXPECT_EQ(parsed.ext.at("reason"), "unseal");
  EXPECT_EQ(parsed.ext.at("cn1"), "2");
  EXPECT_EQ(parsed.ext.count("act"), 0u);
}

TEST_F(AuditExportTest, CefTimeIsFlooredMilliseconds) {
  struct Row {
    std::int64_t us;
    const char* rt;
  };
  for (const Row& row : {Row{0, "0"}, Row{999, "0"}, Row{1'000, "1"}, Row{-1, "-1"},
                         Row{-1'000, "-1"}, Row{-1'001, "-2"}, Row{kTime, "1795478400123"}}) {
    SCOPED_TRACE(row.us);
    AuditEvent e = Event();
    e.time_us = row.us;
    const Cef parsed = ParseCef(FormatAuditCef(Entry(e)));
    ASSERT_EQ(parsed.error, "");
    EXPECT_EQ(parsed.ext.at("rt"), row.rt);
  }
}

// An RFC 5424 message as Keyhold writes it:
// <PRI>1 TIMESTAMP HOSTNAME APP-NAME - MSGID - MSG
struct Syslog {
  int pri = -1;
  std::string timestamp, hostname, app, msgid, msg;
  std::string error;
};

bool PrintUsAscii(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) {
    return false;
  }
  for (char c : s) {
    if (c < 33 || c > 126) {
      return false;
    }
  }
  return true;
}

Syslog ParseSyslog(const std::string& m) {
  Syslog out;
  if (m.empty() || m[0] != '<') {
    out.error = "no PRI";
    return out;
  }
  const std::size_t gt = m.find('>');
  if (gt == std::string::npos || gt < 2 || gt > 4 ||
      m.substr(1, gt - 1).find_first_not_of("0123456789") != std::string::npos ||
      (gt > 2 && m[1] == '0')) {
    out.error = "bad PRI";
    return out;
  }
  out.pri = std::stoi(m.substr(1, gt - 1));
  if (out.pri > 191 || m.compare(gt + 1, 2, "1 ") != 0) {
    out.error = "bad PRI or VERSION";
    return out;
  }
  std::size_t at = gt + 3;
  std::vector<std::string> fields;
  for (int i = 0; i < 6; ++i) {
    const std::size_t sp = m.find(' ', at);
    if (sp == std::string::npos) {
      out.error = "the header ends early";
      return out;
    }
    fields.push_back(m.substr(at, sp - at));
    at = sp + 1;
  }
  out.timestamp = fields[0];
  out.hostname = fields[1];
  out.app = fields[2];
  out.msgid = fields[4];
  out.msg = m.substr(at);
  if (fields[3] != "-" || fields[5] != "-") {
    out.error = "PROCID or STRUCTURED-DATA is not the nil value";
  } else if (!PrintUsAscii(out.hostname, 255) || !PrintUsAscii(out.app, 48) ||
             !PrintUsAscii(out.msgid, 32)) {
    out.error = "a header field is not 1*N PRINTUSASCII";
  }
  return out;
}

TEST_F(AuditExportTest, SyslogPriorityFollowsTheDecision) {
  struct Row {
    const char* type;
    const char* decision;
    int pri;
  };
  // Facility 13 (log audit) * 8 + severity.
  for (const Row& row :
       {Row{"request", "allow", 110}, Row{"request", "deny", 108}, Row{"request", "error", 107},
        Row{"system", "error", 106}, Row{"system", "allow", 110}, Row{"system", "deny", 108}}) {
    SCOPED_TRACE(std::string(row.type) + " " + row.decision);
    AuditEvent e = Event();
    e.type = row.type;
    e.decision = row.decision;
    const AuditEntry entry = Entry(e);
    const std::string m = FormatAuditSyslog(entry, "kms-1.example.com");
    const Syslog s = ParseSyslog(m);
    ASSERT_EQ(s.error, "") << m;
    EXPECT_EQ(s.pri, row.pri);
    EXPECT_EQ(s.timestamp, "2026-11-24T00:00:00.123456Z");
    EXPECT_EQ(s.hostname, "kms-1.example.com");
    EXPECT_EQ(s.app, "keyhold");
    EXPECT_EQ(s.msgid, row.type);
    EXPECT_EQ(s.msg, entry.line);
    EXPECT_EQ(m, "<" + std::to_string(row.pri) + ">1 2026-11-24T00:00:00.123456Z " +
                     "kms-1.example.com keyhold - " + row.type + " - " + entry.line);
  }
  const AuditEntry checkpoint = Checkpoint("unseal");
  const Syslog s = ParseSyslog(FormatAuditSyslog(checkpoint, "h"));
  ASSERT_EQ(s.error, "");
  EXPECT_EQ(s.pri, 109);
  EXPECT_EQ(s.msgid, "checkpoint");
  EXPECT_EQ(s.msg, checkpoint.line);
}

TEST_F(AuditExportTest, SyslogHostileHostnamesBecomeNil) {
  const AuditEntry entry = Entry(Event());
  struct Row {
    const char* name;
    std::string hostname;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"plain", "kms-1", "kms-1"},
      {"ip", "10.0.0.1", "10.0.0.1"},
      {"255 chars", std::string(255, 'a'), std::string(255, 'a')},
      {"empty", "", "-"},
      {"space", "evil host", "-"},
      {"leading space", " host", "-"},
      {"trailing space", "host ", "-"},
      {"256 chars", std::string(256, 'a'), "-"},
      {"300 chars", std::string(300, 'h'), "-"},
      {"non-ASCII", "h\xc3\xb4st", "-"},
      {"newline", "host\n<13>1 forged", "-"},
      {"tab", "a\tb", "-"},
      {"nul", std::string("a\0b", 3), "-"},
      {"del", "host\x7f", "-"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const std::string m = FormatAuditSyslog(entry, row.hostname);
    const Syslog s = ParseSyslog(m);
    ASSERT_EQ(s.error, "") << m;
    EXPECT_EQ(s.hostname, row.want);
    EXPECT_EQ(s.app, "keyhold");
    EXPECT_EQ(s.msg, entry.line);
    EXPECT_EQ(m.find('\n'), std::string::npos);
  }
}

TEST_F(AuditExportTest, SyslogHostileAppNamesBecomeNil) {
  const AuditEntry entry = Entry(Event());
  EXPECT_EQ(ParseSyslog(FormatAuditSyslog(entry, "h", std::string(48, 'x'))).app,
            std::string(48, 'x'));
  for (const std::string& app : {std::string(49, 'x'), std::string(""), std::string("a b"),
                                 std::string("\xc3\xa9"), std::string("a\nb")}) {
    SCOPED_TRACE(app);
    const Syslog s = ParseSyslog(FormatAuditSyslog(entry, "h", app));
    ASSERT_EQ(s.error, "");
    EXPECT_EQ(s.app, "-");
    EXPECT_EQ(s.msg, entry.line);
  }
}

TEST_F(AuditExportTest, SyslogMsgIsTheStoredLineForHostileFields) {
  for (const HostileRow& row : HostileValues()) {
    SCOPED_TRACE(row.name);
    AuditEvent e = Event();
    e.principal = row.value;
    e.key = row.value;
    e.reason = row.value;
    e.justification_code = "c";
    e.justification_text = row.value;
    const AuditEntry entry = Entry(e);
    const std::string m = FormatAuditSyslog(entry, "h");
    const Syslog s = ParseSyslog(m);
    ASSERT_EQ(s.error, "") << m;
    EXPECT_EQ(s.msg, entry.line);
    // The stored line is ASCII-only JSON, so the message stays one line.
    EXPECT_EQ(m.find('\n'), std::string::npos);
    EXPECT_EQ(m.find('\r'), std::string::npos);
  }
}

TEST_F(AuditExportTest, JsonlIsTheStoredLineByteForByte) {
  AuditEvent e = Event();
  e.principal = "caf\xc3\xa9|=\\\n";
  e.justification_code = "c";
  e.justification_text = "text";
  auto line = FormatEventLine(e, keys_, /*sign=*/true, &chain_);
  ASSERT_TRUE(line.ok());
  auto entry = ParseAuditEntry(*line);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(FormatAuditExport(*entry, AuditExportFormat::kJsonl, "h"), *line);
  // Still a record that parses with its authenticators.
  auto parsed = ParseLine(FormatAuditExport(*entry, AuditExportFormat::kJsonl, "h"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->mac.has_value());
  EXPECT_TRUE(parsed->sig.has_value());

  EXPECT_EQ(FormatAuditExport(*entry, AuditExportFormat::kCef, "h"), FormatAuditCef(*entry));
  EXPECT_EQ(FormatAuditExport(*entry, AuditExportFormat::kSyslog, "host-9"),
            FormatAuditSyslog(*entry, "host-9"));
  EXPECT_NE(FormatAuditExport(*entry, AuditExportFormat::kSyslog, "host-9"),
            FormatAuditSyslog(*entry, "host-8"));
}

TEST(AuditExportFormatTest, ParsesTheThreeNamesOnly) {
  auto jsonl = ParseAuditExportFormat("jsonl");
  auto cef = ParseAuditExportFormat("cef");
  auto syslog = ParseAuditExportFormat("syslog");
  ASSERT_TRUE(jsonl.ok());
  ASSERT_TRUE(cef.ok());
  ASSERT_TRUE(syslog.ok());
  EXPECT_EQ(*jsonl, AuditExportFormat::kJsonl);
  EXPECT_EQ(*cef, AuditExportFormat::kCef);
  EXPECT_EQ(*syslog, AuditExportFormat::kSyslog);
  for (std::string_view bad :
       {std::string_view(""), std::string_view("json"), std::string_view("JSONL"),
        std::string_view("Cef"), std::string_view("cef "), std::string_view(" syslog"),
        std::string_view("syslog\0", 7), std::string_view("rfc5424"), std::string_view("leef")}) {
    SCOPED_TRACE(std::string(bad));
    auto r = ParseAuditExportFormat(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  }
}

}  // namespace
}  // namespace keyhold::kms
