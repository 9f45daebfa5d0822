// Routes under /v1/requests (access requests, officers' approvals) and
// /v1/officers (enrolment of officers' signing keys).
#include "crypto/base64.h"
#include "crypto/key_id.h"
#include "kms/api/handlers.h"
#include "kms/api/render.h"
#include "policies/approval_digest.h"
#include "policies/evaluate.h"

namespace keyhold::kms {
namespace {

crypto::SecureString S(std::string_view s) {
  return crypto::SecureString(s.begin(), s.end());
}

// FloorFor is the role rule a requester must already pass for `op`:
// approvals add a condition, never a right.
Access FloorFor(std::string_view op) {
  if (op == "wrap" || op == "unwrap" || op == "rewrap" || op == "generate-data-key") {
    return Access::kKeyUse;
  }
  if (op == "read") {
    return Access::kKeyRead;
  }
  return Access::kKeyAdmin;
}

// TenantOf is the tenant a request is about: the key's, or "*" for an
// administrative operation.
std::string TenantOf(const AccessRequest& r) {
  const std::size_t slash = r.key.find('/');
  return slash == std::string::npos ? std::string(kAllTenants) : r.key.substr(0, slash);
}

// MaySee: the requester, and officers and auditors of the request's tenant,
// see a request (its metadata and context; a request holds no key material
// or plaintext).
bool MaySee(const Principal& p, const AccessRequest& r) {
  if (p.name == r.requester) {
    return true;
  }
  const std::string tenant = TenantOf(r);
  const bool covers = tenant == kAllTenants ? p.tenant == kAllTenants : p.CoversTenant(tenant);
  return covers && p.roles.HasAny(RoleSet::Of({Role::kOfficer, Role::kAuditor}));
}

SecureJson RenderApproval(const Approval& a) {
  SecureJson out = SecureJson::object();
  out["officer"] = S(a.officer);
  out["comment"] = S(a.comment);
  out["at"] = S(Rfc3339(a.at));
  if (!a.signature.empty()) {
    out["signature"] = S(a.signature);
  }
  return out;
}

SecureJson RenderRequest(const AccessRequest& r, std::int64_t now) {
  SecureJson out = SecureJson::object();
  out["id"] = S(r.id);
  out["status"] = S(r.Status(now));
  out["requester"] = S(r.requester);
  out["requester_tenant"] = S(r.requester_tenant);
  out["operation"] = S(r.operation);
  out["key"] = r.key.empty() ? SecureJson(nullptr) : SecureJson(S(r.key));
  SecureJson context = SecureJson::object();
  for (const auto& [k, v] : r.context.entries()) {
    context[S(k)] = S(v);
  }
  out["context"] = std::move(context);
  out["not_before"] = S(Rfc3339(r.not_before));
  out["not_after"] = S(Rfc3339(r.not_after));
  out["created_at"] = S(Rfc3339(r.created_at));
  out["expires_at"] = S(Rfc3339(r.expires_at));
  out["justification"] = {{"reason_code", S(r.justification_code)},
                          {"text", S(r.justification_text)}};
  out["rule"] = S(r.rule);
  out["approvals_needed"] = r.approvals_needed;
  out["approver_role"] = S(r.approver_role);
  out["grant_uses"] = r.grant_uses;
  out["grant_ttl_s"] = r.grant_ttl_s;
  out["uses"] = r.uses;
  out["grant_until"] =
      r.approved_at == 0 ? SecureJson(nullptr) : SecureJson(S(Rfc3339(r.GrantUntil())));
  SecureJson approvals = SecureJson::array();
  for (const Approval& a : r.approvals) {
    approvals.push_back(RenderApproval(a));
  }
  out["approvals"] = std::move(approvals);
  out["denial"] = r.denial ? RenderApproval(*r.denial) : SecureJson(nullptr);
  // What an approval signs, so an officer's tool can compare it with the
  // text it builds itself from the fields above.
  out["approval_text"] = S(policies::ApprovalText(r.Subject()));
  return out;
}

// CheckBinding: an access request for an administrative operation, or for
// an export, names exactly what it is for, so its grant cannot be spent on
// anything else.
Status CheckBinding(std::string_view op, const crypto::EncryptionContext& context) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : context.entries()) {
    keys.push_back(k);
  }
  std::vector<std::string> want;
  std::string spelled;
  if (op == "policy-change") {
    want = {"document_sha256", "policy"};
    spelled = "{\"policy\", \"document_sha256\"}";
  } else if (op == "export") {
    want = {"key_version", "public_key_sha256", "wrapping_algorithm"};
    spelled = "{\"public_key_sha256\", \"wrapping_algorithm\", \"key_version\"}";
  } else if (op == "xks-credential-create") {
    want = {"key_store"};
    spelled = "{\"key_store\"}";
  } else {
    want = {"principal", "roles", "tenant"};
    spelled = "{\"principal\", \"tenant\", \"roles\"}";
  }
  if (keys != want) {
    return MakeError(ErrorCode::kInvalidRequest, "a request for " + std::string(op) +
                                                     " needs a context of " + spelled +
                                                     ": what the approval is for");
  }
  return Status::Ok();
}

}  // namespace

Result<Reply> Handlers::Requests(const Call& call) {
  KEYHOLD_ASSIGN_OR_RETURN(std::shared_ptr<RequestStore> requests, service_->requests());
  const Principal& who = *call.principal;
  const std::int64_t now = clock_->NowSeconds();
  Reply reply;
  switch (call.route.id) {
    case RouteId::kRequestsCreate: {
      KEYHOLD_ASSIGN_OR_RETURN(AccessRequestBody body, DecodeAccessRequestBody(*call.body));
      call.facts->key = body.key;
      call.facts->context = body.context;
      call.facts->justification = body.justification;
      const std::shared_ptr<const policies::PolicySet> set = policies_->Snapshot();
      const policies::ApprovalRule* rule = nullptr;
      std::string rule_name;
      if (policies::IsKeyOperation(body.operation)) {
        KEYHOLD_ASSIGN_OR_RETURN(crypto::KeyId id, crypto::KeyId::Parse(body.key));
        if (body.operation == "export") {
          KEYHOLD_TRY(CheckBinding(body.operation, body.context));
        } else if (FloorFor(body.operation) != Access::kKeyUse && !body.context.entries().empty()) {
          // Only key use carries a context; a grant for anything else with
          // one could never be used.
          return MakeError(ErrorCode::kInvalidRequest,
                           "field 'context' must be empty: " + body.operation + " takes none");
        }
        KEYHOLD_TRY(Authorize(FloorFor(body.operation), who, id.tenant()));
        KEYHOLD_TRY(CheckResidency(*set, id.tenant()));
        policies::AccessRequest facts;
        facts.principal = who.name;
        facts.tenant = who.tenant;
        facts.roles = who.roles.Names();
        facts.key = id.ToString();
        facts.operation = body.operation;
        facts.source = std::string(call.peer);
        facts.context.insert(body.context.entries().begin(), body.context.entries().end());
        facts.justification_code = body.justification.reason_code;
        const policies::Decision d = policies::Evaluate(*set, facts, now);
        call.facts->policy =
            d.rule.empty() && d.verdict == policies::Verdict::kDeny ? "default-deny" : d.rule;
        if (d.verdict == policies::Verdict::kDeny) {
          return MakeError(ErrorCode::kPolicyDenied,
                           "a request cannot be made for what policy denies: " +
                               (d.explanation.empty() ? std::string() : d.explanation.back()));
        }
        rule = d.approval;
        rule_name = d.rule;
      } else if (policies::IsAdminOperation(body.operation)) {
        if (!body.key.empty()) {
          return MakeError(ErrorCode::kInvalidRequest,
                           "field 'key' must be absent: " + body.operation + " acts on no key");
        }
        KEYHOLD_TRY(Authorize(Access::kGlobalAdmin, who, "*"));
        KEYHOLD_TRY(CheckBinding(body.operation, body.context));
        rule = policies::ApprovalFor(*set, "", body.operation, &rule_name);
        call.facts->policy = rule_name;
      } else {
        return MakeError(ErrorCode::kInvalidRequest,
                         "field 'operation' is not an operation (docs/policies.md)");
      }
      if (rule == nullptr) {
        return MakeError(ErrorCode::kInvalidRequest,
                         "no approval rule covers " + body.operation +
                             (body.key.empty() ? "" : " on " + body.key) + ": it needs no request");
      }
      AccessRequest draft;
      draft.requester = who.name;
      draft.requester_tenant = who.tenant;
      draft.operation = body.operation;
      draft.key = body.key;
      draft.context = body.context;
      // The window may not outlast the request's life plus the grant's.
      const auto longest = static_cast<std::int64_t>(rule->request_ttl_s + rule->grant_ttl_s);
      draft.not_before = body.not_before.value_or(now);
      draft.not_after = body.not_after.value_or(now + longest);
      if (draft.not_after <= draft.not_before || draft.not_after <= now ||
          draft.not_after > now + longest) {
        return MakeError(ErrorCode::kInvalidRequest,
                         "the window must end after it starts, in the future, and within " +
                             std::to_string(longest) +
                             " s (the rule's request_ttl_s + grant_ttl_s)");
      }
      draft.justification_code = body.justification.reason_code;
      draft.justification_text = body.justification.text;
      draft.rule = rule_name;
      draft.approvals_needed = rule->approvals;
      draft.approver_role = rule->approver_role;
      draft.grant_ttl_s = rule->grant_ttl_s;
      draft.grant_uses = rule->grant_uses;
      KEYHOLD_ASSIGN_OR_RETURN(AccessRequest made,
                               requests->Create(std::move(draft), rule->request_ttl_s));
      call.facts->access_request = made.id;
      reply.status = 201;
      reply.body = RenderRequest(made, now);
      return reply;
    }
    case RouteId::kRequestsList: {
      const auto status = call.query.find("status");
      const std::string want = status == call.query.end() ? "pending" : status->second;
      if (want != "pending" && want != "approved" && want != "denied" && want != "expired" &&
          want != "spent" && want != "all") {
        return MakeError(ErrorCode::kInvalidRequest,
                         "status must be pending, approved, denied, expired, spent or all");
      }
      KEYHOLD_ASSIGN_OR_RETURN(std::uint64_t limit, QueryUint(call.query, "limit", 100, 1, 1000));
      for (const auto& [name, value] : call.query) {
        if (name != "status" && name != "limit") {
          return MakeError(ErrorCode::kInvalidRequest, "unknown query parameter '" + name + "'");
        }
      }
      KEYHOLD_ASSIGN_OR_RETURN(auto list, requests->List(
                                              [&](const AccessRequest& r) {
                                                return MaySee(who, r) &&
                                                       (want == "all" || r.Status(now) == want);
                                              },
                                              static_cast<std::size_t>(limit)));
      SecureJson out = SecureJson::array();
      for (const AccessRequest& r : list) {
        out.push_back(RenderRequest(r, now));
      }
      reply.body["requests"] = std::move(out);
      return reply;
    }
    default:
      break;
  }
  // The routes on one request. One that the caller may not see does not
  // exist for it.
  auto found = requests->Get(call.route.resource);
  if (!found.ok() || !MaySee(who, *found)) {
    return found.ok() || found.error().code == ErrorCode::kNotFound
               ? MakeError(ErrorCode::kNotFound, "no such access request")
               : found.error();
  }
  call.facts->access_request = found->id;
  call.facts->key = found->key;
  call.facts->context = found->context;
  if (call.route.id == RouteId::kRequestShow) {
    reply.body = RenderRequest(*found, now);
    return reply;
  }
  if (call.route.id == RouteId::kRequestApprove) {
    KEYHOLD_ASSIGN_OR_RETURN(ApproveBody body, DecodeApprove(*call.body));
    crypto::Ed25519PublicKey signed_with{};
    KEYHOLD_ASSIGN_OR_RETURN(
        AccessRequest r,
        requests->Approve(found->id, who, body.signature, std::move(body.comment), &signed_with));
    call.facts->approval =
        ApprovalEvidence{who.name, crypto::Base64Encode(signed_with),
                         policies::ApprovalText(r.Subject()), r.approvals.back().signature};
    reply.body = RenderRequest(r, now);
    return reply;
  }
  if (call.route.id == RouteId::kRequestDeny) {
    KEYHOLD_ASSIGN_OR_RETURN(DenyBody body, DecodeDeny(*call.body));
    KEYHOLD_ASSIGN_OR_RETURN(AccessRequest r,
                             requests->Deny(found->id, who, std::move(body.comment)));
    reply.body = RenderRequest(r, now);
    return reply;
  }
  return MakeError(ErrorCode::kInternal, "route not handled here");
}

Result<Reply> Handlers::Officers(const Call& call) {
  KEYHOLD_ASSIGN_OR_RETURN(std::shared_ptr<OfficerRegistry> officers, service_->officers());
  KEYHOLD_TRY(Authorize(call.route.access, *call.principal, "*"));
  Reply reply;
  const auto render = [](const Officer& o) {
    SecureJson out = SecureJson::object();
    out["officer"] = S(o.principal);
    out["public_key"] = S(crypto::Base64Encode(o.public_key));
    out["enrolled_at"] = S(Rfc3339(o.enrolled_at));
    out["enrolled_by"] = S(o.enrolled_by);
    return out;
  };
  switch (call.route.id) {
    case RouteId::kOfficersList: {
      KEYHOLD_ASSIGN_OR_RETURN(auto list, officers->List());
      SecureJson out = SecureJson::array();
      for (const Officer& o : list) {
        out.push_back(render(o));
      }
      reply.body["officers"] = std::move(out);
      return reply;
    }
    case RouteId::kOfficerEnrol: {
      KEYHOLD_ASSIGN_OR_RETURN(EnrolOfficerBody body, DecodeEnrolOfficer(*call.body));
      KEYHOLD_ASSIGN_OR_RETURN(
          Officer o, officers->Enrol(call.route.resource, body.public_key, call.principal->name));
      call.facts->officer_key = std::make_pair(o.principal, crypto::Base64Encode(o.public_key));
      reply.body = render(o);
      return reply;
    }
    case RouteId::kOfficerRemove: {
      KEYHOLD_TRY(DecodeEmpty(*call.body));
      KEYHOLD_TRY(officers->Remove(call.route.resource));
      call.facts->officer_key = std::make_pair(call.route.resource, std::string());
      reply.body["officer"] = S(call.route.resource);
      reply.body["removed"] = true;
      return reply;
    }
    default:
      return MakeError(ErrorCode::kInternal, "route not handled here");
  }
}

}  // namespace keyhold::kms
