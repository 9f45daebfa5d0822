#include "client/https_client.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>

#include "kms/server/http_types.h"
#include "kms/server/tls.h"

namespace keyhold::client {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

}  // namespace

class HttpsClient::Impl {
 public:
  ClientOptions options;
  std::string host;
  std::string port;
  std::unique_ptr<ssl::context> tls;
  net::io_context ioc;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  kms::SecureBuffer buffer;

  Status Connect() {
    stream.reset();
    buffer.clear();
    boost::system::error_code ec;
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(host, port, ec);
    if (ec) {
      return MakeError(ErrorCode::kInvalidRequest, "cannot resolve " + host + ": " + ec.message());
    }
    stream.emplace(ioc, *tls);
    auto& socket = beast::get_lowest_layer(*stream).socket();
    net::connect(socket, endpoints, ec);
    if (ec) {
      return MakeError(ErrorCode::kInvalidRequest,
                       "cannot connect to " + host + ":" + port + ": " + ec.message());
    }
    // A request goes out as several TLS records (header, body); with
    // Nagle's algorithm the last waits for the server's delayed ACK (40 ms).
    socket.set_option(tcp::no_delay(true), ec);
    // Synchronous Beast operations ignore tcp_stream deadlines; bound them
    // at the socket instead.
    timeval tv{options.timeout_s, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    SSL* raw = stream->native_handle();
    SSL_set_tlsext_host_name(raw, host.c_str());
    if (SSL_set1_host(raw, host.c_str()) != 1) {
      return MakeError(ErrorCode::kInvalidRequest, "cannot set the expected host name");
    }
    stream->handshake(ssl::stream_base::client, ec);
    if (ec) {
      return MakeError(ErrorCode::kInvalidRequest,
                       "TLS handshake with " + host + ":" + port + " failed (TLS 1.3 and a " +
                           "certificate trusted by --cacert are required): " + ec.message());
    }
    return Status::Ok();
  }

  Result<HttpResult> Exchange(std::string_view method, std::string_view target,
                              std::string_view body, const HeaderList& headers) {
    kms::HttpRequest req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "keyhold-client");
    req.keep_alive(true);
    if (!options.token.empty()) {
      crypto::SecureString auth = "Bearer ";
      auth.append(options.token.begin(), options.token.end());
      req.set(http::field::authorization, std::string_view(auth.data(), auth.size()));
    }
    if (!options.grant.empty()) {
      req.set("X-Keyhold-Grant", options.grant);
    }
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body().assign(body.begin(), body.end());
    }
    for (const auto& [name, value] : headers) {
      req.set(name, value);
    }
    req.prepare_payload();
    boost::system::error_code ec;
    http::write(*stream, req, ec);
    if (ec) {
      return MakeError(ErrorCode::kStoreUnavailable, "sending the request failed: " + ec.message());
    }
    kms::ResponseParser parser;
    parser.body_limit(8 * 1024 * 1024);
    http::read(*stream, buffer, parser, ec);
    if (ec) {
      return MakeError(ErrorCode::kStoreUnavailable, "reading the answer failed: " + ec.message());
    }
    auto& res = parser.get();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    if (auto it = res.find(http::field::content_type); it != res.end()) {
      out.content_type = std::string(it->value());
    }
    if (auto it = res.find("X-Request-Id"); it != res.end()) {
      out.request_id = std::string(it->value());
    }
    if (!res.keep_alive()) {
      boost::system::error_code ignored;
      stream->shutdown(ignored);
      stream.reset();
    }
    return out;
  }
};

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::~HttpsClient() = default;

Result<std::unique_ptr<HttpsClient>> HttpsClient::Create(const ClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  constexpr std::string_view kScheme = "https://";
  std::string_view rest = options.address;
  if (rest.substr(0, kScheme.size()) != kScheme) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "the address must start with https:// (Keyhold speaks HTTPS only)");
  }
  rest.remove_prefix(kScheme.size());
  while (!rest.empty() && rest.back() == '/') {
    rest.remove_suffix(1);
  }
  if (rest.find('/') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidRequest, "the address must be https://HOST:PORT");
  }
  const auto colon = rest.rfind(':');
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    impl->host = std::string(rest.substr(1, close - 1));
    impl->port = close + 2 <= rest.size() ? std::string(rest.substr(close + 2)) : "443";
  } else if (colon != std::string_view::npos) {
    impl->host = std::string(rest.substr(0, colon));
    impl->port = std::string(rest.substr(colon + 1));
  } else {
    impl->host = std::string(rest);
    impl->port = "443";
  }
  if (impl->host.empty() || impl->port.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "the address must be https://HOST:PORT");
  }
  KEYHOLD_ASSIGN_OR_RETURN(
      impl->tls,
      kms::MakeClientTlsContext(options.ca_file, options.client_cert, options.client_key));
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

Result<HttpResult> HttpsClient::Request(std::string_view method, std::string_view target,
                                        std::string_view body, const HeaderList& headers) {
  if (!impl_->stream) {
    KEYHOLD_TRY(impl_->Connect());
  }
  // No automatic retry: a POST that reached the server before the
  // connection broke (a rotation, a wrap) must not run twice.
  auto result = impl_->Exchange(method, target, body, headers);
  if (!result.ok()) {
    impl_->stream.reset();  // the next request starts a fresh connection
  }
  return result;
}

}  // namespace keyhold::client
