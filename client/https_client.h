// HttpsClient: how the library, the CLI and the integration tests talk to a
// Keyhold server: HTTPS with TLS 1.3 only (the server's own rules,
// kms/server/tls.h), the server's certificate checked against a CA and its
// host name, optional client certificate, bearer token, one connection per
// client reused for keep-alive. Request and response bodies live in guarded
// memory. Not thread-safe. May include: std, Boost, OpenSSL, crypto/,
// kms/server/tls.h, kms/server/http_types.h.
#ifndef KEYHOLD_CLIENT_HTTPS_CLIENT_H_
#define KEYHOLD_CLIENT_HTTPS_CLIENT_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/error.h"
#include "crypto/secure_allocator.h"

namespace keyhold::client {

struct ClientOptions {
  std::string address = "https://127.0.0.1:8443";  // https://HOST:PORT
  std::filesystem::path ca_file;                   // empty: the system's CAs
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
  std::string token;  // bearer token; empty: none
  std::string grant;  // an approved access request's id (X-Keyhold-Grant); empty: none
  int timeout_s = 30;
};

struct HttpResult {
  int status = 0;
  crypto::SecureString body;
  std::string content_type;
  std::string request_id;
};

// HeaderList: extra header fields (name, value) for one request.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpsClient {
 public:
  // Create checks the address and loads the TLS material; it connects on
  // the first request.
  static Result<std::unique_ptr<HttpsClient>> Create(const ClientOptions& options);
  ~HttpsClient();

  // Request sends one request (a JSON body if not empty) and returns the
  // answer, whatever its status. Errors are local: connection, TLS
  // (including a server below TLS 1.3), timeouts. `headers` are set last,
  // replacing fields of the same name (an AWS SigV4 Authorization, say).
  Result<HttpResult> Request(std::string_view method, std::string_view target,
                             std::string_view body = {}, const HeaderList& headers = {});

 private:
  class Impl;
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keyhold::client

#endif  // KEYHOLD_CLIENT_HTTPS_CLIENT_H_
