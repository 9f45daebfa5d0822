// Server: Keyhold's HTTPS front end, after Boost.Beast's advanced server.
//
// One listener accepts connections onto their own strands; each connection
// is a session that completes a TLS 1.3 handshake, then reads requests one
// at a time (HTTP/1.1 keep-alive), each under deadlines: the handshake, the
// wait for a next request (idle), the header, the body and the write all
// have their own timeout, and header and body sizes their own limit. At the
// connection cap new connections are closed at once. Requests go to the Api
// (kms/api/api.h); the transport only turns HTTP into an ApiRequest and an
// ApiResponse back into HTTP.
//
// Shutdown (SIGTERM, SIGINT or Shutdown()) stops accepting, closes
// connections that wait for a next request, lets requests being handled
// finish (their connections close after the response), and stops everything
// after the grace period. Thread-safe.
#ifndef KEYHOLD_KMS_SERVER_SERVER_H_
#define KEYHOLD_KMS_SERVER_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "crypto/error.h"
#include "kms/api/api.h"
#include "kms/audit/audit_log.h"
#include "kms/config.h"
#include "kms/logger.h"

namespace keyhold::kms {

class Server {
 public:
  // Create builds the TLS context (kInvalidConfig on a bad certificate or
  // key) and the listener's settings; nothing listens yet. Every answer
  // but the probes' waits until its record is durable in `audit` (which
  // must outlive the server); if it cannot be, the answer is 503.
  static Result<std::unique_ptr<Server>> Create(const Config& config, Api* api, Logger* logger,
                                                AuditLog* audit);
  ~Server();

  // Start binds, listens and starts one worker thread per configured worker
  // (default: per core). SIGINT and SIGTERM start a shutdown.
  Status Start();
  // port is the bound port (useful with port 0).
  std::uint16_t port() const;
  // Shutdown starts the graceful stop; callable from any thread, repeatedly.
  void Shutdown();
  // Wait blocks until every worker has stopped.
  void Wait();

  // on_shutdown is called once when a shutdown starts (e.g. to stop the
  // scheduler or tell systemd).
  void set_on_shutdown(std::function<void()> fn);

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_SERVER_SERVER_H_
