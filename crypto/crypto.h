// crypto/: Keyhold's cryptographic primitives and byte formats.
//
// Owns: secret memory (SecretBytes), the CSPRNG, AES-256-GCM, HKDF-SHA-256,
// HMAC-SHA-256, Ed25519, Argon2id, SHA-256, strict base64, Shamir sharing,
// key commitment, the encryption-context encoding, the wrapped-blob format,
// the stream format of encrypted files, AES-256 key wrap (KW, KWP), RSA-OAEP
// with SHA-256, the BYOK key-transport layouts, the AWS XKS ciphertext and the error
// catalogue.
// Everything here is pure computation over OpenSSL 3 and libsodium: no file,
// socket or clock access, no logging, no threads, no exceptions (fallible
// calls return Result/Status). It may include only OpenSSL, libsodium,
// libgfshare, the C++ standard library and itself; never policies/, kms/,
// client/ or cli/ (scripts/check-layers enforces this).
#ifndef KEYHOLD_CRYPTO_CRYPTO_H_
#define KEYHOLD_CRYPTO_CRYPTO_H_

#include "crypto/aes_gcm.h"             // IWYU pragma: export
#include "crypto/aes_key_wrap.h"        // IWYU pragma: export
#include "crypto/argon2id.h"            // IWYU pragma: export
#include "crypto/base64.h"              // IWYU pragma: export
#include "crypto/byte_reader.h"         // IWYU pragma: export
#include "crypto/check.h"               // IWYU pragma: export
#include "crypto/committed_key.h"       // IWYU pragma: export
#include "crypto/ed25519.h"             // IWYU pragma: export
#include "crypto/encryption_context.h"  // IWYU pragma: export
#include "crypto/error.h"               // IWYU pragma: export
#include "crypto/hkdf.h"                // IWYU pragma: export
#include "crypto/hmac.h"                // IWYU pragma: export
#include "crypto/key_id.h"              // IWYU pragma: export
#include "crypto/key_transport.h"       // IWYU pragma: export
#include "crypto/random.h"              // IWYU pragma: export
#include "crypto/rsa_oaep.h"            // IWYU pragma: export
#include "crypto/secret_bytes.h"        // IWYU pragma: export
#include "crypto/sha256.h"              // IWYU pragma: export
#include "crypto/shamir.h"              // IWYU pragma: export
#include "crypto/stream_cipher.h"       // IWYU pragma: export
#include "crypto/stream_header.h"       // IWYU pragma: export
#include "crypto/wrapped_blob.h"        // IWYU pragma: export
#include "crypto/xks_cipher.h"          // IWYU pragma: export

#endif  // KEYHOLD_CRYPTO_CRYPTO_H_
