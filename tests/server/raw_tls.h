// RawTls: a bare TLS client over plain OpenSSL for tests that need to send
// what a well-behaved client would not (malformed HTTP, partial headers,
// old TLS versions) or to hold connections open. Test-only, header-only.
#ifndef KEYHOLD_TESTS_SERVER_RAW_TLS_H_
#define KEYHOLD_TESTS_SERVER_RAW_TLS_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace keyhold::kms {

class RawTls {
 public:
  // Connect opens TCP to 127.0.0.1:port and runs a TLS handshake allowing
  // versions [min_version, max_version]; handshake_ok() says how it went.
  RawTls(std::uint16_t port, const std::filesystem::path& ca, int min_version = TLS1_2_VERSION,
         int max_version = TLS1_3_VERSION) {
    // Writing to a connection the server already closed must fail the call,
    // not kill the test process.
    ::signal(SIGPIPE, SIG_IGN);
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, min_version);
    SSL_CTX_set_max_proto_version(ctx_, max_version);
    SSL_CTX_load_verify_locations(ctx_, ca.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      return;
    }
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set1_host(ssl_, "localhost");
    handshake_ok_ = SSL_connect(ssl_) == 1;
  }
  ~RawTls() {
    if (ssl_ != nullptr) {
      SSL_free(ssl_);
    }
    if (fd_ >= 0) {
      ::close(fd_);
    }
    SSL_CTX_free(ctx_);
  }
  RawTls(const RawTls&) = delete;
  RawTls& operator=(const RawTls&) = delete;

  bool handshake_ok() const { return handshake_ok_; }
  const char* version() const { return ssl_ != nullptr ? SSL_get_version(ssl_) : "none"; }

  bool Send(const std::string& bytes) {
    return handshake_ok_ && SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) > 0;
  }

  // ReadUntilClosed reads until the server closes the connection, the
  // response is complete (when `one_response` and Content-Length says so),
  // or `timeout_ms` passes. `*closed` says whether the server closed it.
  std::string Read(int timeout_ms, bool* closed = nullptr) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool was_closed = false;
    while (handshake_ok_) {
      if (SSL_pending(ssl_) == 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          break;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
          break;
        }
      }
      char buf[4096];
      const int n = SSL_read(ssl_, buf, sizeof(buf));
      if (n <= 0) {
        was_closed = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
      if (Complete(out)) {
        break;
      }
    }
    if (closed != nullptr) {
      *closed = was_closed;
    }
    return out;
  }

  // Status returns the status code of an HTTP response, or 0.
  static int Status(const std::string& response) {
    if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) {
      return 0;
    }
    return std::stoi(response.substr(9, 3));
  }

 private:
  static bool Complete(const std::string& r) {
    const auto end = r.find("\r\n\r\n");
    if (end == std::string::npos) {
      return false;
    }
    const auto cl = r.find("Content-Length: ");
    if (cl == std::string::npos || cl > end) {
      return true;
    }
    const std::size_t length = std::stoul(r.substr(cl + 16));
    return r.size() >= end + 4 + length;
  }

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool handshake_ok_ = false;
};

// Request builds a raw HTTP/1.1 request.
inline std::string RawRequest(const std::string& method, const std::string& target,
                              const std::string& body, const std::string& extra_headers = "",
                              const std::string& content_type = "application/json") {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers;
  if (!body.empty()) {
    r += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n";
  }
  return r + "\r\n" + body;
}

}  // namespace keyhold::kms

#endif  // KEYHOLD_TESTS_SERVER_RAW_TLS_H_
