#include "kms/config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "crypto/key_id.h"

namespace keyhold::kms {
namespace {

// A config error carries its position; the parser stops at the first one.
struct ConfigError {
  std::string message;
};

class Reader {
 public:
  Reader(const toml::table& root, std::string source) : root_(root), source_(std::move(source)) {}

  [[noreturn]] void Fail(const toml::node* node, const std::string& field,
                         const std::string& problem) const {
    std::ostringstream out;
    out << source_;
    if (node != nullptr && node->source().begin.line > 0) {
      out << ":" << node->source().begin.line;
    }
    out << ": " << field << ": " << problem;
    throw ConfigError{out.str()};
  }

  // Table returns [name] (or nullptr) and checks that it only has `known`
  // keys.
  const toml::table* Table(const std::string& name, const std::set<std::string>& known) const {
    const toml::node* node = root_.get(name);
    if (node == nullptr) {
      return nullptr;
    }
    const toml::table* t = node->as_table();
    if (t == nullptr) {
      Fail(node, name, "must be a table");
    }
    for (const auto& [key, value] : *t) {
      if (!known.contains(std::string(key.str()))) {
        Fail(&value, name + "." + std::string(key.str()), "unknown field");
      }
    }
    return t;
  }

  void CheckTopLevel(const std::set<std::string>& known) const {
    for (const auto& [key, value] : root_) {
      if (!known.contains(std::string(key.str()))) {
        Fail(&value, std::string(key.str()), "unknown section or field");
      }
    }
  }

  void String(const toml::table* t, const std::string& section, const std::string& key,
              std::string* out) const {
    if (t == nullptr)
      return;
    if (const toml::node* n = t->get(key)) {
      const auto* v = n->as_string();
      if (v == nullptr)
        Fail(n, section + "." + key, "must be a string");
      *out = v->get();
    }
  }
  void Path(const toml::table* t, const std::string& section, const std::string& key,
            std::filesystem::path* out) const {
    std::string s = out->string();
    String(t, section, key, &s);
    *out = s;
  }
  void Bool(const toml::table* t, const std::string& section, const std::string& key,
            bool* out) const {
    if (t == nullptr)
      return;
    if (const toml::node* n = t->get(key)) {
      const auto* v = n->as_boolean();
      if (v == nullptr)
        Fail(n, section + "." + key, "must be true or false");
      *out = v->get();
    }
  }
  template <class T>
  void Uint(const toml::table* t, const std::string& section, const std::string& key, T* out,
            std::uint64_t min, std::uint64_t max) const {
    if (t == nullptr)
      return;
    if (const toml::node* n = t->get(key)) {
      const auto* v = n->as_integer();
      if (v == nullptr)
        Fail(n, section + "." + key, "must be an integer");
      const std::int64_t value = v->get();
      if (value < 0 || static_cast<std::uint64_t>(value) < min ||
          static_cast<std::uint64_t>(value) > max) {
        Fail(n, section + "." + key,
             "must be between " + std::to_string(min) + " and " + std::to_string(max));
      }
      *out = static_cast<T>(value);
    }
  }
  const toml::node* Node(const toml::table* t, const std::string& key) const {
    return t == nullptr ? nullptr : t->get(key);
  }

 private:
  const toml::table& root_;
  std::string source_;
};

void ParseListen(const Reader& r, const toml::node* node, const std::string& text, Config* c) {
  // "host:port" or "[v6]:port".
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      r.Fail(node, "server.listen", "must be HOST:PORT or [IPV6]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      r.Fail(node, "server.listen", "must be HOST:PORT or [IPV6]:PORT");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    r.Fail(node, "server.listen", "must be HOST:PORT with a port of 0-65535");
  }
  // Checked here rather than at bind so that a bad file is refused with its
  // line, like every other field. No name lookup: a listener bound to
  // whatever DNS said at start is a surprise.
  const bool bracketed = text.front() == '[';
  unsigned char parsed[sizeof(in6_addr)];
  if (inet_pton(bracketed ? AF_INET6 : AF_INET, host.c_str(), parsed) != 1) {
    r.Fail(node, "server.listen",
           bracketed ? "the host must be an IPv6 address" : "the host must be an IPv4 address");
  }
  c->listen_host = host;
  c->listen_port = static_cast<std::uint16_t>(std::stoul(port));
}

// The region names policy documents use (policies/policy.h).
bool ValidRegion(std::string_view region) {
  return region.size() <= 32 && std::all_of(region.begin(), region.end(), [](char ch) {
           return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
         });
}

bool Chars(std::string_view s, std::string_view extra, std::size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [&](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           extra.find(ch) != std::string_view::npos;
  });
}

// Entries returns the tables of an array of tables ([[name]]), checking
// their fields.
std::vector<const toml::table*> Entries(const Reader& r, const toml::node* n,
                                        const std::string& field,
                                        const std::set<std::string>& known) {
  std::vector<const toml::table*> out;
  if (n == nullptr) {
    return out;
  }
  const toml::array* arr = n->as_array();
  if (arr == nullptr) {
    r.Fail(n, field, "must be an array of tables ([[" + field + "]])");
  }
  for (const toml::node& item : *arr) {
    const toml::table* t = item.as_table();
    if (t == nullptr) {
      r.Fail(&item, field, "each entry must be a table");
    }
    for (const auto& [key, value] : *t) {
      if (!known.contains(std::string(key.str()))) {
        r.Fail(&value, field + "." + std::string(key.str()), "unknown field");
      }
    }
    out.push_back(t);
  }
  return out;
}

std::vector<std::string> Strings(const Reader& r, const toml::table* t, const std::string& field,
                                 const std::string& key) {
  std::vector<std::string> out;
  const toml::node* n = r.Node(t, key);
  if (n == nullptr) {
    return out;
  }
  const toml::array* arr = n->as_array();
  if (arr == nullptr) {
    r.Fail(n, field + "." + key, "must be a list of strings");
  }
  for (const toml::node& item : *arr) {
    const auto* v = item.as_string();
    if (v == nullptr) {
      r.Fail(&item, field + "." + key, "must be a list of strings");
    }
    out.push_back(v->get());
  }
  return out;
}

// ParseXks reads [xks] and its key stores (docs/xks.md, docs/configuration.md).
void ParseXks(const Reader& r, Config* c) {
  const auto* xks = r.Table("xks", {"regions", "health_key", "key_store"});
  if (xks == nullptr) {
    return;
  }
  XksConfig& x = c->xks;
  if (r.Node(xks, "regions") != nullptr) {
    x.regions = Strings(r, xks, "xks", "regions");
    if (x.regions.empty()) {
      r.Fail(r.Node(xks, "regions"), "xks.regions", "must name at least one AWS region");
    }
    for (const std::string& region : x.regions) {
      if (!Chars(region, "-", 32) || std::any_of(region.begin(), region.end(),
                                                 [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
        r.Fail(r.Node(xks, "regions"), "xks.regions", "each must be an AWS region like us-east-1");
      }
    }
  }
  r.String(xks, "xks", "health_key", &x.health_key);
  if (!crypto::KeyId::Parse(x.health_key).ok()) {
    r.Fail(r.Node(xks, "health_key"), "xks.health_key", "must be TENANT/NAME");
  }
  std::set<std::string> names;
  std::set<std::string> prefixes;
  for (const toml::table* t : Entries(r, r.Node(xks, "key_store"), "xks.key_store",
                                      {"name", "path_prefix", "mtls_identity", "key"})) {
    XksKeyStore store;
    r.String(t, "xks.key_store", "name", &store.name);
    r.String(t, "xks.key_store", "path_prefix", &store.path_prefix);
    r.String(t, "xks.key_store", "mtls_identity", &store.mtls_identity);
    const toml::node* name = t->get("name");
    if (!Chars(store.name, "-", 32) ||
        std::any_of(store.name.begin(), store.name.end(),
                    [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
      r.Fail(name != nullptr ? name : t, "xks.key_store.name", "required: 1-32 of [a-z0-9-]");
    }
    if (!names.insert(store.name).second) {
      r.Fail(name, "xks.key_store.name", "names another key store too");
    }
    if (!store.mtls_identity.empty() && c->client_ca_file.empty()) {
      r.Fail(t->get("mtls_identity"), "xks.key_store.mtls_identity",
             "needs tls.client_ca_file to verify AWS KMS's client certificate");
    }
    const toml::node* prefix = t->get("path_prefix");
    // XksProxyUriPath: at most 128 characters of [A-Za-z0-9/_-].
    if (!store.path_prefix.empty() &&
        (store.path_prefix.front() != '/' || store.path_prefix.back() == '/' ||
         store.path_prefix.find("//") != std::string::npos ||
         !Chars(store.path_prefix, "/_-", 128 - 11) ||
         store.path_prefix.find("/kms/xks/v1") != std::string::npos)) {
      r.Fail(prefix, "xks.key_store.path_prefix",
             "must be empty or /SEGMENT[/SEGMENT...] of [A-Za-z0-9_-], at most 117 characters");
    }
    if (!prefixes.insert(store.path_prefix).second) {
      r.Fail(prefix != nullptr ? prefix : name, "xks.key_store.path_prefix",
             "is another key store's too");
    }
    std::set<std::string> ids;
    for (const toml::table* k :
         Entries(r, t->get("key"), "xks.key_store.key", {"id", "key", "usage"})) {
      XksKey key;
      r.String(k, "xks.key_store.key", "id", &key.id);
      r.String(k, "xks.key_store.key", "key", &key.key);
      if (!Chars(key.id, "._-", 128)) {
        r.Fail(k->get("id") != nullptr ? k->get("id") : k, "xks.key_store.key.id",
               "required: 1-128 of [A-Za-z0-9._-]");
      }
      if (!ids.insert(key.id).second) {
        r.Fail(k->get("id"), "xks.key_store.key.id", "names another key of this key store too");
      }
      if (!crypto::KeyId::Parse(key.key).ok() || key.key == x.health_key) {
        r.Fail(k->get("key") != nullptr ? k->get("key") : k->get("id"), "xks.key_store.key.key",
               "required: TENANT/NAME of a Keyhold key other than xks.health_key");
      }
      if (k->get("usage") != nullptr) {
        const auto usage = Strings(r, k, "xks.key_store.key", "usage");
        key.encrypt = std::find(usage.begin(), usage.end(), "ENCRYPT") != usage.end();
        key.decrypt = std::find(usage.begin(), usage.end(), "DECRYPT") != usage.end();
        const bool only_known = std::all_of(usage.begin(), usage.end(), [](const std::string& u) {
          return u == "ENCRYPT" || u == "DECRYPT";
        });
        if (!only_known || (!key.encrypt && !key.decrypt)) {
          r.Fail(k->get("usage"), "xks.key_store.key.usage", "must list ENCRYPT, DECRYPT or both");
        }
      }
      store.keys.push_back(std::move(key));
    }
    x.key_stores.push_back(std::move(store));
  }
}

Config Parse(const toml::table& root, const std::string& source) {
  const Reader r(root, source);
  r.CheckTopLevel({"server", "tls", "limits", "store", "audit", "seal", "keys", "scheduler",
                   "tokens", "log", "policies", "xks"});
  Config c;

  const auto* server =
      r.Table("server", {"listen", "workers", "max_connections", "dev_mode", "region"});
  if (const toml::node* n = r.Node(server, "listen")) {
    if (n->as_string() == nullptr)
      r.Fail(n, "server.listen", "must be a string");
    ParseListen(r, n, n->as_string()->get(), &c);
  }
  r.Uint(server, "server", "workers", &c.workers, 0, 256);
  r.Uint(server, "server", "max_connections", &c.max_connections, 1, 100'000);
  r.Bool(server, "server", "dev_mode", &c.dev_mode);
  r.String(server, "server", "region", &c.region);
  if (!c.region.empty() && !ValidRegion(c.region))
    r.Fail(r.Node(server, "region"), "server.region", "must be 1-32 of [a-z0-9-], e.g. \"hk\"");

  const auto* policies = r.Table("policies", {"dir"});
  r.Path(policies, "policies", "dir", &c.policy_dir);

  const auto* tls =
      r.Table("tls", {"cert_file", "key_file", "client_ca_file", "client_identity", "client_cert"});
  r.Path(tls, "tls", "cert_file", &c.cert_file);
  r.Path(tls, "tls", "key_file", &c.key_file);
  r.Path(tls, "tls", "client_ca_file", &c.client_ca_file);
  r.String(tls, "tls", "client_identity", &c.client_identity);
  if (c.client_identity != "san" && c.client_identity != "subject_cn") {
    r.Fail(r.Node(tls, "client_identity"), "tls.client_identity",
           "must be \"san\" or \"subject_cn\"");
  }
  if (c.cert_file.empty() || c.key_file.empty()) {
    r.Fail(tls == nullptr ? nullptr : tls, "tls.cert_file, tls.key_file",
           "required (Keyhold serves HTTPS only)");
  }
  if (const toml::node* n = r.Node(tls, "client_cert")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr)
      r.Fail(n, "tls.client_cert", "must be an array of tables ([[tls.client_cert]])");
    for (const toml::node& item : *arr) {
      const toml::table* t = item.as_table();
      if (t == nullptr)
        r.Fail(&item, "tls.client_cert", "each entry must be a table");
      for (const auto& [key, value] : *t) {
        const std::string k(key.str());
        if (k != "identity" && k != "tenant" && k != "roles") {
          r.Fail(&value, "tls.client_cert." + k, "unknown field");
        }
      }
      ClientCertBinding b;
      r.String(t, "tls.client_cert", "identity", &b.identity);
      r.String(t, "tls.client_cert", "tenant", &b.tenant);
      // A bad value is reported at its key; a missing one at the entry.
      if (b.identity.empty()) {
        const toml::node* id = t->get("identity");
        r.Fail(id != nullptr ? id : &item, "tls.client_cert.identity", "required");
      }
      if (b.tenant != kAllTenants && !crypto::ValidTenant(b.tenant)) {
        const toml::node* tenant = t->get("tenant");
        r.Fail(tenant != nullptr ? tenant : &item, "tls.client_cert.tenant",
               "must be a tenant name or \"*\"");
      }
      const toml::node* roles = t->get("roles");
      const toml::array* role_list = roles == nullptr ? nullptr : roles->as_array();
      if (role_list == nullptr || role_list->empty()) {
        r.Fail(roles != nullptr ? roles : &item, "tls.client_cert.roles",
               "required: a list such as [\"app\"]");
      }
      std::uint8_t bits = 0;
      for (const toml::node& role : *role_list) {
        const auto* name = role.as_string();
        auto parsed = name == nullptr ? Result<Role>(MakeError(ErrorCode::kInvalidRequest))
                                      : ParseRole(name->get());
        if (!parsed.ok()) {
          r.Fail(&role, "tls.client_cert.roles",
                 "each role must be admin, app, officer or auditor");
        }
        bits |= static_cast<std::uint8_t>(*parsed);
      }
      b.roles = RoleSet(bits);
      c.client_certs.push_back(std::move(b));
    }
    if (!c.client_certs.empty() && c.client_ca_file.empty()) {
      r.Fail(n, "tls.client_cert", "needs tls.client_ca_file to verify client certificates");
    }
  }

  const auto* limits =
      r.Table("limits", {"max_header_bytes", "max_body_bytes", "handshake_timeout_ms",
                         "header_timeout_ms", "body_timeout_ms", "idle_timeout_ms",
                         "shutdown_grace_ms", "auth_failures_per_minute"});
  r.Uint(limits, "limits", "max_header_bytes", &c.max_header_bytes, 1024, 64 * 1024);
  r.Uint(limits, "limits", "max_body_bytes", &c.max_body_bytes, 1024, 1024 * 1024);
  r.Uint(limits, "limits", "handshake_timeout_ms", &c.handshake_timeout_ms, 100, 600'000);
  r.Uint(limits, "limits", "header_timeout_ms", &c.header_timeout_ms, 100, 600'000);
  r.Uint(limits, "limits", "body_timeout_ms", &c.body_timeout_ms, 100, 600'000);
  r.Uint(limits, "limits", "idle_timeout_ms", &c.idle_timeout_ms, 100, 3'600'000);
  r.Uint(limits, "limits", "shutdown_grace_ms", &c.shutdown_grace_ms, 0, 600'000);
  r.Uint(limits, "limits", "auth_failures_per_minute", &c.auth_failures_per_minute, 1, 100'000);

  const auto* store = r.Table("store", {"path", "map_size_mib"});
  r.Path(store, "store", "path", &c.store_path);
  r.Uint(store, "store", "map_size_mib", &c.map_size_mib, 16, 1024 * 1024);
  if (c.store_path.empty())
    r.Fail(r.Node(store, "path"), "store.path", "must not be empty");

  const auto* audit =
      r.Table("audit", {"path", "max_file_mib", "max_file_age_hours", "retention_days",
                        "clear_context_tenants", "syslog_socket"});
  r.Path(audit, "audit", "path", &c.audit_path);
  if (c.audit_path.empty())
    r.Fail(r.Node(audit, "path"), "audit.path", "must not be empty");
  r.Uint(audit, "audit", "max_file_mib", &c.audit_max_file_mib, 1, 4096);
  r.Uint(audit, "audit", "max_file_age_hours", &c.audit_max_file_age_hours, 1, 24 * 366);
  r.Uint(audit, "audit", "retention_days", &c.audit_retention_days, 1, 36'500);
  if (const toml::node* n = r.Node(audit, "clear_context_tenants")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr)
      r.Fail(n, "audit.clear_context_tenants", "must be an array of tenant names");
    for (const toml::node& item : *arr) {
      const auto* v = item.as_string();
      if (v == nullptr || !crypto::ValidTenant(v->get()))
        r.Fail(&item, "audit.clear_context_tenants", "each entry must be a tenant name");
      c.audit_clear_context_tenants.push_back(v->get());
    }
  }

  r.Path(audit, "audit", "syslog_socket", &c.audit_syslog_socket);
  if (!c.audit_syslog_socket.empty() && c.audit_syslog_socket.string().size() > 107)
    r.Fail(r.Node(audit, "syslog_socket"), "audit.syslog_socket",
           "must be a socket path of at most 107 bytes");

  const auto* seal = r.Table("seal", {"dev_key_file"});
  r.Path(seal, "seal", "dev_key_file", &c.dev_key_file);

  const auto* keys =
      r.Table("keys", {"default_rotation_period_days", "default_deletion_days", "min_deletion_days",
                       "max_deletion_days", "rotate_after_encryptions", "max_encryptions",
                       "reservation_block"});
  r.Uint(keys, "keys", "default_rotation_period_days", &c.default_rotation_period_days, 0, 36500);
  r.Uint(keys, "keys", "default_deletion_days", &c.default_deletion_days, 0, 3650);
  r.Uint(keys, "keys", "min_deletion_days", &c.min_deletion_days, 0, 3650);
  r.Uint(keys, "keys", "max_deletion_days", &c.max_deletion_days, 0, 3650);
  r.Uint(keys, "keys", "rotate_after_encryptions", &c.rotate_after_encryptions, 1,
         std::uint64_t{1} << 32);
  r.Uint(keys, "keys", "max_encryptions", &c.max_encryptions, 1, std::uint64_t{1} << 32);
  r.Uint(keys, "keys", "reservation_block", &c.reservation_block, 1, std::uint64_t{1} << 24);

  const auto* scheduler = r.Table("scheduler", {"interval_s"});
  r.Uint(scheduler, "scheduler", "interval_s", &c.scheduler_interval_s, 1, 86'400);

  const auto* tokens = r.Table("tokens", {"default_ttl_days", "max_ttl_days"});
  r.Uint(tokens, "tokens", "default_ttl_days", &c.token_default_ttl_days, 1, 3650);
  r.Uint(tokens, "tokens", "max_ttl_days", &c.token_max_ttl_days, 1, 3650);
  if (c.token_default_ttl_days > c.token_max_ttl_days) {
    r.Fail(r.Node(tokens, "default_ttl_days"), "tokens.default_ttl_days",
           "must not exceed tokens.max_ttl_days");
  }

  const auto* log = r.Table("log", {"level"});
  std::string level = "info";
  r.String(log, "log", "level", &level);
  static const std::map<std::string, LogLevel> kLevels = {{"debug", LogLevel::kDebug},
                                                          {"info", LogLevel::kInfo},
                                                          {"warn", LogLevel::kWarn},
                                                          {"error", LogLevel::kError}};
  if (!kLevels.contains(level)) {
    r.Fail(r.Node(log, "level"), "log.level", "must be debug, info, warn or error");
  }
  c.log_level = kLevels.at(level);

  ParseXks(r, &c);

  // Rules across fields.
  if (!c.dev_mode && !c.dev_key_file.empty()) {
    r.Fail(r.Node(seal, "dev_key_file"), "seal.dev_key_file",
           "only allowed with server.dev_mode = true (a key file next to the store protects "
           "nothing)");
  }
  if (!c.dev_mode && c.audit_retention_days < 365) {
    r.Fail(r.Node(audit, "retention_days"), "audit.retention_days",
           "cannot be below 365 outside development mode");
  }
  if (!c.dev_mode && c.min_deletion_days < 7) {
    r.Fail(r.Node(keys, "min_deletion_days"), "keys.min_deletion_days",
           "cannot be below 7 outside development mode");
  }
  if (c.default_deletion_days < c.min_deletion_days ||
      c.default_deletion_days > c.max_deletion_days) {
    r.Fail(r.Node(keys, "default_deletion_days"), "keys.default_deletion_days",
           "must lie between keys.min_deletion_days and keys.max_deletion_days");
  }
  if (c.rotate_after_encryptions > c.max_encryptions) {
    r.Fail(r.Node(keys, "rotate_after_encryptions"), "keys.rotate_after_encryptions",
           "must not exceed keys.max_encryptions");
  }
  return c;
}

}  // namespace

KeyServiceOptions Config::ServiceOptions() const {
  KeyServiceOptions o;
  o.store.dir = store_path;
  o.store.map_size_bytes = map_size_mib * 1024 * 1024;
  o.seal.dev_mode = dev_mode;
  o.keyring.dev_mode = dev_mode;
  o.keyring.budget = BudgetLimits{rotate_after_encryptions, max_encryptions, reservation_block};
  o.keyring.default_rotation_period_s =
      default_rotation_period_days * static_cast<std::uint64_t>(kDay);
  o.keyring.default_deletion_days = default_deletion_days;
  o.keyring.min_deletion_days = min_deletion_days;
  o.keyring.max_deletion_days = max_deletion_days;
  return o;
}

Result<Config> ParseConfig(std::string_view text, std::string_view source) {
  try {
    toml::table root = toml::parse(text, source);
    Config c = Parse(root, std::string(source));
    c.source = std::string(source);
    return c;
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << source << ":" << e.source().begin.line << ": " << e.description();
    return MakeError(ErrorCode::kInvalidConfig, out.str());
  } catch (const ConfigError& e) {
    return MakeError(ErrorCode::kInvalidConfig, e.message);
  }
}

Result<Config> LoadConfig(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kInvalidConfig, file.string() + ": cannot be read");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), file.string());
}

}  // namespace keyhold::kms
