// Routes under /v1/keys: key administration, the key operations, and BYOK
// import and export.
#include "crypto/base64.h"
#include "crypto/check.h"
#include "crypto/hex.h"
#include "crypto/rsa_oaep.h"
#include "crypto/sha256.h"
#include "kms/api/handlers.h"
#include "kms/api/render.h"
#include "kms/api/requests.h"
#include "policies/evaluate.h"

namespace keyhold::kms {
namespace {

crypto::SecureString S(std::string_view s) {
  return crypto::SecureString(s.begin(), s.end());
}

Result<SecureJson> SecretBase64(const crypto::SecretBytes& secret) {
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes text, crypto::Base64EncodeSecret(secret));
  const auto bytes = text.Reveal(crypto::SecretAccess::Get());
  return SecureJson(crypto::SecureString(bytes.begin(), bytes.end()));
}

SecureJson Wrapped(const WrapResult& w) {
  SecureJson out = SecureJson::object();
  out["ciphertext"] = S(crypto::Base64Encode(w.ciphertext));
  out["key_version"] = w.key_version;
  return out;
}

// AdminOperation names the policy operation of an administrative key
// route; empty for key use (decided later) and for routes with no key.
std::string_view AdminOperation(RouteId id) {
  switch (id) {
    case RouteId::kKeyShow:
      return "read";
    case RouteId::kKeyRotate:
      return "rotate";
    case RouteId::kKeyEnable:
      return "enable";
    case RouteId::kKeyDisable:
      return "disable";
    case RouteId::kKeyConfig:
      return "config";
    case RouteId::kKeyScheduleDeletion:
      return "schedule-deletion";
    case RouteId::kKeyCancelDeletion:
      return "cancel-deletion";
    case RouteId::kKeyImportParams:
    case RouteId::kKeyImport:
      return "import";
    default:
      return "";  // key use and export are decided once their body is read
  }
}

}  // namespace

crypto::EncryptionContext ExportBinding(std::string_view public_key_sha256,
                                        std::string_view algorithm, std::uint32_t version) {
  auto binding =
      crypto::EncryptionContext::Create({{"key_version", std::to_string(version)},
                                         {"public_key_sha256", std::string(public_key_sha256)},
                                         {"wrapping_algorithm", std::string(algorithm)}});
  // Three short ASCII entries always make a valid context.
  KEYHOLD_CHECK(binding.ok());
  return std::move(binding).value();
}

namespace {

SecureJson AlgorithmNames() {
  SecureJson names = SecureJson::array();
  for (auto a : {crypto::WrappingAlgorithm::kRsaesOaepSha256,
                 crypto::WrappingAlgorithm::kRsaAesKeyWrapSha256}) {
    names.push_back(S(crypto::WrappingAlgorithmName(a)));
  }
  return names;
}

}  // namespace

Status Handlers::CheckResidency(const policies::PolicySet& set, std::string_view tenant) const {
  const std::optional<std::string> region = set.ResidencyOf(tenant);
  if (!region || *region == config_->region) {
    return Status::Ok();
  }
  return MakeError(ErrorCode::kResidencyViolation,
                   "tenant '" + std::string(tenant) + "' is resident in region '" + *region +
                       "'; this instance " +
                       (config_->region.empty() ? std::string("has no region (server.region)")
                                                : "is in region '" + config_->region + "'"));
}

SecureJson Handlers::Residency(std::string_view tenant) const {
  const std::optional<std::string> region = policies_->Snapshot()->ResidencyOf(tenant);
  return region ? SecureJson(S(*region)) : SecureJson(nullptr);
}

Status Handlers::Decide(const Call& call, std::string_view operation, const crypto::KeyId& id,
                        const crypto::EncryptionContext* context,
                        const std::optional<Justification>& justification) const {
  const std::shared_ptr<const policies::PolicySet> set = policies_->Snapshot();
  KEYHOLD_TRY(CheckResidency(*set, id.tenant()));
  if (set->empty()) {
    return Status::Ok();  // no policies: the caller's roles decided
  }
  policies::AccessRequest request;
  request.principal = call.principal->name;
  request.tenant = call.principal->tenant;
  request.roles = call.principal->roles.Names();
  request.key = id.ToString();
  request.operation = std::string(operation);
  request.source = std::string(call.peer);
  if (context != nullptr) {
    request.context.insert(context->entries().begin(), context->entries().end());
  }
  if (justification) {
    request.justification_code = justification->reason_code;
  }
  const policies::Decision d = policies::Evaluate(*set, request, clock_->NowSeconds());
  call.facts->policy =
      d.rule.empty() && d.verdict == policies::Verdict::kDeny ? "default-deny" : d.rule;
  switch (d.verdict) {
    case policies::Verdict::kAllow:
      return Status::Ok();
    case policies::Verdict::kNeedsApproval:
      return NeedGrant(call, operation, request.key, context, *d.approval, d.rule);
    case policies::Verdict::kDeny:
      break;
  }
  return MakeError(
      ErrorCode::kPolicyDenied,
      std::string(operation) + " on " + request.key + " is denied: " +
          (d.explanation.empty() ? std::string("no rule allows it") : d.explanation.back()));
}

Status Handlers::NeedGrant(const Call& call, std::string_view operation, std::string_view key,
                           const crypto::EncryptionContext* context,
                           const policies::ApprovalRule& rule, const std::string& rule_name) const {
  call.facts->policy = rule_name;
  if (call.grant.empty()) {
    return MakeError(ErrorCode::kApprovalRequired,
                     std::string(operation) + (key.empty() ? "" : " on " + std::string(key)) +
                         " needs " + std::to_string(rule.approvals) + " " + rule.approver_role +
                         " approvals (rule " + rule_name +
                         "): file an access request (POST /v1/requests) and send its id in "
                         "X-Keyhold-Grant once approved");
  }
  KEYHOLD_ASSIGN_OR_RETURN(std::shared_ptr<RequestStore> requests, service_->requests());
  call.facts->access_request = std::string(call.grant.substr(0, 64));
  KEYHOLD_TRY(
      requests->UseGrant(call.grant, GrantUse{call.principal->name, operation, key, context}));
  return Status::Ok();
}

Status Handlers::CheckAdminApproval(const Call& call, std::string_view operation,
                                    const crypto::EncryptionContext& binding) const {
  std::string rule;
  const policies::ApprovalRule* a =
      policies::ApprovalFor(*policies_->Snapshot(), "", operation, &rule);
  if (a == nullptr) {
    return Status::Ok();
  }
  return NeedGrant(call, operation, "", &binding, *a, rule);
}

Status Authorize(Access access, const Principal& p, std::string_view tenant) {
  auto refuse = [&](std::string_view needs) -> Status {
    return MakeError(ErrorCode::kForbidden, "this needs " + std::string(needs) + " for tenant '" +
                                                std::string(tenant) + "'");
  };
  switch (access) {
    case Access::kPublic:
    case Access::kAnyPrincipal:  // authenticated; the handler decides the rest
      return Status::Ok();
    case Access::kKeyRead:
      return p.CoversTenant(tenant) &&
                     p.roles.HasAny(RoleSet::Of({Role::kAdmin, Role::kApp, Role::kAuditor}))
                 ? Status::Ok()
                 : refuse("the admin, app or auditor role");
    case Access::kKeyAdmin:
      return p.CoversTenant(tenant) && p.roles.Has(Role::kAdmin) ? Status::Ok()
                                                                 : refuse("the admin role");
    case Access::kKeyUse:
      return p.CoversTenant(tenant) && p.roles.Has(Role::kApp) ? Status::Ok()
                                                               : refuse("the app role");
    case Access::kPolicyRead:
      return p.tenant == kAllTenants &&
                     p.roles.HasAny(RoleSet::Of({Role::kAdmin, Role::kOfficer, Role::kAuditor}))
                 ? Status::Ok()
                 : MakeError(ErrorCode::kForbidden,
                             "this needs the admin, officer or auditor role for all tenants");
    case Access::kAuditRead:
      return p.CoversTenant(tenant) && p.roles.Has(Role::kAuditor) ? Status::Ok()
                                                                   : refuse("the auditor role");
    case Access::kGlobalAdmin:
      return p.tenant == kAllTenants && p.roles.Has(Role::kAdmin)
                 ? Status::Ok()
                 : MakeError(ErrorCode::kForbidden, "this needs the admin role for all tenants");
  }
  return MakeError(ErrorCode::kForbidden);
}

Result<Reply> Handlers::Keys(const Call& call) {
  KEYHOLD_ASSIGN_OR_RETURN(std::shared_ptr<Keyring> ring, service_->keyring());
  const Principal& who = *call.principal;
  Reply reply;

  if (call.route.id == RouteId::kKeysCreate) {
    KEYHOLD_ASSIGN_OR_RETURN(CreateKeyBody body, DecodeCreateKey(*call.body));
    call.facts->key = body.id.ToString();
    KEYHOLD_TRY(Authorize(call.route.access, who, body.id.tenant()));
    KEYHOLD_TRY(Decide(call, "create", body.id, nullptr, std::nullopt));
    KEYHOLD_ASSIGN_OR_RETURN(KeyInfo key,
                             ring->CreateKey(body.id, {body.rotation_period_s, body.exportable}));
    reply.status = 201;
    reply.body = RenderKey(key, Versions::kInclude);
    reply.body["residency"] = Residency(body.id.tenant());
    return reply;
  }

  if (call.route.id == RouteId::kKeysList) {
    const auto tenant = call.query.find("tenant");
    if (tenant == call.query.end()) {
      return MakeError(ErrorCode::kInvalidRequest, "query parameter 'tenant' is required");
    }
    KEYHOLD_TRY(Authorize(call.route.access, who, tenant->second));
    KEYHOLD_TRY(CheckResidency(*policies_->Snapshot(), tenant->second));
    KEYHOLD_ASSIGN_OR_RETURN(std::uint64_t limit, QueryUint(call.query, "limit", 100, 1, 1000));
    const auto after = call.query.find("after");
    KEYHOLD_ASSIGN_OR_RETURN(auto keys,
                             ring->ListKeys(tenant->second, static_cast<std::size_t>(limit),
                                            after == call.query.end() ? "" : after->second));
    SecureJson list = SecureJson::array();
    const SecureJson residency = Residency(tenant->second);
    for (const KeyInfo& k : keys) {
      list.push_back(RenderKey(k));
      list.back()["residency"] = residency;
    }
    reply.body["keys"] = std::move(list);
    // A full page may have more after it; the caller continues from here.
    reply.body["next_after"] =
        keys.size() == limit ? SecureJson(S(keys.back().id.name())) : SecureJson(nullptr);
    return reply;
  }

  const crypto::KeyId& id = *call.route.key;
  KEYHOLD_TRY(Authorize(call.route.access, who, id.tenant()));
  // Administration is decided before the body is read: it carries nothing
  // that rules test. Key use is decided once its context is known.
  if (const std::string_view op = AdminOperation(call.route.id); !op.empty()) {
    KEYHOLD_TRY(Decide(call, op, id, nullptr, std::nullopt));
  }
  switch (call.route.id) {
    case RouteId::kKeyShow: {
      KEYHOLD_ASSIGN_OR_RETURN(KeyInfo key, ring->GetKey(id));
      reply.body = RenderKey(key, Versions::kInclude);
      reply.body["residency"] = Residency(id.tenant());
      return reply;
    }
    case RouteId::kKeyRotate:
    case RouteId::kKeyEnable:
    case RouteId::kKeyDisable:
    case RouteId::kKeyCancelDeletion: {
      KEYHOLD_TRY(DecodeEmpty(*call.body));
      Result<KeyInfo> changed = MakeError(ErrorCode::kInternal);
      switch (call.route.id) {
        case RouteId::kKeyRotate:
          changed = ring->Rotate(id);
          break;
        case RouteId::kKeyEnable:
          changed = ring->Enable(id);
          break;
        case RouteId::kKeyDisable:
          changed = ring->Disable(id);
          break;
        default:
          changed = ring->CancelDeletion(id);
          break;
      }
      KEYHOLD_TRY(changed);
      reply.body = RenderKey(*changed);
      return reply;
    }
    case RouteId::kKeyConfig: {
      KEYHOLD_ASSIGN_OR_RETURN(KeyConfigBody body, DecodeKeyConfig(*call.body));
      KEYHOLD_ASSIGN_OR_RETURN(
          KeyInfo key, ring->SetConfig(id, {body.min_decryption_version, body.rotation_period_s}));
      reply.body = RenderKey(key);
      return reply;
    }
    case RouteId::kKeyScheduleDeletion: {
      KEYHOLD_ASSIGN_OR_RETURN(ScheduleDeletionBody body, DecodeScheduleDeletion(*call.body));
      KEYHOLD_ASSIGN_OR_RETURN(KeyInfo key, ring->ScheduleDeletion(id, body.days));
      reply.body = RenderKey(key);
      return reply;
    }
    case RouteId::kKeyWrap: {
      KEYHOLD_ASSIGN_OR_RETURN(WrapBody body, DecodeWrap(*call.body));
      call.facts->context = body.context;
      call.facts->justification = body.justification;
      KEYHOLD_TRY(Decide(call, "wrap", id, &body.context, body.justification));
      KEYHOLD_ASSIGN_OR_RETURN(
          WrapResult w,
          ring->Wrap(id, body.plaintext.Reveal(crypto::SecretAccess::Get()), body.context));
      call.facts->key_version = w.key_version;
      reply.body = Wrapped(w);
      return reply;
    }
    case RouteId::kKeyUnwrap: {
      KEYHOLD_ASSIGN_OR_RETURN(CiphertextBody body, DecodeCiphertext(*call.body));
      call.facts->context = body.context;
      call.facts->justification = body.justification;
      KEYHOLD_TRY(Decide(call, "unwrap", id, &body.context, body.justification));
      KEYHOLD_ASSIGN_OR_RETURN(UnwrapResult u, ring->Unwrap(id, body.ciphertext, body.context));
      call.facts->key_version = u.key_version;
      KEYHOLD_ASSIGN_OR_RETURN(reply.body["plaintext"], SecretBase64(u.plaintext));
      reply.body["key_version"] = u.key_version;
      return reply;
    }
    case RouteId::kKeyRewrap: {
      KEYHOLD_ASSIGN_OR_RETURN(CiphertextBody body, DecodeCiphertext(*call.body));
      call.facts->context = body.context;
      call.facts->justification = body.justification;
      KEYHOLD_TRY(Decide(call, "rewrap", id, &body.context, body.justification));
      KEYHOLD_ASSIGN_OR_RETURN(WrapResult w, ring->Rewrap(id, body.ciphertext, body.context));
      call.facts->key_version = w.key_version;
      reply.body = Wrapped(w);
      return reply;
    }
    case RouteId::kKeyGenerateDataKey: {
      KEYHOLD_ASSIGN_OR_RETURN(GenerateDataKeyBody body, DecodeGenerateDataKey(*call.body));
      call.facts->context = body.context;
      call.facts->justification = body.justification;
      KEYHOLD_TRY(Decide(call, "generate-data-key", id, &body.context, body.justification));
      KEYHOLD_ASSIGN_OR_RETURN(DataKey dk, ring->GenerateDataKey(id, body.context));
      call.facts->key_version = dk.key_version;
      reply.body = Wrapped(WrapResult{std::move(dk.ciphertext), dk.key_version});
      if (body.include_plaintext) {
        KEYHOLD_ASSIGN_OR_RETURN(reply.body["plaintext"], SecretBase64(dk.plaintext));
      }
      return reply;
    }
    case RouteId::kKeyImportParams: {
      KEYHOLD_ASSIGN_OR_RETURN(ImportParamsBody body, DecodeImportParams(*call.body));
      KEYHOLD_ASSIGN_OR_RETURN(std::shared_ptr<KeyImporter> importer, service_->importer());
      KEYHOLD_ASSIGN_OR_RETURN(ImportParams params,
                               importer->NewParams(id, body.key_bits, body.lifetime_s));
      reply.body["import_token"] = S(params.token);
      reply.body["public_key"] = S(params.public_key_pem);
      reply.body["wrapping_key_spec"] = S("RSA_" + std::to_string(params.key_bits));
      reply.body["wrapping_algorithms"] = AlgorithmNames();
      reply.body["expires_at"] = S(Rfc3339(params.expires_at));
      return reply;
    }
    case RouteId::kKeyImport: {
      KEYHOLD_ASSIGN_OR_RETURN(ImportBody body, DecodeImport(*call.body));
      KEYHOLD_ASSIGN_OR_RETURN(std::shared_ptr<KeyImporter> importer, service_->importer());
      ImportCall import{std::move(body.import_token), body.algorithm,
                        std::move(body.wrapped_material),
                        ImportOptions{body.version, body.material_expires_at, body.exportable}};
      KEYHOLD_ASSIGN_OR_RETURN(ImportResult done, importer->Import(id, import));
      call.facts->key_version = done.version;
      KEYHOLD_ASSIGN_OR_RETURN(KeyInfo key, ring->GetKey(id));
      reply.status = done.created ? 201 : 200;
      reply.body = RenderKey(key, Versions::kInclude);
      reply.body["residency"] = Residency(id.tenant());
      reply.body["imported_version"] = done.version;
      return reply;
    }
    case RouteId::kKeyExport: {
      KEYHOLD_ASSIGN_OR_RETURN(ExportBody body, DecodeExport(*call.body));
      KEYHOLD_ASSIGN_OR_RETURN(std::unique_ptr<crypto::RsaPublicKey> customer,
                               crypto::RsaPublicKey::FromPem(body.public_key_pem));
      // Refuse what could never be exported before a grant is spent on it.
      KEYHOLD_ASSIGN_OR_RETURN(KeyInfo key, ring->GetKey(id));
      KEYHOLD_TRY(Transition(key.record.state, KeyOp::kExport));
      if (!key.record.exportable) {
        return MakeError(ErrorCode::kInvalidKeyState,
                         id.ToString() + " was not created exportable: its material never leaves");
      }
      const std::uint32_t version = body.version.value_or(key.record.primary_version);
      KEYHOLD_ASSIGN_OR_RETURN(crypto::Sha256Digest fingerprint, customer->Sha256());
      const std::string fingerprint_hex = crypto::HexEncode(fingerprint);
      // What the officers approve: this public key, this algorithm, this
      // version. A grant for any other is refused.
      const crypto::EncryptionContext binding =
          ExportBinding(fingerprint_hex, crypto::WrappingAlgorithmName(body.algorithm), version);
      call.facts->context = binding;
      call.facts->key_version = version;
      KEYHOLD_TRY(Decide(call, "export", id, &binding, std::nullopt));
      if (call.facts->access_request.empty()) {
        // Decide found no approval rule for this export: no quorum, no export.
        return MakeError(ErrorCode::kApprovalRequired,
                         "export needs an access request approved by officers, and an approval "
                         "rule that covers it; this instance has none (docs/byok.md)");
      }
      KEYHOLD_ASSIGN_OR_RETURN(ExportedMaterial material, ring->ExportMaterial(id, version));
      KEYHOLD_ASSIGN_OR_RETURN(
          std::vector<std::uint8_t> wrapped,
          crypto::WrapKeyMaterial(*customer, body.algorithm, material.material));
      reply.body["wrapped_material"] = S(crypto::Base64Encode(wrapped));
      reply.body["key_version"] = material.version;
      reply.body["wrapping_algorithm"] = S(crypto::WrappingAlgorithmName(body.algorithm));
      reply.body["public_key_sha256"] = S(fingerprint_hex);
      return reply;
    }
    default:
      return MakeError(ErrorCode::kInternal, "route not handled here");
  }
}

}  // namespace keyhold::kms
