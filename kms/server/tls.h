// TLS for the server and the CLI: TLS 1.3 only, with no option that lowers
// it (DESIGN.md invariant 5). OpenSSL cleanses its plaintext record buffers
// (SSL_OP_CLEANSE_PLAINTEXT), issues no session tickets (every connection
// authenticates afresh), and, when a client CA is configured, verifies any
// client certificate offered against it. Thread-safe (functions only).
#ifndef KEYHOLD_KMS_SERVER_TLS_H_
#define KEYHOLD_KMS_SERVER_TLS_H_

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "crypto/error.h"

namespace keyhold::kms {

// MakeServerTlsContext loads the certificate chain and key (PEM) and, if
// `client_ca_file` is not empty, the CA for client certificates.
// kInvalidConfig names the file that failed.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const std::filesystem::path& cert_file, const std::filesystem::path& key_file,
    const std::filesystem::path& client_ca_file);

// MakeClientTlsContext verifies servers against `ca_file` (or the system
// store if empty) and presents a client certificate if one is given.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeClientTlsContext(
    const std::filesystem::path& ca_file, const std::filesystem::path& cert_file,
    const std::filesystem::path& key_file);

// PeerIdentity returns the verified client certificate's identity: its
// first DNS or URI subject alternative name ("san") or its subject common
// name ("subject_cn"); std::nullopt when there is no verified certificate.
std::optional<std::string> PeerIdentity(SSL* ssl, const std::string& from);

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_SERVER_TLS_H_
