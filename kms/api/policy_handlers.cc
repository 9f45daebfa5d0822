// Routes under /v1/policies: read the policies in force, and replace one.
#include "crypto/hex.h"
#include "crypto/sha256.h"
#include "kms/api/handlers.h"
#include "policies/evaluate.h"

namespace keyhold::kms {
namespace {

crypto::SecureString S(std::string_view s) {
  return crypto::SecureString(s.begin(), s.end());
}

SecureJson Summary(const policies::PolicyDocument& d) {
  SecureJson out = SecureJson::object();
  out["name"] = S(d.name);
  out["version"] = d.version;
  out["description"] = S(d.description);
  out["rules"] = d.rules.size();
  out["approvals"] = d.approvals.size();
  out["rotation"] = d.rotation.size();
  SecureJson residency = SecureJson::object();
  for (const auto& [tenant, region] : d.residency) {
    residency[S(tenant)] = S(region);
  }
  out["residency"] = std::move(residency);
  return out;
}

}  // namespace

Result<Reply> Handlers::Policies(const Call& call) {
  KEYHOLD_TRY(Authorize(call.route.access, *call.principal, "*"));
  const std::shared_ptr<const policies::PolicySet> set = policies_->Snapshot();
  Reply reply;
  switch (call.route.id) {
    case RouteId::kPoliciesList: {
      SecureJson list = SecureJson::array();
      for (const policies::PolicyDocument& d : set->documents()) {
        list.push_back(Summary(d));
      }
      reply.body["policies"] = std::move(list);
      reply.body["region"] = S(config_->region);
      return reply;
    }
    case RouteId::kPolicyShow: {
      const policies::PolicyDocument* d = set->Find(call.route.policy);
      if (d == nullptr) {
        return MakeError(ErrorCode::kNotFound,
                         "no policy document named '" + call.route.policy + "'");
      }
      KEYHOLD_ASSIGN_OR_RETURN(std::string text, policies_->Text(call.route.policy));
      reply.body = Summary(*d);
      KEYHOLD_ASSIGN_OR_RETURN(reply.body["document"], ParseJsonObject(text));
      return reply;
    }
    case RouteId::kPolicyPut: {
      // An approval of a policy change is for this exact document.
      const crypto::Sha256Digest digest = crypto::Sha256(
          {{reinterpret_cast<const std::uint8_t*>(call.raw_body.data()), call.raw_body.size()}});
      KEYHOLD_ASSIGN_OR_RETURN(
          crypto::EncryptionContext binding,
          crypto::EncryptionContext::Create(
              {{"policy", call.route.policy}, {"document_sha256", crypto::HexEncode(digest)}}));
      KEYHOLD_TRY(CheckAdminApproval(call, "policy-change", binding));
      KEYHOLD_ASSIGN_OR_RETURN(policies::PolicyDocument d,
                               policies_->Apply(call.route.policy, call.raw_body));
      call.facts->policy = d.name + "@v" + std::to_string(d.version);
      reply.body = Summary(d);
      return reply;
    }
    default:
      return MakeError(ErrorCode::kInternal, "route not handled here");
  }
}

}  // namespace keyhold::kms
