// Routes under /v1/tokens.
#include "kms/api/handlers.h"
#include "kms/api/render.h"
#include "kms/api/requests.h"

namespace keyhold::kms {

Result<Reply> Handlers::Tokens(const Call& call) {
  KEYHOLD_ASSIGN_OR_RETURN(std::shared_ptr<TokenStore> tokens, service_->tokens());
  KEYHOLD_TRY(Authorize(call.route.access, *call.principal, "*"));
  Reply reply;
  switch (call.route.id) {
    case RouteId::kTokensCreate: {
      KEYHOLD_ASSIGN_OR_RETURN(CreateTokenBody body, DecodeCreateToken(*call.body));
      if (body.roles.Has(Role::kAdmin)) {
        // An approval of an admin token is for this principal, tenant and
        // set of roles (names comma-separated, in RoleSet's fixed order).
        std::string roles;
        for (const std::string& r : body.roles.Names()) {
          roles += (roles.empty() ? "" : ",") + r;
        }
        KEYHOLD_ASSIGN_OR_RETURN(
            crypto::EncryptionContext binding,
            crypto::EncryptionContext::Create(
                {{"principal", body.principal}, {"tenant", body.tenant}, {"roles", roles}}));
        KEYHOLD_TRY(CheckAdminApproval(call, "admin-token-create", binding));
      }
      const std::uint64_t max_ttl = std::uint64_t{config_->token_max_ttl_days} * 86400;
      const std::uint64_t ttl =
          body.ttl_s.value_or(std::uint64_t{config_->token_default_ttl_days} * 86400);
      if (ttl > max_ttl) {
        return MakeError(ErrorCode::kInvalidRequest,
                         "ttl_s exceeds tokens.max_ttl_days (" +
                             std::to_string(config_->token_max_ttl_days) + " days)");
      }
      KEYHOLD_ASSIGN_OR_RETURN(NewToken token,
                               tokens->CreateToken({body.principal, body.tenant, body.roles,
                                                    static_cast<std::int64_t>(ttl)}));
      reply.status = 201;
      reply.body = RenderToken(token.info);
      const auto text = token.token.Reveal(crypto::SecretAccess::Get());
      reply.body["token"] = crypto::SecureString(text.begin(), text.end());
      return reply;
    }
    case RouteId::kTokensList: {
      KEYHOLD_ASSIGN_OR_RETURN(auto list, tokens->List());
      SecureJson out = SecureJson::array();
      for (const TokenInfo& t : list) {
        out.push_back(RenderToken(t));
      }
      reply.body["tokens"] = std::move(out);
      return reply;
    }
    case RouteId::kTokenRevoke: {
      KEYHOLD_TRY(DecodeEmpty(*call.body));
      KEYHOLD_ASSIGN_OR_RETURN(TokenInfo info, tokens->Revoke(call.route.accessor));
      reply.body = RenderToken(info);
      return reply;
    }
    default:
      return MakeError(ErrorCode::kInternal, "route not handled here");
  }
}

}  // namespace keyhold::kms
