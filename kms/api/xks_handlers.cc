// Routes under /v1/xks: the SigV4 credentials AWS KMS calls the XKS proxy
// API with (docs/xks.md). Global admins only; creating one is an
// administrative operation approval rules may cover (xks-credential-create).
#include "kms/api/field_reader.h"
#include "kms/api/handlers.h"
#include "kms/api/render.h"
#include "kms/api/requests.h"

namespace keyhold::kms {
namespace {

crypto::SecureString S(std::string_view s) {
  return crypto::SecureString(s.begin(), s.end());
}

SecureJson RenderCredential(const XksCredentialInfo& c) {
  SecureJson out = SecureJson::object();
  out["access_key_id"] = S(c.access_key_id);
  out["key_store"] = S(c.key_store);
  out["created_at"] = S(Rfc3339(c.created_at));
  out["revoked_at"] =
      c.revoked_at == 0 ? SecureJson(nullptr) : SecureJson(S(Rfc3339(c.revoked_at)));
  return out;
}

}  // namespace

Result<Reply> Handlers::XksCredentials(const Call& call) {
  KEYHOLD_TRY(Authorize(call.route.access, *call.principal, "*"));
  KEYHOLD_ASSIGN_OR_RETURN(std::shared_ptr<XksCredentialStore> store, service_->xks_credentials());
  Reply reply;
  switch (call.route.id) {
    case RouteId::kXksCredentialsCreate: {
      FieldReader r(*call.body);
      KEYHOLD_ASSIGN_OR_RETURN(std::string name, Require(r.String("key_store", 32), "key_store"));
      KEYHOLD_TRY(r.Finish());
      const auto& stores = config_->xks.key_stores;
      const auto it = std::find_if(stores.begin(), stores.end(),
                                   [&](const XksKeyStore& s) { return s.name == name; });
      if (it == stores.end()) {
        return MakeError(ErrorCode::kInvalidRequest,
                         "field 'key_store' must name a key store of the configuration "
                         "([[xks.key_store]])");
      }
      KEYHOLD_ASSIGN_OR_RETURN(crypto::EncryptionContext binding,
                               crypto::EncryptionContext::Create({{"key_store", name}}));
      KEYHOLD_TRY(CheckAdminApproval(call, "xks-credential-create", binding));
      KEYHOLD_ASSIGN_OR_RETURN(NewXksCredential made, store->CreateCredential(name));
      const auto secret = made.secret.Reveal(crypto::SecretAccess::Get());
      const crypto::SecureString secret_text(secret.begin(), secret.end());
      reply.status = 201;
      reply.body = RenderCredential(made.info);
      reply.body["secret_access_key"] = secret_text;
      // The file AWS's console takes for CreateCustomKeyStore (spec 5).
      SecureJson credential = SecureJson::object();
      credential["AccessKeyId"] = S(made.info.access_key_id);
      credential["RawSecretAccessKey"] = secret_text;
      SecureJson proxy = SecureJson::object();
      proxy["XksProxyUriPath"] = S(it->uri_path());
      proxy["XksProxyAuthenticationCredential"] = std::move(credential);
      reply.body["proxy_configuration"] = std::move(proxy);
      return reply;
    }
    case RouteId::kXksCredentialsList: {
      KEYHOLD_ASSIGN_OR_RETURN(auto list, store->List());
      SecureJson out = SecureJson::array();
      for (const XksCredentialInfo& c : list) {
        out.push_back(RenderCredential(c));
      }
      reply.body["credentials"] = std::move(out);
      return reply;
    }
    case RouteId::kXksCredentialRevoke: {
      KEYHOLD_TRY(DecodeEmpty(*call.body));
      KEYHOLD_ASSIGN_OR_RETURN(XksCredentialInfo info, store->Revoke(call.route.accessor));
      reply.body = RenderCredential(info);
      return reply;
    }
    default:
      return MakeError(ErrorCode::kInternal, "route not handled here");
  }
}

}  // namespace keyhold::kms
