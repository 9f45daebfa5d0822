// Routes under /v1/policies: read the policies in force, and replace one.
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

Status RefuseWithoutGrant(const policies::PolicySet& set, std::string_view operation,
                          AuditFacts* facts) {
  std::string rule;
  const policies::ApprovalRule* a = policies::ApprovalFor(set, "", operation, &rule);
  if (a == nullptr) {
    return Status::Ok();
  }
  facts->policy = rule;
  return MakeError(ErrorCode::kApprovalRequired,
                   std::string(operation) + " needs " + std::to_string(a->approvals) + " " +
                       a->approver_role + " approvals (rule " + rule +
                       "); access requests are not available in this release");
}

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
      KEYHOLD_TRY(RefuseWithoutGrant(*set, "policy-change", call.facts));
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
