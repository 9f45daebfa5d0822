#include "cli/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/audit_commands.h"
#include "cli/byok_commands.h"
#include "cli/context_args.h"
#include "cli/file_commands.h"
#include "cli/local_error.h"
#include "cli/print_key.h"
#include "cli/session.h"
#include "cli/xks_commands.h"
#include "client/https_client.h"
#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"
#include "kms/clock.h"
#include "kms/config.h"
#include "kms/server/run.h"
#include "policies/approval_digest.h"
#include "policies/evaluate.h"
#include "policies/policy.h"
#include "policies/policy_set.h"
#include "policies/time_window.h"

namespace keyhold::cli {
namespace {

std::uint64_t ParseDuration(const std::string& text) {
  // "90d", "12h", "30m", "45s" or a bare number of seconds.
  if (text.empty()) {
    throw LocalError{"empty duration"};
  }
  std::uint64_t unit = 1;
  std::string digits = text;
  switch (text.back()) {
    case 'd':
      unit = 86400;
      digits.pop_back();
      break;
    case 'h':
      unit = 3600;
      digits.pop_back();
      break;
    case 'm':
      unit = 60;
      digits.pop_back();
      break;
    case 's':
      digits.pop_back();
      break;
    default:
      break;
  }
  if (digits.empty() || digits.size() > 12 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    throw LocalError{"'" + text + "' is not a duration such as 90d, 12h, 30m or 45s"};
  }
  return std::stoull(digits) * unit;
}

Json ContextJson(const std::vector<std::string>& pairs) {
  Json ctx = Json::object();
  for (auto& [k, v] : ParseContextArgs(pairs)) {
    ctx[k] = v;
  }
  return ctx;
}

std::string ReadAll(std::istream& in, std::size_t max) {
  std::string data;
  char buf[4096];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(in.gcount()));
    if (data.size() > max) {
      throw LocalError{"input larger than " + std::to_string(max) + " bytes"};
    }
  }
  return data;
}

std::string ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw LocalError{"cannot read " + path};
  }
  std::string s = ReadAll(in, 4096);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.pop_back();
  }
  return s;
}

void PrintStatus(const Json& s) {
  std::cout << "initialized: " << (s.value("initialized", false) ? "yes" : "no") << "\n"
            << "sealed:      " << (s.value("sealed", true) ? "yes" : "no") << "\n";
  if (s.contains("method")) {
    std::cout << "seal method: " << s["method"].get<std::string>() << "\n";
  }
  if (s.contains("threshold")) {
    std::cout << "shares:      " << s["threshold"].get<int>() << " of " << s["shares"].get<int>()
              << " needed; " << s["progress"].get<int>() << " given so far\n";
  }
}

void PrintToken(const Json& t) {
  if (t.contains("token")) {
    std::cout << "token:     " << t["token"].get<std::string>() << "\n"
              << "           (shown once: Keyhold keeps only its hash)\n";
  }
  std::cout << "accessor:  " << t.value("accessor", "") << "\n"
            << "principal: " << t.value("principal", "") << "\n"
            << "tenant:    " << t.value("tenant", "") << "\n"
            << "roles:     " << t.value("roles", Json::array()).dump() << "\n"
            << "expires:   "
            << (t["expires_at"].is_null() ? "never" : t["expires_at"].get<std::string>()) << "\n";
  if (!t["revoked_at"].is_null()) {
    std::cout << "revoked:   " << t["revoked_at"].get<std::string>() << "\n";
  }
}

// LoadPolicyFiles reads documents from files and folders (NAME.json in a
// folder) as the server would.
policies::PolicySet LoadPolicyFiles(const std::vector<std::string>& paths) {
  std::vector<policies::PolicyDocument> docs;
  const auto load = [&](const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      throw LocalError{"cannot read " + file.string()};
    }
    auto doc = policies::ParsePolicy(ReadAll(in, policies::kMaxPolicyBytes), file.string());
    if (!doc.ok()) {
      throw LocalError{doc.error().message};
    }
    docs.push_back(std::move(doc).value());
  };
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        const std::string name = e.path().filename().string();
        if (!name.starts_with(".") && e.path().extension() == ".json") {
          files.push_back(e.path());
        }
      }
      if (ec) {
        throw LocalError{"cannot list " + p + ": " + ec.message()};
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        load(f);
      }
    } else {
      load(p);
    }
  }
  auto set = policies::PolicySet::Create(std::move(docs));
  if (!set.ok()) {
    throw LocalError{set.error().message};
  }
  return std::move(set).value();
}

int PolicyTest(const std::vector<std::string>& paths, const std::string& request_json,
               const std::string& at_time, const std::string& output) {
  const policies::PolicySet set = LoadPolicyFiles(paths);
  const Json r = Json::parse(request_json, nullptr, false);
  if (!r.is_object()) {
    throw LocalError{"--request must be a JSON object"};
  }
  policies::AccessRequest req;
  try {
    req.principal = r.value("principal", "");
    req.tenant = r.value("tenant", "");
    req.roles = r.value("roles", std::vector<std::string>{});
    req.key = r.value("key", "");
    req.operation = r.value("operation", "");
    req.source = r.value("source", "");
    req.context = r.value("context", std::map<std::string, std::string>{});
    req.justification_code = r.value("justification_code", "");
  } catch (const Json::exception&) {
    throw LocalError{
        "--request: principal, tenant, key, operation, source and "
        "justification_code are strings, roles a list of strings, context an "
        "object of strings"};
  }
  if (!policies::IsKeyOperation(req.operation) && !policies::IsAdminOperation(req.operation)) {
    throw LocalError{"--request: operation '" + req.operation + "' is not an operation"};
  }
  std::int64_t now = kms::SystemClock::Instance().NowSeconds();
  if (!at_time.empty()) {
    auto t = policies::ParseUtcTime(at_time);
    if (!t.ok()) {
      throw LocalError{"--at: " + t.error().message};
    }
    now = *t;
  }
  policies::Decision d;
  if (policies::IsAdminOperation(req.operation)) {
    // Access rules name key operations; an admin operation is only gated
    // by approval rules (after the caller's roles).
    std::string rule;
    d.approval = policies::ApprovalFor(set, "", req.operation, &rule);
    d.verdict = d.approval ? policies::Verdict::kNeedsApproval : policies::Verdict::kAllow;
    d.rule = rule;
    d.explanation.push_back(d.approval ? "approval rule " + rule + " covers " + req.operation
                                       : "no approval rule covers " + req.operation);
  } else {
    d = policies::Evaluate(set, req, now);
  }
  const std::size_t slash = req.key.find('/');
  const auto region =
      slash == std::string::npos ? std::nullopt : set.ResidencyOf(req.key.substr(0, slash));
  if (output == "json") {
    Json out = {{"verdict", policies::VerdictName(d.verdict)},
                {"rule", d.rule},
                {"explanation", d.explanation},
                {"residency", region ? Json(*region) : Json(nullptr)}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "verdict: " << policies::VerdictName(d.verdict) << "\n"
              << "rule:    " << (d.rule.empty() ? "(default)" : d.rule) << "\n";
    for (const std::string& line : d.explanation) {
      std::cout << "  - " << line << "\n";
    }
    if (region) {
      std::cout << "residency: the key's tenant is served only in region '" << *region << "'\n";
    }
  }
  return kExitOk;
}

// ReadSigningKey loads an officer's Ed25519 seed (base64, as written by
// `keyhold officer keygen`) into guarded memory.
crypto::Ed25519Signer ReadSigningKey(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw LocalError{"cannot read the signing key " + path};
  }
  std::string text = ReadAll(in, 256);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  auto seed = crypto::Base64DecodeSecret(text, 32);
  std::fill(text.begin(), text.end(), '\0');
  if (!seed.ok() || seed->size() != 32) {
    throw LocalError{path + " is not a signing key written by keyhold officer keygen"};
  }
  auto signer = crypto::Ed25519Signer::FromSeed(*seed);
  if (!signer.ok()) {
    throw LocalError{signer.error().message};
  }
  return std::move(signer).value();
}

// SubjectOf rebuilds what an approval signs from a request as the server
// showed it, so the officer signs what it read, not a digest it was handed.
policies::ApprovalSubject SubjectOf(const Json& r) {
  const auto time = [&](const char* field) {
    auto t = policies::ParseUtcTime(r.at(field).get<std::string>());
    if (!t.ok()) {
      throw LocalError{std::string("the request's ") + field + " is not a UTC time"};
    }
    return *t;
  };
  std::vector<crypto::EncryptionContext::Entry> entries;
  for (const auto& [k, v] : r.at("context").items()) {
    entries.emplace_back(k, v.get<std::string>());
  }
  auto context = crypto::EncryptionContext::Create(std::move(entries));
  if (!context.ok()) {
    throw LocalError{"the request's context is invalid"};
  }
  return policies::ApprovalSubject{r.at("id").get<std::string>(),
                                   r.at("operation").get<std::string>(),
                                   r.at("key").is_null() ? "" : r.at("key").get<std::string>(),
                                   std::nullopt,
                                   std::move(context).value(),
                                   r.at("requester").get<std::string>(),
                                   time("not_before"),
                                   time("not_after"),
                                   time("expires_at"),
                                   r.at("justification").at("reason_code").get<std::string>(),
                                   r.at("grant_uses").get<std::uint32_t>(),
                                   r.at("grant_ttl_s").get<std::uint64_t>()};
}

void PrintRequest(const Json& r) {
  std::cout << "request " << r.value("id", "") << " (" << r.value("status", "") << ")\n"
            << "  requester:  " << r.value("requester", "") << " (tenant "
            << r.value("requester_tenant", "") << ")\n"
            << "  operation:  " << r.value("operation", "")
            << (r["key"].is_string() ? " on " + r["key"].get<std::string>() : std::string()) << "\n"
            << "  context:    " << r.value("context", Json::object()).dump() << "\n"
            << "  window:     " << r.value("not_before", "") << " to " << r.value("not_after", "")
            << "\n"
            << "  expires:    " << r.value("expires_at", "") << "\n"
            << "  reason:     " << r["justification"].value("reason_code", "") << ": "
            << r["justification"].value("text", "") << "\n"
            << "  rule:       " << r.value("rule", "") << ", " << r.value("approvals_needed", 0)
            << " " << r.value("approver_role", "") << " approvals, grant of "
            << r.value("grant_uses", 0) << " use(s), " << r.value("uses", 0) << " used\n";
  for (const auto& a : r.value("approvals", Json::array())) {
    std::cout << "  approved by " << a.value("officer", "") << " at " << a.value("at", "") << ": "
              << a.value("comment", "") << "\n";
  }
  if (r["denial"].is_object()) {
    std::cout << "  denied by " << r["denial"].value("officer", "") << ": "
              << r["denial"].value("comment", "") << "\n";
  }
}

void AddRequestCommands(CLI::App* app, Session& session, const Emit& emit, int* exit_code) {
  auto* request = app->add_subcommand("request", "Ask for, list, approve and deny access requests");
  request->require_subcommand(1);
  request->footer(
      "Example: keyhold request create --operation unwrap --key acme/hr-records "
      "--reason incident_review --text 'INC-1234'");
  // The options outlive parsing: they are captured by the callbacks.
  static std::string operation, key, reason, text, not_before, not_after, id, comment, key_file,
      status = "pending";
  static std::vector<std::string> context;
  auto* create = request->add_subcommand("create", "Ask officers to approve one operation");
  create->add_option("--operation", operation, "e.g. unwrap, schedule-deletion, policy-change")
      ->required();
  create->add_option("--key", key, "TENANT/NAME (not for policy-change or admin-token-create)");
  create->add_option("--context", context, "KEY=VALUE the call will carry (repeatable)");
  create->add_option("--reason", reason, "Justification reason code, e.g. incident_review")
      ->required();
  create->add_option("--text", text, "Justification text")->required();
  create->add_option("--not-before", not_before, "Window start, YYYY-MM-DDTHH:MM:SSZ");
  create->add_option("--not-after", not_after, "Window end, YYYY-MM-DDTHH:MM:SSZ");
  create->footer(
      "Example: keyhold request create --operation unwrap --key acme/hr-records "
      "--context case=INC-1234 --reason incident_review --text 'payroll dispute'");
  create->callback([&session, emit, exit_code] {
    Json body = {{"operation", operation},
                 {"context", ContextJson(context)},
                 {"justification", {{"reason_code", reason}, {"text", text}}}};
    if (!key.empty()) {
      body["key"] = key;
    }
    if (!not_before.empty()) {
      body["not_before"] = not_before;
    }
    if (!not_after.empty()) {
      body["not_after"] = not_after;
    }
    emit(session.Call("POST", "/v1/requests", body, exit_code), [](const Json& r) {
      PrintRequest(r);
      std::cout << "once approved, send the call with the header X-Keyhold-Grant: "
                << r.value("id", "") << " (keyhold --grant " << r.value("id", "") << " ...)\n";
    });
  });
  auto* list = request->add_subcommand("list", "List the requests you may see");
  list->add_option("--status", status, "pending, approved, denied, expired, spent or all")
      ->capture_default_str();
  list->footer("Example: keyhold request list --status pending");
  list->callback([&session, emit, exit_code] {
    emit(session.Call("GET", "/v1/requests?status=" + status, std::nullopt, exit_code),
         [](const Json& r) {
           std::printf("%-32s %-9s %-20s %-18s %-36s %s\n", "ID", "STATUS", "REQUESTER",
                       "OPERATION", "KEY", "APPROVALS");
           for (const auto& q : r["requests"]) {
             std::printf("%-32s %-9s %-20s %-18s %-36s %zu/%d\n", q.value("id", "").c_str(),
                         q.value("status", "").c_str(), q.value("requester", "").c_str(),
                         q.value("operation", "").c_str(),
                         q["key"].is_string() ? q["key"].get<std::string>().c_str() : "-",
                         q["approvals"].size(), q.value("approvals_needed", 0));
           }
         });
  });
  auto* show = request->add_subcommand("show", "Show one request: metadata and context");
  show->add_option("id", id, "Request id")->required();
  show->footer("Example: keyhold request show 6f1c2a...");
  show->callback([&session, emit, exit_code] {
    emit(session.Call("GET", "/v1/requests/" + id, std::nullopt, exit_code), PrintRequest);
  });
  auto* approve = request->add_subcommand(
      "approve", "Sign and approve a request (officers; needs your enrolled signing key)");
  approve->add_option("id", id, "Request id")->required();
  approve->add_option("--signing-key", key_file, "Your key file (keyhold officer keygen)")
      ->envname("KEYHOLD_SIGNING_KEY")
      ->required();
  approve->add_option("--comment", comment, "Why you approve");
  approve->footer(
      "Example: keyhold request approve 6f1c2a... --signing-key ~/.keyhold/officer.key "
      "--comment 'checked with HR'");
  approve->callback([&session, emit, exit_code] {
    const crypto::Ed25519Signer signer = ReadSigningKey(key_file);
    auto shown = session.Call("GET", "/v1/requests/" + id, std::nullopt, exit_code);
    if (!shown) {
      return;
    }
    // Sign what this tool built from the fields, and only if the server
    // describes the same thing: a server that showed one request and
    // signed another would be caught here.
    const policies::ApprovalSubject subject = SubjectOf(*shown);
    if (policies::ApprovalText(subject) != shown->value("approval_text", "")) {
      throw LocalError{"the server's approval text differs from the request's fields: not signed"};
    }
    const crypto::Sha256Digest digest = policies::ApprovalDigest(subject);
    const crypto::Ed25519Signature sig = signer.Sign(digest);
    emit(session.Call("POST", "/v1/requests/" + id + "/approve",
                      Json{{"signature", crypto::Base64Encode(sig)}, {"comment", comment}},
                      exit_code),
         PrintRequest);
  });
  auto* deny = request->add_subcommand("deny", "Deny a request (officers)");
  deny->add_option("id", id, "Request id")->required();
  deny->add_option("--comment", comment, "Why you deny")->required();
  deny->footer("Example: keyhold request deny 6f1c2a... --comment 'no ticket'");
  deny->callback([&session, emit, exit_code] {
    emit(
        session.Call("POST", "/v1/requests/" + id + "/deny", Json{{"comment", comment}}, exit_code),
        PrintRequest);
  });

  auto* officer = app->add_subcommand("officer", "Officers' signing keys");
  officer->require_subcommand(1);
  officer->footer("Example: keyhold officer keygen --out ~/.keyhold/officer.key");
  static std::string out_file, public_key, principal;
  auto* keygen = officer->add_subcommand(
      "keygen", "Make your Ed25519 signing key (local); prints the public key to enrol");
  keygen->add_option("--out", out_file, "Key file to create (mode 0600; never overwritten)")
      ->required();
  keygen->footer("Example: keyhold officer keygen --out ~/.keyhold/officer.key");
  keygen->callback([] {
    auto seed = crypto::RandomSecret(32);
    auto signer = seed.ok() ? crypto::Ed25519Signer::FromSeed(*seed)
                            : Result<crypto::Ed25519Signer>(seed.error());
    auto encoded =
        seed.ok() ? crypto::Base64EncodeSecret(*seed) : Result<crypto::SecretBytes>(seed.error());
    if (!signer.ok() || !encoded.ok()) {
      throw LocalError{"cannot make a key"};
    }
    const int fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      throw LocalError{"cannot create " + out_file + " (it must not exist yet)"};
    }
    const auto bytes = encoded->Reveal(crypto::SecretAccess::Get());
    const bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                    ::write(fd, "\n", 1) == 1 && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(out_file.c_str());
      throw LocalError{"cannot write " + out_file};
    }
    std::cout << "public key: " << crypto::Base64Encode(signer->public_key()) << "\n"
              << "give it to an admin of all tenants: keyhold officer enrol YOUR-PRINCIPAL "
                 "--public-key ...\n";
  });
  auto* enrol =
      officer->add_subcommand("enrol", "Enrol an officer's public key (admin of all tenants)");
  enrol->add_option("principal", principal, "The officer's principal name")->required();
  enrol->add_option("--public-key", public_key, "Base64, from keyhold officer keygen")->required();
  enrol->footer("Example: keyhold officer enrol alice --public-key 3q2+7w...=");
  enrol->callback([&session, emit, exit_code] {
    emit(session.Call("PUT", "/v1/officers/" + principal, Json{{"public_key", public_key}},
                      exit_code),
         [](const Json& o) {
           std::cout << "officer " << o.value("officer", "") << " enrolled with key "
                     << o.value("public_key", "") << "\n";
         });
  });
  auto* olist = officer->add_subcommand("list", "List enrolled officers");
  olist->footer("Example: keyhold officer list");
  olist->callback([&session, emit, exit_code] {
    emit(session.Call("GET", "/v1/officers", std::nullopt, exit_code), [](const Json& r) {
      for (const auto& o : r["officers"]) {
        std::printf("%-32s %s  enrolled %s by %s\n", o.value("officer", "").c_str(),
                    o.value("public_key", "").c_str(), o.value("enrolled_at", "").c_str(),
                    o.value("enrolled_by", "").c_str());
      }
    });
  });
  auto* remove = officer->add_subcommand("remove", "Remove an officer (admin of all tenants)");
  remove->add_option("principal", principal, "The officer's principal name")->required();
  remove->footer("Example: keyhold officer remove alice");
  remove->callback([&session, emit, exit_code] {
    emit(session.Call("POST", "/v1/officers/" + principal + "/remove", Json::object(), exit_code),
         [](const Json& o) { std::cout << "officer " << o.value("officer", "") << " removed\n"; });
  });
}

}  // namespace

int Main(int argc, char** argv) {
  Globals g;
  CLI::App app{"keyhold: an on-premises key manager (https://127.0.0.1:8443 by default)"};
  app.require_subcommand(1);
  app.footer(
      "Example: KEYHOLD_TOKEN=... keyhold wrap acme/app --context file=a.pdf < data.key\n"
      "Exit codes: 0 ok, 1 local or usage error, 2 refused by the server.");
  app.set_help_all_flag("--help-all", "Show every command's help");
  app.add_option("--addr", g.client.address, "Server address, https://HOST:PORT")
      ->envname("KEYHOLD_ADDR")
      ->capture_default_str();
  app.add_option("--token", g.client.token, "API token (prefer the environment variable)")
      ->envname("KEYHOLD_TOKEN");
  app.add_option("--grant", g.client.grant,
                 "An approved access request to use (X-Keyhold-Grant), for a call that needs one");
  app.add_option("--cacert", g.client.ca_file, "CA certificate that signed the server's")
      ->envname("KEYHOLD_CACERT");
  app.add_option("--client-cert", g.client.client_cert, "Client certificate for mTLS")
      ->envname("KEYHOLD_CLIENT_CERT");
  app.add_option("--client-key", g.client.client_key, "Client key for mTLS")
      ->envname("KEYHOLD_CLIENT_KEY");
  app.add_option("--output", g.output, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  int exit_code = kExitOk;
  Session session(g);
  // Emit prints an answer: as JSON in json mode, or through `text`.
  auto emit = [&](const std::optional<Json>& answer, const std::function<void(const Json&)>& text) {
    if (!answer) {
      return;
    }
    if (g.output == "json") {
      std::cout << answer->dump(2) << "\n";
    } else {
      text(*answer);
    }
  };

  // keyhold server
  auto* server = app.add_subcommand("server", "Run the Keyhold server");
  std::string config_file = "/etc/keyhold/keyhold.toml";
  server->add_option("--config", config_file, "Configuration file")
      ->envname("KEYHOLD_CONFIG")
      ->capture_default_str();
  server->footer("Example: keyhold server --config /etc/keyhold/keyhold.toml");
  server->callback([&] {
    auto config = kms::LoadConfig(config_file);
    if (!config.ok()) {
      std::cerr << "keyhold: " << config.error().message << "\n";
      exit_code = kExitLocal;
      return;
    }
    exit_code = kms::RunServer(*config);
  });

  // keyhold operator ...
  auto* op = app.add_subcommand("operator", "Initialise, unseal, seal, status");
  op->require_subcommand(1);
  op->footer("Example: keyhold operator status");
  auto* init = op->add_subcommand("init", "Initialise the store (once)");
  std::string method = "shamir";
  int shares = 5;
  int threshold = 3;
  std::string passphrase_file;
  init->add_option("--method", method, "shamir, passphrase or key_file (dev mode only)")
      ->check(CLI::IsMember({"shamir", "passphrase", "key_file"}))
      ->capture_default_str();
  init->add_option("--shares", shares, "Number of unseal shares")->capture_default_str();
  init->add_option("--threshold", threshold, "Shares needed to unseal")->capture_default_str();
  init->add_option("--passphrase-file", passphrase_file, "File holding the passphrase");
  init->footer("Example: keyhold operator init --shares 5 --threshold 3");
  init->callback([&] {
    Json body = {{"method", method}};
    if (method == "shamir") {
      body["share_count"] = shares;
      body["threshold"] = threshold;
    }
    if (method == "passphrase") {
      if (passphrase_file.empty()) {
        throw LocalError{"--passphrase-file is required with --method passphrase"};
      }
      body["passphrase"] = ReadSecretFile(passphrase_file);
    }
    emit(session.Call("POST", "/v1/sys/init", body, &exit_code), [](const Json& r) {
      int i = 1;
      for (const auto& s : r["shares"]) {
        std::cout << "Unseal share " << i++ << ": " << s.get<std::string>() << "\n";
      }
      std::cout
          << "Initial admin token: " << r["admin_token"].get<std::string>() << "\n\n"
          << "Shown once. Give each share to a different person; Keyhold keeps no copy.\n"
          << "The store stays sealed until enough shares are given (keyhold operator unseal).\n";
    });
  });

  auto* unseal = op->add_subcommand("unseal", "Give one share (or the passphrase)");
  std::string share;
  bool reset = false;
  unseal->add_option("share", share,
                     "The share; read from stdin if omitted (keeps it out of shell history)");
  unseal->add_option("--passphrase-file", passphrase_file, "File holding the passphrase");
  unseal->add_flag("--reset", reset, "Forget the shares given so far");
  unseal->footer("Example: keyhold operator unseal < share-1.txt");
  unseal->callback([&] {
    Json body;
    if (reset) {
      body = {{"reset", true}};
    } else if (!passphrase_file.empty()) {
      body = {{"passphrase", ReadSecretFile(passphrase_file)}};
    } else {
      if (share.empty()) {
        share = ReadAll(std::cin, 1024);
        while (!share.empty() &&
               (share.back() == '\n' || share.back() == '\r' || share.back() == ' ')) {
          share.pop_back();
        }
      }
      body = {{"share", share}};
    }
    emit(session.Call("POST", "/v1/sys/unseal", body, &exit_code), PrintStatus);
  });

  auto* seal = op->add_subcommand("seal", "Seal: forget the root key and every cached key");
  seal->footer("Example: keyhold operator seal");
  seal->callback(
      [&] { emit(session.Call("POST", "/v1/sys/seal", Json::object(), &exit_code), PrintStatus); });

  auto* status = op->add_subcommand("status", "Show whether the store is initialised and sealed");
  status->footer("Example: keyhold operator status");
  status->callback([&] {
    emit(session.Call("GET", "/v1/sys/seal-status", std::nullopt, &exit_code), PrintStatus);
  });

  // keyhold key ...
  auto* key = app.add_subcommand("key", "Manage master keys");
  key->require_subcommand(1);
  key->footer("Example: keyhold key create acme/invoices && keyhold key show acme/invoices");
  std::string id;
  std::string rotation_period;
  auto* create = key->add_subcommand("create", "Create a key (AES-256, generated inside Keyhold)");
  create->add_option("key", id, "TENANT/NAME")->required();
  create->add_option("--rotation-period", rotation_period, "e.g. 90d; 0 for none (default 365d)");
  bool exportable = false;
  create->add_flag("--exportable", exportable,
                   "Its material may be exported later, wrapped, with officers' approval");
  create->footer("Example: keyhold key create acme/invoices --rotation-period 90d");
  create->callback([&] {
    const auto slash = id.find('/');
    KeyPath(id);
    Json body = {{"tenant", id.substr(0, slash)}, {"name", id.substr(slash + 1)}};
    if (!rotation_period.empty()) {
      body["rotation_period_s"] = ParseDuration(rotation_period);
    }
    if (exportable) {
      body["exportable"] = true;
    }
    emit(session.Call("POST", "/v1/keys", body, &exit_code), PrintKey);
  });

  std::string tenant;
  int limit = 100;
  std::string after;
  auto* list = key->add_subcommand("list", "List a tenant's keys");
  list->add_option("tenant", tenant, "TENANT")->required();
  list->add_option("--limit", limit, "Keys per page (1-1000)")->capture_default_str();
  list->add_option("--after", after, "Start after this key name");
  list->footer("Example: keyhold key list acme");
  list->callback([&] {
    std::string target = "/v1/keys?tenant=" + tenant + "&limit=" + std::to_string(limit);
    if (!after.empty()) {
      target += "&after=" + after;
    }
    emit(session.Call("GET", target, std::nullopt, &exit_code), [](const Json& r) {
      std::printf("%-40s %-17s %8s  %-10s %s\n", "KEY", "STATE", "VERSION", "RESIDENCY", "CREATED");
      for (const auto& k : r["keys"]) {
        const std::string residency = k.contains("residency") && k["residency"].is_string()
                                          ? k["residency"].get<std::string>()
                                          : "-";
        std::printf("%-40s %-17s %8d  %-10s %s\n", k.value("id", "").c_str(),
                    k.value("state", "").c_str(), k.value("primary_version", 0), residency.c_str(),
                    k.value("created_at", "").c_str());
      }
      if (!r["next_after"].is_null()) {
        std::printf("(more: --after %s)\n", r["next_after"].get<std::string>().c_str());
      }
    });
  });

  auto simple = [&](const char* name, const char* help, const char* action, const char* example) {
    auto* cmd = key->add_subcommand(name, help);
    cmd->add_option("key", id, "TENANT/NAME")->required();
    cmd->footer(std::string("Example: ") + example);
    cmd->callback([&, action] {
      emit(session.Call("POST", KeyPath(id) + "/" + action, Json::object(), &exit_code), PrintKey);
    });
  };
  auto* show = key->add_subcommand("show", "Show a key and its versions");
  show->add_option("key", id, "TENANT/NAME")->required();
  show->footer("Example: keyhold key show acme/invoices");
  show->callback(
      [&] { emit(session.Call("GET", KeyPath(id), std::nullopt, &exit_code), PrintKey); });
  simple("rotate", "Add a new primary version", "rotate", "keyhold key rotate acme/invoices");
  simple("enable", "Enable a disabled key", "enable", "keyhold key enable acme/invoices");
  simple("disable", "Disable a key (no wrap or unwrap)", "disable",
         "keyhold key disable acme/invoices");
  simple("cancel-deletion", "Cancel a scheduled deletion (the key comes back disabled)",
         "cancel-deletion", "keyhold key cancel-deletion acme/invoices");

  std::optional<std::uint32_t> min_version;
  auto* set = key->add_subcommand("set", "Change min_decryption_version or the rotation period");
  set->add_option("key", id, "TENANT/NAME")->required();
  set->add_option("--min-decryption-version", min_version, "Oldest version that still unwraps");
  set->add_option("--rotation-period", rotation_period, "e.g. 90d; 0 for none");
  set->footer("Example: keyhold key set acme/invoices --min-decryption-version 3");
  set->callback([&] {
    Json body = Json::object();
    if (min_version) {
      body["min_decryption_version"] = *min_version;
    }
    if (!rotation_period.empty()) {
      body["rotation_period_s"] = ParseDuration(rotation_period);
    }
    emit(session.Call("POST", KeyPath(id) + "/config", body, &exit_code), PrintKey);
  });

  std::optional<std::uint32_t> days;
  auto* schedule =
      key->add_subcommand("schedule-deletion", "Destroy the key after a window (default 30 days)");
  schedule->add_option("key", id, "TENANT/NAME")->required();
  schedule->add_option("--days", days, "Length of the deletion window");
  schedule->footer("Example: keyhold key schedule-deletion acme/old --days 30");
  schedule->callback([&] {
    Json body = Json::object();
    if (days) {
      body["days"] = *days;
    }
    emit(session.Call("POST", KeyPath(id) + "/schedule-deletion", body, &exit_code), PrintKey);
  });
  AddByokCommands(key, session, emit, &exit_code);
  AddXksCommands(&app, session, emit, &exit_code);

  // keyhold wrap / unwrap / rewrap / datakey
  std::vector<std::string> context;
  bool base64_in = false;
  bool raw_out = false;
  std::string ciphertext;
  auto* wrap = app.add_subcommand("wrap", "Wrap up to 4096 bytes read from stdin");
  wrap->add_option("key", id, "TENANT/NAME")->required();
  wrap->add_option("--context", context, "Encryption context KEY=VALUE (repeatable)");
  wrap->add_flag("--base64", base64_in, "stdin holds base64 text, not raw bytes");
  wrap->footer("Example: head -c 32 /dev/urandom | keyhold wrap acme/app --context file=a.pdf");
  wrap->callback([&] {
    std::string input = ReadAll(std::cin, base64_in ? 8192 : 4096);
    std::string b64;
    if (base64_in) {
      while (!input.empty() && (input.back() == '\n' || input.back() == '\r')) {
        input.pop_back();
      }
      b64 = input;
    } else {
      b64 =
          crypto::Base64Encode({reinterpret_cast<const std::uint8_t*>(input.data()), input.size()});
    }
    crypto::Wipe({reinterpret_cast<std::uint8_t*>(input.data()), input.size()});
    Json body = {{"plaintext", b64}, {"context", ContextJson(context)}};
    emit(session.Call("POST", KeyPath(id) + "/wrap", body, &exit_code),
         [](const Json& r) { std::cout << r["ciphertext"].get<std::string>() << "\n"; });
  });

  auto* unwrap =
      app.add_subcommand("unwrap", "Unwrap a ciphertext; prints the plaintext as base64");
  unwrap->add_option("key", id, "TENANT/NAME")->required();
  unwrap->add_option("ciphertext", ciphertext, "The wrapped blob (base64)")->required();
  unwrap->add_option("--context", context, "Encryption context KEY=VALUE (repeatable)");
  unwrap->add_flag("--raw", raw_out, "Write the plaintext's raw bytes instead of base64");
  unwrap->footer("Example: keyhold unwrap acme/app \"$BLOB\" --context file=a.pdf --raw > key.bin");
  unwrap->callback([&] {
    Json body = {{"ciphertext", ciphertext}, {"context", ContextJson(context)}};
    emit(session.Call("POST", KeyPath(id) + "/unwrap", body, &exit_code), [&](const Json& r) {
      const std::string b64 = r["plaintext"].get<std::string>();
      if (!raw_out) {
        std::cout << b64 << "\n";
        return;
      }
      auto bytes = crypto::Base64DecodeSecret(b64, 4096);
      if (!bytes.ok()) {
        throw LocalError{"the server sent invalid base64"};
      }
      const auto view = bytes->Reveal(crypto::SecretAccess::Get());
      std::cout.write(reinterpret_cast<const char*>(view.data()),
                      static_cast<std::streamsize>(view.size()));
    });
  });

  auto* rewrap =
      app.add_subcommand("rewrap", "Re-wrap a ciphertext under the key's primary version");
  rewrap->add_option("key", id, "TENANT/NAME")->required();
  rewrap->add_option("ciphertext", ciphertext, "The wrapped blob (base64)")->required();
  rewrap->add_option("--context", context, "Encryption context KEY=VALUE (repeatable)");
  rewrap->footer("Example: keyhold rewrap acme/app \"$BLOB\" --context file=a.pdf");
  rewrap->callback([&] {
    Json body = {{"ciphertext", ciphertext}, {"context", ContextJson(context)}};
    emit(session.Call("POST", KeyPath(id) + "/rewrap", body, &exit_code),
         [](const Json& r) { std::cout << r["ciphertext"].get<std::string>() << "\n"; });
  });

  bool no_plaintext = false;
  auto* datakey = app.add_subcommand("datakey", "Generate a 256-bit data key and its wrapped form");
  datakey->add_option("key", id, "TENANT/NAME")->required();
  datakey->add_option("--context", context, "Encryption context KEY=VALUE (repeatable)");
  datakey->add_flag("--no-plaintext", no_plaintext, "Return only the wrapped data key");
  datakey->footer("Example: keyhold datakey acme/app --context file=a.pdf");
  datakey->callback([&] {
    Json body = {{"context", ContextJson(context)}, {"include_plaintext", !no_plaintext}};
    emit(session.Call("POST", KeyPath(id) + "/generate-data-key", body, &exit_code),
         [](const Json& r) {
           std::cout << "ciphertext:  " << r["ciphertext"].get<std::string>() << "\n";
           if (r.contains("plaintext")) {
             std::cout << "plaintext:   " << r["plaintext"].get<std::string>() << "\n";
           }
           std::cout << "key version: " << r["key_version"].get<int>() << "\n";
         });
  });

  // keyhold token ...
  auto* token = app.add_subcommand("token", "Manage API tokens (admin of all tenants)");
  token->require_subcommand(1);
  token->footer("Example: keyhold token create --principal billing-svc --tenant acme --role app");
  std::string principal;
  std::vector<std::string> roles;
  std::string ttl;
  std::string accessor;
  auto* tcreate = token->add_subcommand("create", "Create a token (shown once)");
  tcreate->add_option("--principal", principal, "Who the token is for")->required();
  tcreate->add_option("--tenant", tenant, "Tenant, or * for all")->required();
  tcreate->add_option("--role", roles, "admin, app, officer or auditor (repeatable)")->required();
  tcreate->add_option("--ttl", ttl, "Lifetime, e.g. 30d (default from the server)");
  tcreate->footer(
      "Example: keyhold token create --principal billing-svc --tenant acme --role app --ttl 30d");
  tcreate->callback([&] {
    Json body = {{"principal", principal}, {"tenant", tenant}, {"roles", roles}};
    if (!ttl.empty()) {
      body["ttl_s"] = ParseDuration(ttl);
    }
    emit(session.Call("POST", "/v1/tokens", body, &exit_code), PrintToken);
  });
  auto* trevoke = token->add_subcommand("revoke", "Revoke a token by its accessor");
  trevoke->add_option("accessor", accessor, "The token's accessor")->required();
  trevoke->footer("Example: keyhold token revoke 3f2a9c0d1e4b5a6f");
  trevoke->callback([&] {
    emit(session.Call("POST", "/v1/tokens/" + accessor + "/revoke", Json::object(), &exit_code),
         PrintToken);
  });
  auto* tlist = token->add_subcommand("list", "List tokens (never the tokens themselves)");
  tlist->footer("Example: keyhold token list");
  tlist->callback([&] {
    emit(session.Call("GET", "/v1/tokens", std::nullopt, &exit_code), [](const Json& r) {
      std::printf("%-18s %-24s %-12s %-26s %s\n", "ACCESSOR", "PRINCIPAL", "TENANT", "ROLES",
                  "STATUS");
      for (const auto& t : r["tokens"]) {
        const std::string state = !t["revoked_at"].is_null() ? "revoked" : "active";
        std::printf("%-18s %-24s %-12s %-26s %s\n", t.value("accessor", "").c_str(),
                    t.value("principal", "").c_str(), t.value("tenant", "").c_str(),
                    t.value("roles", Json::array()).dump().c_str(), state.c_str());
      }
    });
  });

  auto* policy = app.add_subcommand("policy", "Apply, show and test policy documents");
  policy->require_subcommand(1);
  policy->footer("Example: keyhold policy apply payments.json");
  std::string policy_file;
  auto* apply = policy->add_subcommand(
      "apply", "Validate a policy document, then put it in force (admin of all tenants)");
  apply->add_option("file", policy_file, "NAME.json")->required();
  apply->footer("Example: keyhold policy apply payments.json");
  apply->callback([&] {
    std::ifstream in(policy_file, std::ios::binary);
    if (!in) {
      throw LocalError{"cannot read " + policy_file};
    }
    const std::string text = ReadAll(in, policies::kMaxPolicyBytes);
    // Validated here first, so a mistake is named before anything is sent.
    auto doc = policies::ParsePolicy(text, policy_file);
    if (!doc.ok()) {
      throw LocalError{doc.error().message};
    }
    emit(session.CallText("PUT", "/v1/policies/" + doc->name, text, &exit_code), [](const Json& r) {
      std::cout << "policy " << r.value("name", "") << " version " << r.value("version", 0)
                << " is in force\n";
    });
  });
  auto* plist = policy->add_subcommand("list", "List the policy documents in force");
  plist->footer("Example: keyhold policy list");
  plist->callback([&] {
    emit(session.Call("GET", "/v1/policies", std::nullopt, &exit_code), [](const Json& r) {
      std::printf("%-32s %8s %6s %9s %8s\n", "NAME", "VERSION", "RULES", "APPROVALS", "ROTATION");
      for (const auto& p : r["policies"]) {
        std::printf("%-32s %8llu %6d %9d %8d\n", p.value("name", "").c_str(),
                    static_cast<unsigned long long>(p.value("version", 0ULL)), p.value("rules", 0),
                    p.value("approvals", 0), p.value("rotation", 0));
      }
      std::printf("this instance's region: %s\n",
                  r.value("region", "").empty() ? "none" : r.value("region", "").c_str());
    });
  });
  std::string policy_name;
  auto* pshow = policy->add_subcommand("show", "Print a policy document in force");
  pshow->add_option("name", policy_name, "NAME")->required();
  pshow->footer("Example: keyhold policy show payments");
  pshow->callback([&] {
    emit(session.Call("GET", "/v1/policies/" + policy_name, std::nullopt, &exit_code),
         [](const Json& r) { std::cout << r["document"].dump(2) << "\n"; });
  });
  std::vector<std::string> policy_paths;
  std::string request_json;
  std::string at_time;
  auto* ptest = policy->add_subcommand(
      "test", "Explain how policy files decide a request (local: no server needed)");
  ptest->add_option("paths", policy_paths, "Policy files or folders")->required();
  ptest
      ->add_option("--request", request_json,
                   "The call as JSON: principal, tenant, roles, key, operation, source, "
                   "context, justification_code")
      ->required();
  ptest->add_option("--at", at_time, "Decide at this UTC time (YYYY-MM-DDTHH:MM:SSZ; default now)");
  ptest->footer(
      "Example: keyhold policy test policies/ --request '{\"principal\": \"pay-svc\", "
      "\"tenant\": \"acme\", \"roles\": [\"app\"], \"key\": \"acme/payments-eu\", "
      "\"operation\": \"unwrap\", \"source\": \"10.1.2.3\", \"context\": {\"tenant\": "
      "\"acme\"}}'");
  ptest->callback([&] { exit_code = PolicyTest(policy_paths, request_json, at_time, g.output); });

  AddRequestCommands(&app, session, emit, &exit_code);

  AddAuditCommands(&app, &g.output, &exit_code);
  AddFileCommands(&app, &g.client, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitLocal;
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitLocal;
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);
    return kExitLocal;
  } catch (const LocalError& e) {
    std::cerr << "keyhold: " << e.message << "\n";
    return kExitLocal;
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "keyhold: unexpected answer from the server\n";
    return kExitLocal;
  } catch (const std::exception& e) {
    // Out of memory, a filesystem error: a message and exit 1, never an
    // abort that skips the destructors (which remove partial outputs).
    std::cerr << "keyhold: " << e.what() << "\n";
    return kExitLocal;
  }
  return exit_code;
}

}  // namespace keyhold::cli
