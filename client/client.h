// client/: the Keyhold client library, for applications that encrypt before
// they upload (docs/library.md), and the transport of the `keyhold` CLI.
//
// Owns: the HTTPS client (TLS 1.3 only), typed calls to the service
// (KeyholdClient), the data-key cache, and envelope encryption of files and
// streams: the parallel chunk pipeline, atomic output files, fd I/O. The
// byte format and the cryptography are crypto/'s (stream_header.h,
// stream_cipher.h). It may include crypto/, the standard library, Boost,
// OpenSSL, nlohmann/json and, from kms/, only what both ends of the wire
// share: kms/server/tls.h, kms/server/http_types.h and kms/api/json.h. It
// never includes the rest of kms/, policies/ or cli/ (scripts/check-layers).
#ifndef KEYHOLD_CLIENT_CLIENT_H_
#define KEYHOLD_CLIENT_CLIENT_H_

#include "client/data_key_cache.h"   // IWYU pragma: export
#include "client/data_key_source.h"  // IWYU pragma: export
#include "client/file_envelope.h"    // IWYU pragma: export
#include "client/https_client.h"     // IWYU pragma: export
#include "client/keyhold_client.h"   // IWYU pragma: export

#endif  // KEYHOLD_CLIENT_CLIENT_H_
