#include "kms/approvals/request_store.h"

#include <algorithm>

#include "crypto/base64.h"
#include "crypto/ed25519.h"
#include "crypto/hex.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"
#include "kms/approvals/officer_registry.h"

namespace keyhold::kms {
namespace {

std::string NewId() {
  std::uint8_t raw[16] = {};
  if (!crypto::FillRandom(raw).ok()) {
    return "";
  }
  return crypto::HexEncode(raw);
}

Error Refused(std::string message) {
  return Error{ErrorCode::kApprovalRefused, std::move(message)};
}

Error NoGrant(std::string_view why) {
  return Error{ErrorCode::kApprovalRequired,
               "the grant does not allow this call: " + std::string(why)};
}

}  // namespace

Result<AccessRequest> RequestStore::Load(ReadTxn& txn, std::string_view id) {
  if (!IsRequestId(id)) {
    return MakeError(ErrorCode::kNotFound, "no such access request");
  }
  const auto key = crypto::AsBytes(id);
  KEYHOLD_ASSIGN_OR_RETURN(auto raw, txn.Get(Table::kRequests, key));
  if (!raw) {
    return MakeError(ErrorCode::kNotFound, "no such access request");
  }
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes body, sealer_->Open(Table::kRequests, key, *raw));
  return DecodeAccessRequest(body.Reveal(crypto::SecretAccess::Get()));
}

Status RequestStore::Save(WriteTxn& txn, const AccessRequest& request) {
  const auto key = crypto::AsBytes(request.id);
  KEYHOLD_ASSIGN_OR_RETURN(auto sealed,
                           sealer_->Seal(Table::kRequests, key, EncodeAccessRequest(request)));
  return txn.Put(Table::kRequests, key, sealed);
}

Result<AccessRequest> RequestStore::Create(AccessRequest draft, std::uint64_t request_ttl_s) {
  draft.id = NewId();
  if (draft.id.empty()) {
    return MakeError(ErrorCode::kCryptoFailure);
  }
  draft.created_at = clock_->NowSeconds();
  draft.expires_at = draft.created_at +
                     static_cast<std::int64_t>(std::min<std::uint64_t>(request_ttl_s, 1ULL << 40));
  draft.approvals.clear();
  draft.denial.reset();
  draft.approved_at = 0;
  draft.uses = 0;
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_TRY(Save(txn, draft));
  KEYHOLD_TRY(txn.Commit());
  return draft;
}

Result<AccessRequest> RequestStore::Get(std::string_view id) {
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  return Load(txn, id);
}

Result<std::vector<AccessRequest>> RequestStore::List(
    const std::function<bool(const AccessRequest&)>& keep, std::size_t limit) {
  std::vector<AccessRequest> out;
  Status inner;
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store_->BeginRead());
  KEYHOLD_TRY(txn.ForEach(Table::kRequests, {}, {}, [&](Bytes key, Bytes value) {
    auto body = sealer_->Open(Table::kRequests, key, value);
    auto r = body.ok() ? DecodeAccessRequest(body->Reveal(crypto::SecretAccess::Get()))
                       : Result<AccessRequest>(body.error());
    if (!r.ok()) {
      inner = r.error();
      return false;
    }
    if (keep(*r)) {
      out.push_back(std::move(r).value());
    }
    return true;
  }));
  KEYHOLD_TRY(inner);
  std::sort(out.begin(), out.end(), [](const AccessRequest& a, const AccessRequest& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  if (out.size() > limit) {
    out.resize(limit);
  }
  return out;
}

Result<AccessRequest> RequestStore::Approve(std::string_view id, const Principal& officer,
                                            std::span<const std::uint8_t> signature,
                                            std::string comment,
                                            crypto::Ed25519PublicKey* signed_with) {
  return Decide(id, officer, signature, std::move(comment), true, signed_with);
}

Result<AccessRequest> RequestStore::Deny(std::string_view id, const Principal& officer,
                                         std::string comment) {
  return Decide(id, officer, {}, std::move(comment), false, nullptr);
}

Result<AccessRequest> RequestStore::Decide(std::string_view id, const Principal& officer,
                                           std::span<const std::uint8_t> signature,
                                           std::string comment, bool approve,
                                           crypto::Ed25519PublicKey* signed_with) {
  const std::int64_t now = clock_->NowSeconds();
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  KEYHOLD_ASSIGN_OR_RETURN(AccessRequest r, Load(txn, id));
  const std::string status = r.Status(now);
  // A denial also withdraws a grant not yet spent; an approval needs a
  // pending request whose window is still open.
  if (status != "pending" && !(status == "approved" && !approve)) {
    return Error{ErrorCode::kRequestClosed, "the request is " + status + ", not pending"};
  }
  if (approve && now >= r.not_after) {
    return Error{ErrorCode::kRequestClosed, "the request's window is over"};
  }
  // Invariant 7: a requester never approves its own request, and one
  // officer counts once.
  if (officer.name == r.requester) {
    return Refused("a requester cannot approve or deny its own request");
  }
  const auto role = ParseRole(r.approver_role);
  if (!role.ok() || !officer.roles.Has(*role)) {
    return Refused("approving this request needs the " + r.approver_role + " role");
  }
  if (approve && std::any_of(r.approvals.begin(), r.approvals.end(),
                             [&](const Approval& a) { return a.officer == officer.name; })) {
    return Refused("this officer already approved the request; one officer counts once");
  }
  KEYHOLD_ASSIGN_OR_RETURN(std::optional<Officer> enrolled,
                           OfficerRegistry::FindInTxn(txn, *sealer_, officer.name));
  if (!enrolled) {
    return Refused("'" + officer.name + "' has no enrolled signing key (keyhold officer enrol)");
  }
  Approval decision{officer.name, "", comment.substr(0, 1024), now};
  if (approve) {
    const crypto::Sha256Digest digest = policies::ApprovalDigest(r.Subject());
    if (!crypto::VerifyEd25519(enrolled->public_key, digest, signature)) {
      return MakeError(ErrorCode::kInvalidSignature,
                       "the signature is not this officer's over this request's approval digest");
    }
    decision.signature = crypto::Base64Encode(signature);
    if (signed_with != nullptr) {
      *signed_with = enrolled->public_key;
    }
    r.approvals.push_back(std::move(decision));
    // Only approvals that still verify under their officer's enrolled key
    // count: a removed officer's do not, nor do they come back if the
    // officer is enrolled again with another key.
    std::uint32_t valid = 0;
    for (const Approval& a : r.approvals) {
      KEYHOLD_ASSIGN_OR_RETURN(std::optional<Officer> still,
                               OfficerRegistry::FindInTxn(txn, *sealer_, a.officer));
      const auto sig = crypto::Base64Decode(a.signature, 64);
      valid += still && sig.ok() && crypto::VerifyEd25519(still->public_key, digest, *sig) ? 1 : 0;
    }
    if (valid >= r.approvals_needed) {
      r.approved_at = now;
    }
  } else {
    r.denial = std::move(decision);
  }
  KEYHOLD_TRY(Save(txn, r));
  KEYHOLD_TRY(txn.Commit());
  return r;
}

Result<AccessRequest> RequestStore::UseGrant(std::string_view id, const GrantUse& use) {
  const std::int64_t now = clock_->NowSeconds();
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store_->BeginWrite());
  auto loaded = Load(txn, id);
  if (!loaded.ok()) {
    return loaded.error().code == ErrorCode::kNotFound ? NoGrant("no such access request")
                                                       : loaded.error();
  }
  AccessRequest r = std::move(loaded).value();
  if (r.requester != use.principal) {
    return NoGrant("it was granted to another principal");
  }
  if (r.denial || r.approved_at == 0) {
    return NoGrant("the request is " + r.Status(now));
  }
  if (r.operation != use.operation) {
    return NoGrant("it is for another operation (" + r.operation + ")");
  }
  if (r.key != use.key) {
    return NoGrant("it is for another key");
  }
  const crypto::EncryptionContext empty;
  if (!(r.context == (use.context != nullptr ? *use.context : empty))) {
    return NoGrant("it is for another encryption context");
  }
  if (now < std::max(r.not_before, r.approved_at)) {
    return NoGrant("its window has not started");
  }
  if (now >= r.GrantUntil()) {
    return NoGrant("it expired");
  }
  if (r.uses >= r.grant_uses) {
    return NoGrant("it was used " + std::to_string(r.uses) + " of " + std::to_string(r.grant_uses) +
                   " times");
  }
  ++r.uses;
  KEYHOLD_TRY(Save(txn, r));
  KEYHOLD_TRY(txn.Commit());
  return r;
}

}  // namespace keyhold::kms
