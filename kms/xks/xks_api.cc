#include "kms/xks/xks_api.h"

#include <algorithm>
#include <chrono>

#include "crypto/base64.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"
#include "crypto/xks_cipher.h"
#include "kms/api/json.h"
#include "kms/xks/sigv4.h"
#include "kms/xks/xks_request.h"
#include "policies/evaluate.h"

namespace keyhold::kms {
namespace {

constexpr std::string_view kBase = "/kms/xks/v1";
constexpr std::string_view kService = "kms-xks-proxy";
// ciphertextMetadata: this scheme byte (the spec's AAD framing over the
// version's XKS key), then the key version, big-endian.
constexpr std::uint8_t kMetadataScheme = 1;
constexpr std::size_t kMetadataSize = 5;

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

crypto::SecureString S(std::string_view s) {
  return crypto::SecureString(s.begin(), s.end());
}

// An XKS error: the spec's status and name, and a message (printable ASCII,
// under 512 characters, as AWS KMS requires).
struct XksError {
  int status;
  std::string_view name;
  std::string message;
};

XksError Named(int status, std::string_view name, std::string message) {
  return {status, name, std::move(message)};
}

XksError FromError(const Error& e) {
  std::string message = e.message.empty() ? std::string(Info(e.code).name) : e.message;
  switch (e.code) {
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kInvalidKeyId:
    case ErrorCode::kInvalidContext:
      return Named(400, "ValidationException", std::move(message));
    case ErrorCode::kInvalidCiphertext:
      return Named(400, "InvalidCiphertextException", "the ciphertext does not authenticate");
    case ErrorCode::kInvalidKeyState:
    case ErrorCode::kEncryptionLimitReached:
      return Named(400, "InvalidStateException", std::move(message));
    case ErrorCode::kSealed:
      return Named(400, "InvalidStateException", "the key manager is sealed");
    case ErrorCode::kNotInitialized:
      return Named(400, "InvalidStateException", "the key manager is not initialised");
    case ErrorCode::kUnauthenticated:
      return Named(401, "AuthenticationFailedException", std::move(message));
    case ErrorCode::kForbidden:
    case ErrorCode::kPolicyDenied:
    case ErrorCode::kApprovalRequired:
    case ErrorCode::kResidencyViolation:
      return Named(403, "AccessDeniedException", std::move(message));
    case ErrorCode::kKeyNotFound:
    case ErrorCode::kNotFound:
      return Named(404, "KeyNotFoundException", "no such external key in this key store");
    case ErrorCode::kRateLimited:
      return Named(429, "ThrottlingException", std::move(message));
    case ErrorCode::kPayloadTooLarge:
      return Named(501, "UnsupportedOperationException", std::move(message));
    default:
      // Store and audit failures, internal errors: no detail leaves.
      return Named(500, "InternalException", "the key manager failed; see its log");
  }
}

std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 511)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

crypto::SecureString ErrorBody(const XksError& e) {
  SecureJson body = SecureJson::object();
  body["errorName"] = S(e.name);
  body["errorMessage"] = S(Printable(e.message));
  return Dump(body);
}

struct Route {
  const XksKeyStore* store = nullptr;
  XksOperation op = XksOperation::kHealth;
  std::string_view key_id;
  std::string_view name;  // the route's template, for logs, metrics and audit
};

bool ValidExternalKeyId(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

// Match finds the key store and operation of `path`; nullopt: no such path.
std::optional<Route> Match(const XksConfig& config, std::string_view path) {
  const std::size_t at = path.find(kBase);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view prefix = path.substr(0, at);
  const auto store = std::find_if(config.key_stores.begin(), config.key_stores.end(),
                                  [&](const XksKeyStore& s) { return s.path_prefix == prefix; });
  if (store == config.key_stores.end()) {
    return std::nullopt;
  }
  std::string_view rest = path.substr(at + kBase.size());
  Route route;
  route.store = &*store;
  if (rest == "/health") {
    route.name = "POST /kms/xks/v1/health";
    return route;
  }
  constexpr std::string_view kKeys = "/keys/";
  if (!rest.starts_with(kKeys)) {
    return std::nullopt;
  }
  rest.remove_prefix(kKeys.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  route.key_id = rest.substr(0, slash);
  const std::string_view op = rest.substr(slash + 1);
  if (op == "metadata") {
    route.op = XksOperation::kMetadata;
    route.name = "POST /kms/xks/v1/keys/{externalKeyId}/metadata";
  } else if (op == "encrypt") {
    route.op = XksOperation::kEncrypt;
    route.name = "POST /kms/xks/v1/keys/{externalKeyId}/encrypt";
  } else if (op == "decrypt") {
    route.op = XksOperation::kDecrypt;
    route.name = "POST /kms/xks/v1/keys/{externalKeyId}/decrypt";
  } else {
    return std::nullopt;
  }
  return route;
}

std::vector<std::uint8_t> MetadataFor(std::uint32_t version) {
  return {kMetadataScheme, static_cast<std::uint8_t>(version >> 24),
          static_cast<std::uint8_t>(version >> 16), static_cast<std::uint8_t>(version >> 8),
          static_cast<std::uint8_t>(version)};
}

// VersionOf reads ciphertextMetadata that Keyhold wrote; anything else
// cannot be Keyhold's ciphertext.
Result<std::uint32_t> VersionOf(std::span<const std::uint8_t> metadata) {
  if (metadata.size() != kMetadataSize || metadata[0] != kMetadataScheme) {
    return MakeError(ErrorCode::kInvalidCiphertext);
  }
  return (std::uint32_t{metadata[1]} << 24) | (std::uint32_t{metadata[2]} << 16) |
         (std::uint32_t{metadata[3]} << 8) | std::uint32_t{metadata[4]};
}

SecureJson B64(std::span<const std::uint8_t> bytes) {
  return SecureJson(S(crypto::Base64Encode(bytes)));
}

// Everything one call learns on its way, for its answer, log and record.
struct Facts {
  std::string principal;  // the awsPrincipalArn, once the body is read
  std::string auth;       // "sigv4:<access key id>", once verified
  std::string key;        // "TENANT/NAME"
  std::optional<std::uint32_t> key_version;
  std::string policy;
  XksAuditFacts xks;
};

}  // namespace

XksApi::XksApi(KeyService* service, const Config* config, Logger* logger, Metrics* metrics,
               const Clock* clock, PolicyStore* policies)
    : service_(service),
      config_(config),
      logger_(logger),
      metrics_(metrics),
      clock_(clock),
      policies_(policies) {}

bool XksApi::Owns(std::string_view path) {
  return path.find(kBase) != std::string_view::npos;
}

ApiResponse XksApi::Reject(const Error& error) {
  ApiResponse response;
  const XksError e = error.code == ErrorCode::kPayloadTooLarge
                         ? Named(413, "ValidationException", "the request body is too large")
                         : FromError(error);
  response.status = e.status;
  response.body = ErrorBody(e);
  response.xks = true;
  return response;
}

bool XksApi::DeepHealth() {
  std::lock_guard lock(health_mu_);
  const std::int64_t now = clock_->NowSeconds();
  if (health_.checked_at != 0 && now >= health_.checked_at &&
      now - health_.checked_at < kXksHealthMaxAgeS) {
    return health_.ok;
  }
  // A round trip through the keyring with a key AWS cannot name: it proves
  // that the store is readable, the keyring unsealed and the cipher works.
  const auto check = [&]() -> Status {
    KEYHOLD_ASSIGN_OR_RETURN(auto ring, service_->keyring());
    KEYHOLD_ASSIGN_OR_RETURN(auto id, crypto::KeyId::Parse(config_->xks.health_key));
    if (auto key = ring->GetKey(id); !key.ok()) {
      if (key.error().code != ErrorCode::kKeyNotFound) {
        return key.error();
      }
      if (auto made = ring->CreateKey(id, {});
          !made.ok() && made.error().code != ErrorCode::kKeyExists) {
        return made.error();
      }
    }
    KEYHOLD_ASSIGN_OR_RETURN(auto probe, crypto::RandomSecret(32));
    crypto::XksSealed sealed;
    const auto aad = crypto::AsBytes("keyhold xks health");
    KEYHOLD_ASSIGN_OR_RETURN(
        std::uint32_t version,
        ring->EncryptWith(id, [&](std::uint32_t v, const crypto::CommittedKey& key) -> Status {
          KEYHOLD_ASSIGN_OR_RETURN(
              sealed, crypto::XksSeal(key.xks_aead(), probe.Reveal(crypto::SecretAccess::Get()),
                                      aad, MetadataFor(v)));
          return Status::Ok();
        }));
    return ring->DecryptWith(id, version, [&](const crypto::CommittedKey& key) -> Status {
      KEYHOLD_ASSIGN_OR_RETURN(
          auto opened, crypto::XksOpen(key.xks_aead(), sealed.iv, sealed.ciphertext, sealed.tag,
                                       aad, MetadataFor(version)));
      if (!crypto::ConstantTimeEquals(opened.Reveal(crypto::SecretAccess::Get()),
                                      probe.Reveal(crypto::SecretAccess::Get()))) {
        return MakeError(ErrorCode::kCryptoFailure, "the health round trip does not match");
      }
      return Status::Ok();
    });
  };
  const Status s = check();
  if (!s.ok()) {
    logger_->Log(LogLevel::kWarn, "xks health check failed",
                 {{"error", Info(s.error().code).name}});
  }
  health_ = Health{s.ok(), now};
  return health_.ok;
}

ApiResponse XksApi::Handle(const ApiRequest& request) {
  const std::int64_t started = NowMicros();
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  const std::string_view query =
      request.target.size() > path.size() ? request.target.substr(path.size() + 1) : "";
  const std::optional<Route> route = Match(config_->xks, path);
  Facts facts;
  std::string_view route_name = route ? route->name : "xks unmatched";

  ApiResponse response;
  response.xks = true;
  const auto fail = [&](const XksError& e) {
    response.status = e.status;
    response.body = ErrorBody(e);
  };
  const auto finish = [&](const std::optional<XksError>& error) {
    if (error) {
      fail(*error);
    }
    const std::int64_t duration = NowMicros() - started;
    AuditEvent a;
    a.time_us = clock_->NowMicros() - duration;
    a.request_id = request.request_id;
    a.source = request.peer;
    a.operation = std::string(route_name);
    a.principal = facts.principal;
    a.auth = facts.auth;
    a.key = facts.key;
    a.key_version = facts.key_version;
    a.policy = facts.policy;
    if (route) {
      facts.xks.key_store = route->store->name;
      facts.xks.external_key_id = std::string(route->key_id.substr(0, 128));
      a.xks = facts.xks;
    }
    a.decision = response.status < 400 ? "allow" : response.status < 500 ? "deny" : "error";
    a.reason = error ? std::string(error->name) : "ok";
    a.status = response.status;
    a.latency_us = duration;
    response.audit = std::move(a);
    metrics_->ObserveRequest(route_name, response.status, static_cast<double>(duration) / 1e6);
    const LogLevel level = response.status >= 500 ? LogLevel::kWarn : LogLevel::kInfo;
    if (logger_->Enabled(level)) {
      logger_->Log(level, "request",
                   {{"request_id", request.request_id},
                    {"kms_request_id", std::string_view(facts.xks.kms_request_id)},
                    {"principal", facts.principal.empty() ? std::string_view("-")
                                                          : std::string_view(facts.principal)},
                    {"peer", request.peer},
                    {"route", route_name},
                    {"key_store", route ? std::string_view(route->store->name) : "-"},
                    {"status", static_cast<std::int64_t>(response.status)},
                    {"error", error ? error->name : std::string_view("")},
                    {"duration_us", duration}});
    }
    return std::move(response);
  };

  if (!route) {
    return finish(Named(404, "InvalidUriPathException", "no XKS API at this path"));
  }
  if (request.method != "POST") {
    response.allow = "POST";
    return finish(Named(405, "ValidationException", "XKS API calls are POST"));
  }
  const XksKeyStore& store = *route->store;
  if (!store.mtls_identity.empty() &&
      (!request.client_identity || *request.client_identity != store.mtls_identity)) {
    return finish(Named(401, "AuthenticationFailedException",
                        "this key store requires AWS KMS's client certificate"));
  }

  // SigV4, with a live credential of this key store.
  {
    auto auth = xks::ParseAuthorization(request.authorization);
    if (!auth.ok()) {
      return finish(FromError(auth.error()));
    }
    auto credentials = service_->xks_credentials();
    if (!credentials.ok()) {
      return finish(FromError(credentials.error()));
    }
    auto secret = (*credentials)->Lookup(auth->access_key_id);
    if (!secret.ok()) {
      return finish(FromError(secret.error()));
    }
    if (secret->key_store != store.name) {
      return finish(
          FromError(MakeError(ErrorCode::kUnauthenticated, "unknown or revoked access key id")));
    }
    xks::SigV4Request signed_request{request.method, path, query, request.headers, request.body};
    const auto text = secret->secret.Reveal(crypto::SecretAccess::Get());
    const Status verified = xks::Verify(
        signed_request, *auth,
        std::string_view(reinterpret_cast<const char*>(text.data()), text.size()),
        xks::SigV4Expectation{kService, config_->xks.regions, clock_->NowSeconds(), 300});
    if (!verified.ok()) {
      return finish(FromError(verified.error()));
    }
    facts.auth = "sigv4:" + auth->access_key_id;
    if (!store.mtls_identity.empty()) {
      facts.auth += "+mtls";
    }
  }

  auto parsed = ParseJsonObject(request.body);
  if (!parsed.ok()) {
    return finish(FromError(parsed.error()));
  }
  const SecureJson& body = *parsed;
  auto metadata = DecodeXksMetadata(body, route->op);
  if (!metadata.ok()) {
    return finish(FromError(metadata.error()));
  }
  facts.principal = metadata->aws_principal_arn;
  facts.xks.kms_request_id = metadata->kms_request_id;
  facts.xks.kms_operation = metadata->kms_operation;
  facts.xks.kms_key_arn = metadata->kms_key_arn;

  if (route->op == XksOperation::kHealth) {
    // Exempt from secondary authorisation (spec); answers ACTIVE or
    // UNAVAILABLE from a deep check at most a minute old.
    const bool healthy = DeepHealth();
    SecureJson reply = SecureJson::object();
    reply["xksProxyFleetSize"] = 1;
    reply["xksProxyVendor"] = S("Keyhold");
    reply["xksProxyModel"] = S("Keyhold XKS proxy " KEYHOLD_VERSION_STRING);
    reply["ekmVendor"] = S("Keyhold");
    SecureJson detail = SecureJson::object();
    detail["id"] = S("keyhold" + (config_->region.empty() ? "" : "-" + config_->region));
    detail["model"] = S("Keyhold keyring " KEYHOLD_VERSION_STRING);
    detail["healthStatus"] = S(healthy ? "ACTIVE" : "UNAVAILABLE");
    reply["ekmFleetDetails"] = SecureJson::array({std::move(detail)});
    response.body = Dump(reply);
    return finish(std::nullopt);
  }

  if (!ValidExternalKeyId(route->key_id)) {
    return finish(Named(404, "KeyNotFoundException", "no such external key in this key store"));
  }
  const auto mapped = std::find_if(store.keys.begin(), store.keys.end(),
                                   [&](const XksKey& k) { return k.id == route->key_id; });
  if (mapped == store.keys.end()) {
    return finish(Named(404, "KeyNotFoundException", "no such external key in this key store"));
  }
  auto id = crypto::KeyId::Parse(mapped->key);
  if (!id.ok()) {
    return finish(FromError(id.error()));
  }
  facts.key = mapped->key;

  // Residency, then the policies, with the AWS caller's facts.
  const char* operation = route->op == XksOperation::kEncrypt   ? "wrap"
                          : route->op == XksOperation::kDecrypt ? "unwrap"
                                                                : "read";
  {
    const std::shared_ptr<const policies::PolicySet> set = policies_->Snapshot();
    const std::optional<std::string> region = set->ResidencyOf(id->tenant());
    if (region && *region != config_->region) {
      return finish(Named(403, "AccessDeniedException",
                          "the key's tenant is resident in another region than this instance"));
    }
    if (!set->empty()) {
      policies::AccessRequest access;
      access.principal = metadata->aws_principal_arn;
      access.tenant = id->tenant();
      access.roles = {"aws-kms"};
      access.key = mapped->key;
      access.operation = operation;
      access.source = request.peer;
      access.aws = policies::AwsFacts{metadata->kms_operation, metadata->kms_via_service,
                                      metadata->aws_source_vpc, metadata->aws_source_vpce};
      const policies::Decision d = policies::Evaluate(*set, access, clock_->NowSeconds());
      facts.policy =
          d.rule.empty() && d.verdict == policies::Verdict::kDeny ? "default-deny" : d.rule;
      if (d.verdict == policies::Verdict::kDeny) {
        return finish(Named(
            403, "AccessDeniedException",
            std::string(operation) + " is denied: " +
                (d.explanation.empty() ? std::string("no rule allows it") : d.explanation.back())));
      }
      if (d.verdict == policies::Verdict::kNeedsApproval) {
        // An AWS KMS call cannot carry an access request's grant.
        return finish(Named(403, "AccessDeniedException",
                            std::string(operation) + " needs officers' approval (rule " + d.rule +
                                "), which AWS KMS calls cannot carry"));
      }
    }
  }

  auto ring = service_->keyring();
  if (!ring.ok()) {
    return finish(FromError(ring.error()));
  }
  SecureJson reply = SecureJson::object();
  switch (route->op) {
    case XksOperation::kMetadata: {
      auto key = (*ring)->GetKey(*id);
      if (!key.ok()) {
        return finish(FromError(key.error()));
      }
      SecureJson usage = SecureJson::array();
      if (mapped->encrypt) {
        usage.push_back(S("ENCRYPT"));
      }
      if (mapped->decrypt) {
        usage.push_back(S("DECRYPT"));
      }
      reply["keySpec"] = S("AES_256");
      reply["keyUsage"] = std::move(usage);
      reply["keyStatus"] = S(key->record.state == KeyState::kEnabled ? "ENABLED" : "DISABLED");
      break;
    }
    case XksOperation::kEncrypt: {
      if (!mapped->encrypt) {
        return finish(Named(400, "InvalidKeyUsageException", "this key does not encrypt"));
      }
      auto call = DecodeXksEncrypt(body);
      if (!call.ok()) {
        return finish(FromError(call.error()));
      }
      crypto::XksSealed sealed;
      std::vector<std::uint8_t> meta;
      std::optional<crypto::Sha256Digest> integrity;
      auto version = (*ring)->EncryptWith(
          *id, [&](std::uint32_t v, const crypto::CommittedKey& key) -> Status {
            meta = MetadataFor(v);
            const auto plaintext = call->plaintext.Reveal(crypto::SecretAccess::Get());
            KEYHOLD_ASSIGN_OR_RETURN(sealed,
                                     crypto::XksSeal(key.xks_aead(), plaintext, call->aad, meta));
            // The spec's order: integrity value first, then decrypt what
            // will be sent and compare, so a fault on the way is caught.
            if (call->integrity_value) {
              integrity = crypto::XksIntegrityValue(call->aad, meta, sealed.iv, sealed.ciphertext,
                                                    sealed.tag);
            }
            KEYHOLD_ASSIGN_OR_RETURN(auto check,
                                     crypto::XksOpen(key.xks_aead(), sealed.iv, sealed.ciphertext,
                                                     sealed.tag, call->aad, meta));
            if (!crypto::ConstantTimeEquals(check.Reveal(crypto::SecretAccess::Get()), plaintext)) {
              return MakeError(ErrorCode::kCryptoFailure, "encrypt-verify mismatch");
            }
            return Status::Ok();
          });
      if (!version.ok()) {
        return finish(FromError(version.error()));
      }
      facts.key_version = *version;
      reply["ciphertext"] = B64(sealed.ciphertext);
      reply["ciphertextMetadata"] = B64(meta);
      reply["initializationVector"] = B64(sealed.iv);
      reply["authenticationTag"] = B64(sealed.tag);
      if (integrity) {
        reply["ciphertextDataIntegrityValue"] = B64(*integrity);
      }
      break;
    }
    case XksOperation::kDecrypt: {
      if (!mapped->decrypt) {
        return finish(Named(400, "InvalidKeyUsageException", "this key does not decrypt"));
      }
      auto call = DecodeXksDecrypt(body);
      if (!call.ok()) {
        return finish(FromError(call.error()));
      }
      auto version = VersionOf(call->ciphertext_metadata);
      if (!version.ok()) {
        return finish(FromError(version.error()));
      }
      facts.key_version = *version;
      std::optional<crypto::SecretBytes> plaintext;
      const Status opened =
          (*ring)->DecryptWith(*id, *version, [&](const crypto::CommittedKey& key) -> Status {
            KEYHOLD_ASSIGN_OR_RETURN(
                plaintext, crypto::XksOpen(key.xks_aead(), call->iv, call->ciphertext, call->tag,
                                           call->aad, call->ciphertext_metadata));
            return Status::Ok();
          });
      if (!opened.ok()) {
        return finish(FromError(opened.error()));
      }
      auto text = crypto::Base64EncodeSecret(*plaintext);
      if (!text.ok()) {
        return finish(FromError(text.error()));
      }
      const auto b = text->Reveal(crypto::SecretAccess::Get());
      reply["plaintext"] = SecureJson(crypto::SecureString(b.begin(), b.end()));
      break;
    }
    case XksOperation::kHealth:
      break;
  }
  response.body = Dump(reply);
  return finish(std::nullopt);
}

}  // namespace keyhold::kms
