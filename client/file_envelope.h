// File envelope encryption: a file of any size sealed on the client under a
// fresh data key that Keyhold wraps, so that where it is uploaded never
// holds a readable byte (docs/library.md; format in docs/formats.md).
//
// Encrypt makes one GenerateDataKey call per file and writes a stream: the
// header (crypto/stream_header.h), then the chunks (crypto/stream_cipher.h),
// sealed in parallel on every core with memory bounded whatever the size
// (client/chunk_pipeline.h). Decrypt unwraps the header's data key, checks
// the header's commitment, then opens each chunk before writing it: no
// byte of an unauthenticated chunk is ever written. The *File calls write
// through OutputFile (a temporary file, synced and renamed), so a failure
// leaves nothing under the output name. Thread-safe if the DataKeySource is
// (each call uses its own threads and buffers). May include: std, POSIX,
// crypto/, client/.
#ifndef KEYHOLD_CLIENT_FILE_ENVELOPE_H_
#define KEYHOLD_CLIENT_FILE_ENVELOPE_H_

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/data_key_source.h"
#include "crypto/encryption_context.h"
#include "crypto/error.h"
#include "crypto/key_id.h"
#include "crypto/stream_header.h"

namespace keyhold::client {

// EncryptOptions tune EncryptStream and EncryptFile; the defaults suit most.
struct EncryptOptions {
  std::uint32_t chunk_size = crypto::kDefaultStreamChunkSize;  // 4 KiB to 16 MiB
  unsigned workers = 0;                                        // 0: one per core
};

// DecryptOptions state what the caller expects of the file.
struct DecryptOptions {
  // When set, the file must be sealed under this master key.
  std::optional<crypto::KeyId> expected_key{};
  // Each pair must be in the file's encryption context with this value
  // (other pairs may be there too), as a caller states what it expects the
  // file to be.
  std::vector<std::pair<std::string, std::string>> expected_context{};
  unsigned workers = 0;  // 0: one per core
};

// EncryptStream reads plaintext from `in_fd` until it ends and writes the
// sealed stream to `out_fd`, under a data key wrapped by `key` and bound to
// `context`. The context is stored in the header in clear: never put a
// secret in it.
Status EncryptStream(DataKeySource& keys, const crypto::KeyId& key,
                     const crypto::EncryptionContext& context, int in_fd, int out_fd,
                     const EncryptOptions& options = {});

// DecryptStream reads a sealed stream from `in_fd` and writes its plaintext
// to `out_fd`. A stream that was changed, truncated, extended, reordered or
// sealed under another key is refused with kInvalidCiphertext; a header
// that fails `options` with kInvalidContext (a context pair) or
// kInvalidRequest (the key). WARNING: chunks
// before the failure have been written to `out_fd` (each of them
// authenticated); only a success means the whole stream was. DecryptFile
// removes them.
Status DecryptStream(DataKeySource& keys, int in_fd, int out_fd,
                     const DecryptOptions& options = {});

// EncryptFile and DecryptFile do the same from the file `in` to the file
// `out` ("-" is stdin or stdout). `out` appears only when everything
// succeeded, and is durable then.
Status EncryptFile(DataKeySource& keys, const crypto::KeyId& key,
                   const crypto::EncryptionContext& context, const std::filesystem::path& in,
                   const std::filesystem::path& out, const EncryptOptions& options = {});
Status DecryptFile(DataKeySource& keys, const std::filesystem::path& in,
                   const std::filesystem::path& out, const DecryptOptions& options = {});

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_FILE_ENVELOPE_H_
