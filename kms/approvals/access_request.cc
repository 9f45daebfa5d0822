#include "kms/approvals/access_request.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace keyhold::kms {
namespace {

using Json = nlohmann::json;

constexpr std::uint8_t kRequestRecordFormat = 1;

Json ApprovalJson(const Approval& a) {
  return Json{
      {"officer", a.officer}, {"signature", a.signature}, {"comment", a.comment}, {"at", a.at}};
}

Approval ApprovalFrom(const Json& j) {
  return Approval{j.at("officer").get<std::string>(), j.at("signature").get<std::string>(),
                  j.at("comment").get<std::string>(), j.at("at").get<std::int64_t>()};
}

}  // namespace

policies::ApprovalSubject AccessRequest::Subject() const {
  return policies::ApprovalSubject{id,        operation,  key,       std::nullopt, context,
                                   requester, not_before, not_after, expires_at};
}

std::int64_t AccessRequest::GrantUntil() const {
  const auto ttl = static_cast<std::int64_t>(std::min<std::uint64_t>(grant_ttl_s, 1ULL << 40));
  return std::min(not_after, approved_at + ttl);
}

std::string AccessRequest::Status(std::int64_t now) const {
  if (denial) {
    return "denied";
  }
  if (approved_at == 0) {
    return now >= expires_at ? "expired" : "pending";
  }
  return uses >= grant_uses || now >= GrantUntil() ? "spent" : "approved";
}

bool IsRequestId(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::vector<std::uint8_t> EncodeAccessRequest(const AccessRequest& r) {
  Json context = Json::object();
  for (const auto& [k, v] : r.context.entries()) {
    context[k] = v;
  }
  Json approvals = Json::array();
  for (const Approval& a : r.approvals) {
    approvals.push_back(ApprovalJson(a));
  }
  const Json j = {{"id", r.id},
                  {"requester", r.requester},
                  {"requester_tenant", r.requester_tenant},
                  {"operation", r.operation},
                  {"key", r.key},
                  {"context", context},
                  {"not_before", r.not_before},
                  {"not_after", r.not_after},
                  {"created_at", r.created_at},
                  {"expires_at", r.expires_at},
                  {"justification_code", r.justification_code},
                  {"justification_text", r.justification_text},
                  {"rule", r.rule},
                  {"approvals_needed", r.approvals_needed},
                  {"approver_role", r.approver_role},
                  {"grant_ttl_s", r.grant_ttl_s},
                  {"grant_uses", r.grant_uses},
                  {"approvals", approvals},
                  {"denial", r.denial ? ApprovalJson(*r.denial) : Json(nullptr)},
                  {"approved_at", r.approved_at},
                  {"uses", r.uses}};
  const std::string text = j.dump();
  std::vector<std::uint8_t> out;
  out.reserve(text.size() + 1);
  out.push_back(kRequestRecordFormat);
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

Result<AccessRequest> DecodeAccessRequest(std::span<const std::uint8_t> body) {
  const auto corrupt = [] {
    return MakeError(ErrorCode::kStoreCorrupt, "an access request record failed to decode");
  };
  if (body.empty() || body[0] != kRequestRecordFormat) {
    return corrupt();
  }
  try {
    const Json j = Json::parse(body.begin() + 1, body.end());
    AccessRequest r;
    r.id = j.at("id").get<std::string>();
    r.requester = j.at("requester").get<std::string>();
    r.requester_tenant = j.at("requester_tenant").get<std::string>();
    r.operation = j.at("operation").get<std::string>();
    r.key = j.at("key").get<std::string>();
    std::vector<crypto::EncryptionContext::Entry> entries;
    for (const auto& [k, v] : j.at("context").items()) {
      entries.emplace_back(k, v.get<std::string>());
    }
    auto context = crypto::EncryptionContext::Create(std::move(entries));
    if (!context.ok()) {
      return corrupt();
    }
    r.context = std::move(context).value();
    r.not_before = j.at("not_before").get<std::int64_t>();
    r.not_after = j.at("not_after").get<std::int64_t>();
    r.created_at = j.at("created_at").get<std::int64_t>();
    r.expires_at = j.at("expires_at").get<std::int64_t>();
    r.justification_code = j.at("justification_code").get<std::string>();
    r.justification_text = j.at("justification_text").get<std::string>();
    r.rule = j.at("rule").get<std::string>();
    r.approvals_needed = j.at("approvals_needed").get<std::uint32_t>();
    r.approver_role = j.at("approver_role").get<std::string>();
    r.grant_ttl_s = j.at("grant_ttl_s").get<std::uint64_t>();
    r.grant_uses = j.at("grant_uses").get<std::uint32_t>();
    for (const Json& a : j.at("approvals")) {
      r.approvals.push_back(ApprovalFrom(a));
    }
    if (!j.at("denial").is_null()) {
      r.denial = ApprovalFrom(j.at("denial"));
    }
    r.approved_at = j.at("approved_at").get<std::int64_t>();
    r.uses = j.at("uses").get<std::uint32_t>();
    if (!IsRequestId(r.id)) {
      return corrupt();
    }
    return r;
  } catch (const Json::exception&) {
    return corrupt();
  }
}

}  // namespace keyhold::kms
