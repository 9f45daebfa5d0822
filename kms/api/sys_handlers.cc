// Routes under /v1/sys, /v1/health and /metrics.
#include "kms/api/handlers.h"
#include "kms/api/render.h"
#include "kms/api/requests.h"

namespace keyhold::kms {
namespace {

crypto::SecureString S(std::string_view s) {
  return crypto::SecureString(s.begin(), s.end());
}

SecureJson SecretText(const crypto::SecretBytes& secret) {
  const auto bytes = secret.Reveal(crypto::SecretAccess::Get());
  return SecureJson(crypto::SecureString(bytes.begin(), bytes.end()));
}

}  // namespace

Result<Reply> Handlers::Sys(const Call& call) {
  Reply reply;
  switch (call.route.id) {
    case RouteId::kSysSealStatus:
      reply.body = RenderSealStatus(service_->seal_status());
      return reply;

    case RouteId::kSysHealth: {
      // Vault's codes, for load balancers: 200 unsealed, 501 not
      // initialised, 503 sealed; the body says the same in JSON.
      const SealStatus s = service_->seal_status();
      reply.body = RenderSealStatus(s);
      reply.status = !s.initialized ? 501 : s.sealed ? 503 : 200;
      return reply;
    }

    case RouteId::kHealthLive:
      reply.body["status"] = S("live");
      return reply;

    case RouteId::kHealthReady: {
      // During an audit outage every audited call is refused: a load
      // balancer should send traffic elsewhere until the log recovers.
      const SealStatus s = service_->seal_status();
      const char* reason = !s.initialized                            ? "not_initialized"
                           : s.sealed                                ? "sealed"
                           : audit_ != nullptr && !audit_->healthy() ? "audit_unavailable"
                                                                     : "unsealed";
      const bool ready = std::string_view(reason) == "unsealed";
      reply.status = ready ? 200 : 503;
      reply.body["ready"] = ready;
      reply.body["reason"] = S(reason);
      return reply;
    }

    case RouteId::kMetrics:
      reply.text = metrics_->Render(*service_);
      return reply;

    case RouteId::kSysInit: {
      KEYHOLD_ASSIGN_OR_RETURN(InitBody body, DecodeInit(*call.body));
      InitRequest request;
      request.method = body.method;
      request.share_count = body.share_count;
      request.threshold = body.threshold;
      request.passphrase = std::move(body.passphrase);
      if (body.method == SealMethod::kKeyFile) {
        // The path comes from the configuration only: an API caller never
        // chooses where a key is written.
        if (config_->dev_key_file.empty()) {
          return MakeError(ErrorCode::kDevModeOnly,
                           "the key_file method needs server.dev_mode and seal.dev_key_file");
        }
        request.key_file = config_->dev_key_file;
      }
      const bool key_file = request.method == SealMethod::kKeyFile;
      KEYHOLD_ASSIGN_OR_RETURN(InitResult result, service_->Init(std::move(request)));
      call.facts->undo = [service = service_, id = result.store_id] {
        return service->UndoInit(id);
      };
      if (key_file) {
        // Development mode: the key file is right here, so the server would
        // unseal itself at its next start anyway; do it now. If that fails
        // (its audit checkpoint included), the token would be lost with the
        // error: the init is taken back instead.
        if (Status s = service_->UnsealWithKeyFile(config_->dev_key_file); !s.ok()) {
          (void)call.facts->undo();
          return s.error();
        }
      }
      SecureJson shares = SecureJson::array();
      for (const auto& share : result.shares) {
        shares.push_back(SecretText(share));
      }
      reply.body["shares"] = std::move(shares);
      reply.body["admin_token"] = SecretText(result.admin_token);
      reply.body["seal_status"] = RenderSealStatus(service_->seal_status());
      return reply;
    }

    case RouteId::kSysUnseal: {
      KEYHOLD_ASSIGN_OR_RETURN(UnsealBody body, DecodeUnseal(*call.body));
      if (body.reset) {
        service_->ResetUnseal();
      } else if (body.share) {
        KEYHOLD_TRY(service_->SubmitShare(body.share->Reveal(crypto::SecretAccess::Get())));
      } else {
        KEYHOLD_TRY(service_->UnsealWithPassphrase(*body.passphrase));
      }
      reply.body = RenderSealStatus(service_->seal_status());
      return reply;
    }

    case RouteId::kSysSeal:
      KEYHOLD_TRY(DecodeEmpty(*call.body));
      service_->Seal();
      reply.body = RenderSealStatus(service_->seal_status());
      return reply;

    default:
      return MakeError(ErrorCode::kInternal, "route not handled here");
  }
}

}  // namespace keyhold::kms
