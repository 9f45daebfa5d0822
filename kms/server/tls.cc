#include "kms/server/tls.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace keyhold::kms {
namespace {

namespace ssl = boost::asio::ssl;

std::string OpenSslReason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) {
    return "unknown OpenSSL error";
  }
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

Error ConfigError(const std::filesystem::path& file, const std::string& what) {
  return MakeError(ErrorCode::kInvalidConfig,
                   file.string() + ": " + what + " (" + OpenSslReason() + ")");
}

// Applies the protocol floor and ceiling that no setting may change.
Status TlsOnlyOneThree(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    return MakeError(ErrorCode::kInternal, "cannot restrict TLS to version 1.3");
  }
  SSL_CTX_set_options(ctx, SSL_OP_CLEANSE_PLAINTEXT | SSL_OP_NO_RENEGOTIATION);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ssl::context>> MakeServerTlsContext(
    const std::filesystem::path& cert_file, const std::filesystem::path& key_file,
    const std::filesystem::path& client_ca_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* raw = ctx->native_handle();
  KEYHOLD_TRY(TlsOnlyOneThree(raw));
  // No resumption: each connection presents and checks its credentials.
  SSL_CTX_set_num_tickets(raw, 0);
  SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(raw, cert_file.c_str()) != 1) {
    return ConfigError(cert_file, "cannot load the certificate chain");
  }
  if (SSL_CTX_use_PrivateKey_file(raw, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return ConfigError(key_file, "cannot load the private key");
  }
  if (SSL_CTX_check_private_key(raw) != 1) {
    return ConfigError(key_file, "the private key does not match the certificate");
  }
  if (!client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(raw, client_ca_file.c_str(), nullptr) != 1) {
      return ConfigError(client_ca_file, "cannot load the client CA");
    }
    // A client certificate is optional (tokens work without one), but one
    // that is offered must verify.
    SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_verify_depth(raw, 4);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca_file.c_str());
    if (names != nullptr) {
      SSL_CTX_set_client_CA_list(raw, names);
    }
  }
  return ctx;
}

Result<std::unique_ptr<ssl::context>> MakeClientTlsContext(const std::filesystem::path& ca_file,
                                                           const std::filesystem::path& cert_file,
                                                           const std::filesystem::path& key_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* raw = ctx->native_handle();
  KEYHOLD_TRY(TlsOnlyOneThree(raw));
  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(raw) != 1) {
      return MakeError(ErrorCode::kInvalidConfig, "cannot load the system CA store");
    }
  } else if (SSL_CTX_load_verify_locations(raw, ca_file.c_str(), nullptr) != 1) {
    return ConfigError(ca_file, "cannot load the CA certificate");
  }
  SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, nullptr);
  if (!cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(raw, cert_file.c_str()) != 1) {
      return ConfigError(cert_file, "cannot load the client certificate");
    }
    if (SSL_CTX_use_PrivateKey_file(raw, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(raw) != 1) {
      return ConfigError(key_file, "cannot load the client key");
    }
  }
  return ctx;
}

std::optional<std::string> PeerIdentity(SSL* ssl, const std::string& from) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) {
    return std::nullopt;
  }
  if (from == "san") {
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    std::optional<std::string> found;
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names) && !found; ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      if (name->type == GEN_DNS || name->type == GEN_URI) {
        const ASN1_IA5STRING* s =
            name->type == GEN_DNS ? name->d.dNSName : name->d.uniformResourceIdentifier;
        found = std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                            static_cast<std::size_t>(ASN1_STRING_length(s)));
      }
    }
    GENERAL_NAMES_free(names);
    return found;
  }
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) {
    return std::nullopt;
  }
  unsigned char* utf8 = nullptr;
  const int len =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  if (len < 0) {
    return std::nullopt;
  }
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return cn;
}

}  // namespace keyhold::kms
