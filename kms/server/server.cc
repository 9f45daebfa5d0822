#include "kms/server/server.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "kms/server/http_types.h"
#include "kms/server/tls.h"

namespace keyhold::kms {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using ms = std::chrono::milliseconds;

}  // namespace

class Session;

// State shared by the listener and every session.
struct Shared {
  const Config* config;
  Api* api;
  Logger* logger;
  AuditLog* audit;
  ssl::context* tls;
  std::atomic<bool> draining{false};
  std::mutex mu;
  std::map<const Session*, std::weak_ptr<Session>> sessions;  // guarded by mu
  std::function<void()> on_last_session;                      // called under no lock
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared* shared)
      : stream_(std::move(socket), *shared->tls), shared_(shared) {
    boost::system::error_code ec;
    const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : endpoint.address().to_string();
  }

  ~Session() {
    bool last = false;
    {
      std::lock_guard lock(shared_->mu);
      shared_->sessions.erase(this);
      last = shared_->sessions.empty() && shared_->draining.load();
    }
    if (last && shared_->on_last_session) {
      shared_->on_last_session();
    }
  }

  void Start() {
    {
      std::lock_guard lock(shared_->mu);
      shared_->sessions[this] = weak_from_this();
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoHandshake(); });
  }

  // CloseIfIdle closes the connection if it is waiting for a next request;
  // a request in progress finishes and then closes (draining).
  void CloseIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) {
        beast::get_lowest_layer(self->stream_).cancel();
      }
    });
  }

  // ForceClose ends the connection whatever it is doing.
  void ForceClose() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().close(ignored);
    });
  }

 private:
  const Config& config() const { return *shared_->config; }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void DoHandshake() {
    Tcp().expires_after(ms(config().handshake_timeout_ms));
    stream_.async_handshake(
        ssl::stream_base::server,
        [self = shared_from_this()](boost::system::error_code ec) { self->OnHandshake(ec); });
  }

  void OnHandshake(boost::system::error_code ec) {
    if (ec) {
      // Includes TLS 1.2 and older clients: refused by the protocol floor.
      if (shared_->logger->Enabled(LogLevel::kDebug)) {
        shared_->logger->Log(LogLevel::kDebug, "tls handshake failed",
                             {{"peer", peer_}, {"reason", ec.message()}});
      }
      return;
    }
    client_identity_ = PeerIdentity(stream_.native_handle(), config().client_identity);
    DoWaitForRequest();
  }

  // Waits for the first bytes of a next request under the idle deadline;
  // the header deadline starts when they arrive.
  void DoWaitForRequest() {
    if (shared_->draining) {
      return DoClose();
    }
    if (buffer_.size() > 0) {
      return DoReadHeader();  // pipelined bytes already here
    }
    idle_ = true;
    Tcp().expires_after(ms(config().idle_timeout_ms));
    stream_.async_read_some(
        buffer_.prepare(4096),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          self->idle_ = false;
          if (ec) {
            return;  // idle timeout, drain, or the client left
          }
          self->buffer_.commit(n);
          self->DoReadHeader();
        });
  }

  void DoReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(config().max_header_bytes));
    parser_->body_limit(config().max_body_bytes);
    request_id_ = Api::NewRequestId();
    Tcp().expires_after(ms(config().header_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(boost::system::error_code ec) {
    if (ec) {
      return OnReadError(ec);
    }
    Tcp().expires_after(ms(config().body_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](boost::system::error_code ec2, std::size_t) {
                       self->OnBody(ec2);
                     });
  }

  void OnReadError(boost::system::error_code ec) {
    if (ec == http::error::header_limit) {
      return RespondAndClose(MakeError(
          ErrorCode::kPayloadTooLarge,
          "the request headers exceed " + std::to_string(config().max_header_bytes) + " bytes"));
    }
    if (ec == http::error::body_limit) {
      return RespondAndClose(MakeError(
          ErrorCode::kPayloadTooLarge,
          "the request body exceeds " + std::to_string(config().max_body_bytes) + " bytes"));
    }
    if (ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == ssl::error::stream_truncated || ec == net::error::connection_reset) {
      return;  // a slow, gone or truncating client: nothing to answer
    }
    // Anything else is malformed HTTP: answer 400 and drop the connection,
    // since the stream position is no longer trustworthy.
    RespondAndClose(MakeError(ErrorCode::kInvalidRequest, "malformed HTTP request"));
  }

  void OnBody(boost::system::error_code ec) {
    if (ec) {
      return OnReadError(ec);
    }
    HttpRequest& req = parser_->get();
    ApiRequest request;
    request.method = req.method_string();
    request.target = req.target();
    const auto content_type = req.find(http::field::content_type);
    if (content_type != req.end()) {
      request.content_type = content_type->value();
    }
    const auto authorization = req.find(http::field::authorization);
    if (authorization != req.end()) {
      request.authorization = authorization->value();
    }
    if (const auto grant = req.find("X-Keyhold-Grant"); grant != req.end()) {
      request.grant = grant->value();
    }
    request.headers.reserve(8);
    for (const auto& field : req) {
      request.headers.emplace_back(field.name_string(), field.value());
    }
    request.body = req.body();
    request.client_identity = client_identity_;
    request.peer = peer_;
    request.request_id = request_id_;
    ApiResponse response = shared_->api->Handle(request);
    const bool keep_alive = req.keep_alive() && !shared_->draining;
    AuditThenWrite(std::move(response), req.version(), keep_alive);
  }

  // AuditThenWrite sends `response` once its audit record is durable, or
  // 503 audit_unavailable in its place. The session waits without holding
  // a worker: the audit writer's callback posts back to this session.
  void AuditThenWrite(ApiResponse response, unsigned version, bool keep_alive) {
    if (!response.audit) {
      return Write(std::move(response), version, keep_alive);
    }
    AuditEvent event = std::move(*response.audit);
    response.audit.reset();
    auto pending = std::make_shared<ApiResponse>(std::move(response));
    shared_->audit->Submit(std::move(event), [self = shared_from_this(), pending, version,
                                              keep_alive](Status durable) {
      net::post(self->stream_.get_executor(), [self, pending, version, keep_alive,
                                               durable = std::move(durable)]() mutable {
        if (!durable.ok()) {
          *pending = self->shared_->api->AuditFailed(*pending, durable.error(), self->request_id_);
        }
        self->Write(std::move(*pending), version, keep_alive);
      });
    });
  }

  void RespondAndClose(const Error& error) {
    const std::string method =
        parser_ && parser_->is_header_done() ? std::string(parser_->get().method_string()) : "-";
    const std::string target =
        parser_ && parser_->is_header_done() ? std::string(parser_->get().target()) : "-";
    AuditThenWrite(shared_->api->Reject(error, method, target, peer_, request_id_), 11, false);
  }

  void Write(ApiResponse response, unsigned version, bool keep_alive) {
    response_ = {};
    response_.version(version);
    response_.result(static_cast<http::status>(response.status));
    response_.set(http::field::content_type, response.content_type);
    response_.set(http::field::cache_control, "no-store");
    response_.set("X-Content-Type-Options", "nosniff");
    response_.set("X-Request-Id", request_id_);
    if (!response.allow.empty()) {
      response_.set(http::field::allow, response.allow);
    }
    if (!response.retry_after.empty()) {
      response_.set(http::field::retry_after, response.retry_after);
    }
    response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    Tcp().expires_after(ms(config().body_timeout_ms));
    http::async_write(
        stream_, response_,
        [self = shared_from_this(), keep_alive](boost::system::error_code ec, std::size_t) {
          self->OnWrite(ec, keep_alive);
        });
  }

  void OnWrite(boost::system::error_code ec, bool keep_alive) {
    response_ = {};  // the response may hold a data key: release it now
    if (ec) {
      return;
    }
    if (!keep_alive) {
      return DoClose();
    }
    DoWaitForRequest();
  }

  void DoClose() {
    Tcp().expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](boost::system::error_code) {
      // The peer may not answer close_notify: the socket closes either way
      // when the session goes away.
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  Shared* shared_;
  SecureBuffer buffer_;
  std::optional<RequestParser> parser_;
  HttpResponse response_;
  std::string peer_;
  std::string request_id_ = "-";
  std::optional<std::string> client_identity_;
  std::atomic<bool> idle_{false};
};

class Server::Impl {
 public:
  Impl(const Config& config, Api* api, Logger* logger, AuditLog* audit,
       std::unique_ptr<ssl::context> tls)
      : config_(config),
        tls_(std::move(tls)),
        ioc_(static_cast<int>(Workers())),
        acceptor_(net::make_strand(ioc_)),
        signals_(ioc_, SIGINT, SIGTERM),
        grace_timer_(ioc_),
        accept_retry_(acceptor_.get_executor()) {
    shared_.config = &config_;
    shared_.api = api;
    shared_.logger = logger;
    shared_.audit = audit;
    shared_.tls = tls_.get();
    shared_.on_last_session = [this] { net::post(ioc_, [this] { ioc_.stop(); }); };
  }

  unsigned Workers() const {
    return config_.workers != 0 ? config_.workers
                                : std::max(1u, std::thread::hardware_concurrency());
  }

  Status Start() {
    boost::system::error_code ec;
    const auto address = net::ip::make_address(config_.listen_host, ec);
    if (ec) {
      return MakeError(ErrorCode::kInvalidConfig,
                       "server.listen: '" + config_.listen_host + "' is not an IP address");
    }
    const tcp::endpoint endpoint(address, config_.listen_port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(endpoint, ec);
    if (!ec)
      acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return MakeError(ErrorCode::kInvalidConfig, "cannot listen on " + config_.listen_host + ":" +
                                                      std::to_string(config_.listen_port) + ": " +
                                                      ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    signals_.async_wait([this](boost::system::error_code e, int) {
      if (!e) {
        Shutdown();
      }
    });
    DoAccept();
    for (unsigned i = 0; i < Workers(); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return Status::Ok();
  }

  std::uint16_t port() const { return port_; }

  void Shutdown() {
    if (shared_.draining.exchange(true)) {
      return;
    }
    if (on_shutdown_) {
      on_shutdown_();
    }
    net::post(acceptor_.get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      signals_.cancel(ignored);
      accept_retry_.cancel();
    });
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(shared_.mu);
      for (auto& [ptr, weak] : shared_.sessions) {
        if (auto s = weak.lock()) {
          live.push_back(std::move(s));
        }
      }
    }
    if (live.empty()) {
      net::post(ioc_, [this] { ioc_.stop(); });
      return;
    }
    for (auto& s : live) {
      s->CloseIfIdle();
    }
    live.clear();
    grace_timer_.expires_after(ms(config_.shutdown_grace_ms));
    grace_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) {
        return;
      }
      std::vector<std::shared_ptr<Session>> stragglers;
      {
        std::lock_guard lock(shared_.mu);
        for (auto& [ptr, weak] : shared_.sessions) {
          if (auto s = weak.lock()) {
            stragglers.push_back(std::move(s));
          }
        }
      }
      for (auto& s : stragglers) {
        s->ForceClose();
      }
      ioc_.stop();
    });
  }

  void Wait() {
    for (auto& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
  }

  void set_on_shutdown(std::function<void()> fn) { on_shutdown_ = std::move(fn); }

  ~Impl() {
    Shutdown();
    ioc_.stop();
    Wait();
    // Sessions still owned by pending handlers die with the io_context; they
    // must not post to it while it is being destroyed.
    shared_.on_last_session = nullptr;
  }

 private:
  void DoAccept() {
    acceptor_.async_accept(
        net::make_strand(ioc_), [this](boost::system::error_code ec, tcp::socket socket) {
          if (ec) {
            if (!shared_.draining) {
              OnAcceptError(ec);  // a failed accept (e.g. out of descriptors) must not stop it
            }
            return;
          }
          std::size_t live = 0;
          {
            std::lock_guard lock(shared_.mu);
            live = shared_.sessions.size();
          }
          if (live >= config_.max_connections) {
            boost::system::error_code ignored;
            socket.close(ignored);  // at the cap: refuse at once
          } else {
            // A response goes out as several TLS records; with Nagle's
            // algorithm the last waits for the client's delayed ACK (40 ms).
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            std::make_shared<Session>(std::move(socket), &shared_)->Start();
          }
          if (!shared_.draining) {
            DoAccept();
          }
        });
  }

  // OnAcceptError accepts again after a failed accept (on the acceptor's
  // strand). Out of descriptors or memory, the connection stays in the
  // kernel's backlog and accepting at once fails again at once: a loop that
  // would hold a worker at full CPU. So those wait 50 ms, logged once
  // every 10 s at most.
  void OnAcceptError(boost::system::error_code ec) {
    const bool exhausted = ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
                           ec == net::error::no_memory ||
                           ec == boost::system::errc::too_many_files_open_in_system;
    if (!exhausted) {
      return DoAccept();  // e.g. a connection reset before it was accepted
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_accept_warning_) {
      next_accept_warning_ = now + std::chrono::seconds(10);
      shared_.logger->Log(LogLevel::kWarn, "cannot accept connections: retrying every 50 ms",
                          {{"error", ec.message()}});
    }
    accept_retry_.expires_after(ms(50));
    accept_retry_.async_wait([this](boost::system::error_code e) {
      if (!e && !shared_.draining) {
        DoAccept();
      }
    });
  }

  // Declaration order is destruction order in reverse: the io_context goes
  // first (destroying pending handlers, and with them sessions), while the
  // state sessions use (config, TLS context, shared) is still alive.
  Config config_;
  std::unique_ptr<ssl::context> tls_;
  Shared shared_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  net::steady_timer grace_timer_;
  net::steady_timer accept_retry_;                             // on the acceptor's strand
  std::chrono::steady_clock::time_point next_accept_warning_;  // on the acceptor's strand
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::function<void()> on_shutdown_;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::Create(const Config& config, Api* api, Logger* logger,
                                               AuditLog* audit) {
  if (audit == nullptr) {
    return MakeError(ErrorCode::kInternal, "the server needs an audit log");
  }
  KEYHOLD_ASSIGN_OR_RETURN(
      auto tls, MakeServerTlsContext(config.cert_file, config.key_file, config.client_ca_file));
  return std::unique_ptr<Server>(
      new Server(std::make_unique<Impl>(config, api, logger, audit, std::move(tls))));
}

Status Server::Start() {
  return impl_->Start();
}
std::uint16_t Server::port() const {
  return impl_->port();
}
void Server::Shutdown() {
  impl_->Shutdown();
}
void Server::Wait() {
  impl_->Wait();
}
void Server::set_on_shutdown(std::function<void()> fn) {
  impl_->set_on_shutdown(std::move(fn));
}

}  // namespace keyhold::kms
