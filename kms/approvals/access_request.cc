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

}  // namespace

policies::ApprovalSubject AccessRequest::Subject() const {
  return policies::ApprovalSubject{id,         operation,          key,        std::nullopt,
                                   context,    requester,          not_before, not_after,
                                   expires_at, justification_code, grant_uses, grant_ttl_s};
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
  const Json j = Json::parse(body.begin() + 1, body.end(), nullptr, false);
  if (!j.is_object()) {
    return corrupt();
  }
  // Strict types: nlohmann's get<> would wrap -1 into a quorum of 2^32-1,
  // or a huge count into 0.
  bool ok = true;
  const auto str = [&](const Json& o, const char* k) -> std::string {
    if (!o.contains(k) || !o[k].is_string()) {
      ok = false;
      return "";
    }
    return o[k].get<std::string>();
  };
  const auto uint = [&](const Json& o, const char* k, std::uint64_t max) -> std::uint64_t {
    if (!o.contains(k) || !o[k].is_number_unsigned() || o[k].get<std::uint64_t>() > max) {
      ok = false;
      return 0;
    }
    return o[k].get<std::uint64_t>();
  };
  // Times are unix seconds within +-2^40 (tens of thousands of years).
  const auto time = [&](const Json& o, const char* k) -> std::int64_t {
    constexpr std::int64_t kBound = std::int64_t{1} << 40;
    if (!o.contains(k) || !o[k].is_number_integer() || o[k].get<std::int64_t>() < -kBound ||
        o[k].get<std::int64_t>() > kBound) {
      ok = false;
      return 0;
    }
    return o[k].get<std::int64_t>();
  };
  const auto approval = [&](const Json& o) {
    if (!o.is_object()) {
      ok = false;
      return Approval{};
    }
    return Approval{str(o, "officer"), str(o, "signature"), str(o, "comment"), time(o, "at")};
  };
  AccessRequest r;
  r.id = str(j, "id");
  r.requester = str(j, "requester");
  r.requester_tenant = str(j, "requester_tenant");
  r.operation = str(j, "operation");
  r.key = str(j, "key");
  r.not_before = time(j, "not_before");
  r.not_after = time(j, "not_after");
  r.created_at = time(j, "created_at");
  r.expires_at = time(j, "expires_at");
  r.justification_code = str(j, "justification_code");
  r.justification_text = str(j, "justification_text");
  r.rule = str(j, "rule");
  r.approvals_needed = static_cast<std::uint32_t>(uint(j, "approvals_needed", 16));
  r.approver_role = str(j, "approver_role");
  r.grant_ttl_s = uint(j, "grant_ttl_s", std::uint64_t{1} << 40);
  r.grant_uses = static_cast<std::uint32_t>(uint(j, "grant_uses", 1'000'000));
  r.approved_at = time(j, "approved_at");
  r.uses = static_cast<std::uint32_t>(uint(j, "uses", 1'000'000));
  if (!j.contains("context") || !j["context"].is_object() || !j.contains("approvals") ||
      !j["approvals"].is_array() || !j.contains("denial")) {
    return corrupt();
  }
  std::vector<crypto::EncryptionContext::Entry> entries;
  for (const auto& [k, v] : j["context"].items()) {
    if (!v.is_string()) {
      return corrupt();
    }
    entries.emplace_back(k, v.get<std::string>());
  }
  for (const Json& a : j["approvals"]) {
    r.approvals.push_back(approval(a));
  }
  if (!j["denial"].is_null()) {
    r.denial = approval(j["denial"]);
  }
  auto context = crypto::EncryptionContext::Create(std::move(entries));
  if (!ok || !context.ok() || !IsRequestId(r.id) || r.approvals_needed == 0 || r.grant_uses == 0) {
    return corrupt();
  }
  r.context = std::move(context).value();
  return r;
}

}  // namespace keyhold::kms
