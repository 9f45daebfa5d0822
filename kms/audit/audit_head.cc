#include "kms/audit/audit_head.h"

#include <algorithm>

#include "crypto/byte_reader.h"

namespace keyhold::kms {
namespace {

constexpr std::uint8_t kFormat = 1;
constexpr std::string_view kKey = "audit_head";

Bytes Key() {
  return {reinterpret_cast<const std::uint8_t*>(kKey.data()), kKey.size()};
}

}  // namespace

Result<ChainHead> LoadAuditHead(Store& store, const RecordSealer& sealer) {
  KEYHOLD_ASSIGN_OR_RETURN(ReadTxn txn, store.BeginRead());
  KEYHOLD_ASSIGN_OR_RETURN(auto value, txn.Get(Table::kMeta, Key()));
  if (!value) {
    return ChainHead{};
  }
  KEYHOLD_ASSIGN_OR_RETURN(crypto::SecretBytes body, sealer.Open(Table::kMeta, Key(), *value));
  crypto::ByteReader r(body.Reveal(crypto::SecretAccess::Get()));
  std::uint8_t format = 0;
  ChainHead head;
  std::span<const std::uint8_t> hash;
  if (!r.ReadU8(&format) || format != kFormat || !r.ReadU64(&head.seq) ||
      !r.ReadBytes(head.hash.size(), &hash) || !r.Done()) {
    return MakeError(ErrorCode::kStoreCorrupt, "the audit head record is malformed");
  }
  std::ranges::copy(hash, head.hash.begin());
  return head;
}

Status SaveAuditHead(Store& store, const RecordSealer& sealer, const ChainHead& head) {
  std::vector<std::uint8_t> body;
  crypto::ByteWriter w(&body);
  w.PutU8(kFormat);
  w.PutU64(head.seq);
  w.PutBytes(head.hash);
  KEYHOLD_ASSIGN_OR_RETURN(auto sealed, sealer.Seal(Table::kMeta, Key(), body));
  KEYHOLD_ASSIGN_OR_RETURN(WriteTxn txn, store.BeginWrite());
  KEYHOLD_TRY(txn.Put(Table::kMeta, Key(), sealed));
  return txn.Commit();
}

}  // namespace keyhold::kms
