// keyhold_flood_client: a slow-header connection flood against a Keyhold
// server on 127.0.0.1, with ordinary clients measured alongside
// (tests/system/flood_test.sh). Test-only; loopback only; bounded in
// connections and time.
//
// The flood holds --slow connections open: half connect over TCP and never
// send a ClientHello, half complete a TLS 1.3 handshake and then trickle a
// request header one byte a second, never finishing it. A connection the
// server closes (its handshake or header deadline) is opened again, so the
// flood stays at --slow for the whole run. Meanwhile --clients threads each
// loop: connect, TLS 1.3 handshake (certificate verified), GET
// /v1/health/live, then the authenticated request on the same connection,
// then close. A request fails on any error, a status other than 200, or a
// connect, read or write that waits longer than --request-timeout-ms; a
// connection that fails before its first request counts one failure.
//
// Output: one line a second ("t=... slow_open=..."), failures (the first
// 20), and a final "flood:" line of key=value pairs for the test to parse.
// Exit 0 when the run completed (whatever the counts), 2 on a usage or
// set-up error.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Options {
  std::uint16_t port = 0;
  int slow = 1000;
  int clients = 4;
  int duration_s = 15;
  int request_timeout_ms = 5000;
  int pause_ms = 20;
  std::string ca_file;
  std::string token;
  std::string auth_path;
  std::string auth_body;  // empty: GET auth_path; else POST it as JSON
};

void Usage() {
  std::fprintf(stderr,
               "usage: keyhold_flood_client --port PORT --cacert FILE --token TOKEN\n"
               "         --auth-path PATH [--auth-body JSON] [--slow N] [--clients M]\n"
               "         [--duration S] [--request-timeout-ms MS] [--pause-ms MS]\n");
}

bool ParseInt(const char* text, int min, int max, int* out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

bool ParseOptions(int argc, char** argv, Options* out) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) {
      return false;
    }
    const char* value = argv[++i];
    int n = 0;
    if (flag == "--port" && ParseInt(value, 1, 65535, &n)) {
      out->port = static_cast<std::uint16_t>(n);
    } else if (flag == "--slow" && ParseInt(value, 0, 10000, &n)) {
      out->slow = n;
    } else if (flag == "--clients" && ParseInt(value, 0, 64, &n)) {
      out->clients = n;
    } else if (flag == "--duration" && ParseInt(value, 1, 600, &n)) {
      out->duration_s = n;
    } else if (flag == "--request-timeout-ms" && ParseInt(value, 100, 60000, &n)) {
      out->request_timeout_ms = n;
    } else if (flag == "--pause-ms" && ParseInt(value, 0, 10000, &n)) {
      out->pause_ms = n;
    } else if (flag == "--cacert") {
      out->ca_file = value;
    } else if (flag == "--token") {
      out->token = value;
    } else if (flag == "--auth-path") {
      out->auth_path = value;
    } else if (flag == "--auth-body") {
      out->auth_body = value;
    } else {
      return false;
    }
  }
  return out->port != 0 && !out->ca_file.empty() && !out->token.empty() && !out->auth_path.empty();
}

// RaiseFdLimit lifts the soft RLIMIT_NOFILE to the hard limit: the flood
// alone needs --slow descriptors.
rlim_t RaiseFdLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    return 0;
  }
  lim.rlim_cur = lim.rlim_max;
  (void)setrlimit(RLIMIT_NOFILE, &lim);
  (void)getrlimit(RLIMIT_NOFILE, &lim);
  return lim.rlim_cur;
}

sockaddr_in Loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// ---------------------------------------------------------------------------
// Ordinary clients.

struct Counters {
  std::atomic<std::uint64_t> ok{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> connections{0};
  std::mutex mu;
  std::vector<double> latencies_ms;   // guarded by mu
  std::vector<std::string> failures;  // the first 20, guarded by mu
};

void RecordFailure(Counters* c, const std::string& what) {
  c->failed.fetch_add(1);
  std::lock_guard lock(c->mu);
  if (c->failures.size() < 20) {
    c->failures.push_back(what);
  }
}

// Connection is one ordinary client's TLS 1.3 connection, blocking with
// socket timeouts.
class Connection {
 public:
  Connection(SSL_CTX* ctx, const Options& options) : ctx_(ctx), options_(options) {}
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Open connects and completes the handshake; "" or what failed.
  std::string Open() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      return std::string("socket: ") + std::strerror(errno);
    }
    const sockaddr_in addr = Loopback(options_.port);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      if (errno != EINPROGRESS) {
        return std::string("connect: ") + std::strerror(errno);
      }
      pollfd p{fd_, POLLOUT, 0};
      if (poll(&p, 1, options_.request_timeout_ms) != 1) {
        return "connect: timed out";
      }
      int err = 0;
      socklen_t len = sizeof(err);
      (void)getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        return std::string("connect: ") + std::strerror(err);
      }
    }
    // Blocking from here, each read and write bounded by the timeout.
    (void)fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    timeval tv{options_.request_timeout_ms / 1000, (options_.request_timeout_ms % 1000) * 1000};
    (void)setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    (void)setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    const int one = 1;
    (void)setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ssl_ = SSL_new(ctx_);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
      return "SSL_new failed";
    }
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
    errno = 0;
    if (SSL_connect(ssl_) != 1) {
      return "handshake: " + SslError();
    }
    if (SSL_version(ssl_) != TLS1_3_VERSION) {
      return "handshake: not TLS 1.3";
    }
    return "";
  }

  // Request sends one HTTP/1.1 request and reads the answer; "" when it is
  // 200, else what went wrong.
  std::string Request(const std::string& method, const std::string& path, const std::string& body,
                      bool with_token) {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (with_token) {
      req += "Authorization: Bearer " + options_.token + "\r\n";
    }
    if (!body.empty()) {
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    }
    req += "\r\n" + body;
    errno = 0;
    if (SSL_write(ssl_, req.data(), static_cast<int>(req.size())) <= 0) {
      return "write: " + SslError();
    }
    std::string in;
    std::size_t header_end = std::string::npos;
    std::size_t content_length = 0;
    char buf[4096];
    while (true) {
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          content_length = ContentLength(std::string_view(in).substr(0, header_end));
        }
      }
      if (header_end != std::string::npos && in.size() >= header_end + 4 + content_length) {
        break;
      }
      errno = 0;
      const int n = SSL_read(ssl_, buf, sizeof(buf));
      if (n <= 0) {
        return "read: " + SslError() + " after " + std::to_string(in.size()) + " bytes";
      }
      in.append(buf, static_cast<std::size_t>(n));
    }
    if (in.compare(0, 13, "HTTP/1.1 200 ") != 0) {
      return "status: " + in.substr(0, std::min<std::size_t>(in.find("\r\n"), 80)) + " " +
             in.substr(header_end + 4, 200);
    }
    return "";
  }

  void Close() {
    if (ssl_ != nullptr) {
      (void)SSL_shutdown(ssl_);  // close_notify, so the server's shutdown ends at once
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

 private:
  static std::size_t ContentLength(std::string_view head) {
    for (std::size_t pos = 0; pos < head.size();) {
      std::size_t eol = head.find("\r\n", pos);
      if (eol == std::string_view::npos) {
        eol = head.size();
      }
      std::string_view line = head.substr(pos, eol - pos);
      constexpr std::string_view kName = "content-length:";
      if (line.size() > kName.size() &&
          std::equal(kName.begin(), kName.end(), line.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
          })) {
        return static_cast<std::size_t>(
            std::strtoull(std::string(line.substr(kName.size())).c_str(), nullptr, 10));
      }
      pos = eol + 2;
    }
    return 0;
  }

  std::string SslError() {
    const int saved = errno;
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e != 0) {
      char buf[256];
      ERR_error_string_n(e, buf, sizeof(buf));
      return buf;
    }
    if (saved == EAGAIN || saved == EWOULDBLOCK) {
      return "timed out";
    }
    return saved != 0 ? std::strerror(saved) : "connection closed";
  }

  SSL_CTX* ctx_;
  const Options& options_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

void OrdinaryClient(SSL_CTX* ctx, const Options& options, const std::atomic<bool>* stop,
                    Counters* counters) {
  std::vector<double> latencies;
  const std::string auth_method = options.auth_body.empty() ? "GET" : "POST";
  while (!stop->load()) {
    Connection conn(ctx, options);
    auto start = Clock::now();
    std::string err = conn.Open();
    counters->connections.fetch_add(1);
    if (!err.empty()) {
      RecordFailure(counters, err);
      std::this_thread::sleep_for(milliseconds(10));  // never a tight loop
      continue;
    }
    for (bool auth : {false, true}) {
      err = auth ? conn.Request(auth_method, options.auth_path, options.auth_body, true)
                 : conn.Request("GET", "/v1/health/live", "", false);
      // The first request's time includes the connect and the handshake.
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      start = Clock::now();
      if (!err.empty()) {
        RecordFailure(counters, (auth ? "auth request: " : "live request: ") + err);
        break;
      }
      counters->ok.fetch_add(1);
      latencies.push_back(ms);
    }
    conn.Close();
    std::this_thread::sleep_for(milliseconds(options.pause_ms));
  }
  std::lock_guard lock(counters->mu);
  counters->latencies_ms.insert(counters->latencies_ms.end(), latencies.begin(), latencies.end());
}

// ---------------------------------------------------------------------------
// The slow-header flood: one thread, non-blocking sockets, epoll.

enum class SlotState { kClosed, kConnecting, kSilent, kHandshaking, kTrickling };

struct Slot {
  bool tls = false;
  SlotState state = SlotState::kClosed;
  int fd = -1;
  SSL* ssl = nullptr;
  Clock::time_point reopen_at;
  Clock::time_point next_byte;
  std::size_t sent = 0;
};

struct FloodStats {
  std::uint64_t opened = 0;            // connections opened (attempted)
  std::uint64_t established = 0;       // silent: connected; tls: handshake done
  std::uint64_t closed_by_server = 0;  // an established connection the server ended
  std::uint64_t refused = 0;           // closed before it was established
  std::uint64_t answered = 0;          // the server sent bytes to a trickler (an error page)
  int open_max = 0;
  // From the moment all --slow were first open: the least open at once,
  // and the mean (sampled every pass of the loop, about 50 a second).
  int open_min_steady = -1;
  double open_sum_steady = 0;
  std::uint64_t samples_steady = 0;
  double open_mean_steady() const {
    return samples_steady == 0 ? 0 : open_sum_steady / static_cast<double>(samples_steady);
  }
};

// Each trickler sends this a byte at a time, then keeps sending 'a's: a
// header that never ends.
constexpr std::string_view kSlowHeader =
    "GET /v1/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

class Flood {
 public:
  Flood(SSL_CTX* ctx, const Options& options) : ctx_(ctx), options_(options) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    slots_.resize(static_cast<std::size_t>(options.slow));
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].tls = i % 2 == 1;
    }
  }
  ~Flood() {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      Drop(i);
    }
    close(epoll_);
  }
  Flood(const Flood&) = delete;
  Flood& operator=(const Flood&) = delete;

  // Run holds the flood until `end`, calling `report` once a second.
  template <typename Report>
  void Run(Clock::time_point end, Report report) {
    auto next_report = Clock::now() + std::chrono::seconds(1);
    std::vector<epoll_event> events(1024);
    while (Clock::now() < end) {
      const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 20);
      for (int k = 0; k < n; ++k) {
        OnEvent(events[static_cast<std::size_t>(k)].data.u32,
                events[static_cast<std::size_t>(k)].events);
      }
      const auto now = Clock::now();
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        Slot& s = slots_[i];
        if (s.state == SlotState::kClosed && now >= s.reopen_at) {
          OpenSlot(i);
        } else if (s.state == SlotState::kTrickling && now >= s.next_byte) {
          Trickle(i);
        }
      }
      const int open = OpenCount();
      stats_.open_max = std::max(stats_.open_max, open);
      if (steady_ || open == options_.slow) {
        steady_ = true;
        stats_.open_min_steady =
            stats_.open_min_steady < 0 ? open : std::min(stats_.open_min_steady, open);
        stats_.open_sum_steady += open;
        ++stats_.samples_steady;
      }
      if (now >= next_report) {
        report(*this);
        next_report += std::chrono::seconds(1);
      }
    }
  }

  // OpenCount counts the connections now established (silent or trickling).
  int OpenCount() const {
    int open = 0;
    for (const Slot& s : slots_) {
      open += s.state == SlotState::kSilent || s.state == SlotState::kTrickling;
    }
    return open;
  }
  int Count(SlotState state) const {
    return static_cast<int>(std::count_if(slots_.begin(), slots_.end(),
                                          [state](const Slot& s) { return s.state == state; }));
  }
  int Trickling() const { return Count(SlotState::kTrickling); }
  int Silent() const { return Count(SlotState::kSilent); }
  const FloodStats& stats() const { return stats_; }

 private:
  void OpenSlot(std::size_t i) {
    Slot& s = slots_[i];
    ++stats_.opened;
    s.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) {
      s.reopen_at = Clock::now() + milliseconds(500);  // out of descriptors: wait
      ++stats_.refused;
      return;
    }
    const sockaddr_in addr = Loopback(options_.port);
    const int rc = connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
    if (rc != 0 && errno != EINPROGRESS) {
      return Lost(i, /*established=*/false);
    }
    s.state = SlotState::kConnecting;
    Watch(i, EPOLLOUT, EPOLL_CTL_ADD);
  }

  void Watch(std::size_t i, std::uint32_t what, int op) {
    epoll_event ev{};
    ev.events = what | EPOLLRDHUP;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    (void)epoll_ctl(epoll_, op, slots_[i].fd, &ev);
  }

  void OnEvent(std::uint32_t i, std::uint32_t events) {
    Slot& s = slots_[i];
    switch (s.state) {
      case SlotState::kConnecting: {
        int err = 0;
        socklen_t len = sizeof(err);
        (void)getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        // At its cap the server closes a new connection at once.
        if (err != 0 || (events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) != 0) {
          return Lost(i, false);
        }
        if (!s.tls) {
          s.state = SlotState::kSilent;
          ++stats_.established;
          return Watch(i, EPOLLIN, EPOLL_CTL_MOD);
        }
        s.ssl = SSL_new(ctx_);
        SSL_set_fd(s.ssl, s.fd);
        SSL_set_connect_state(s.ssl);
        s.state = SlotState::kHandshaking;
        return Handshake(i);
      }
      case SlotState::kSilent:
        // The server never speaks first: any event is its close.
        return Lost(i, true);
      case SlotState::kHandshaking:
        return Handshake(i);
      case SlotState::kTrickling: {
        char buf[512];
        const int n = SSL_read(s.ssl, buf, sizeof(buf));
        if (n > 0) {
          ++stats_.answered;
          return Lost(i, true);
        }
        if (SSL_get_error(s.ssl, n) == SSL_ERROR_WANT_READ) {
          ERR_clear_error();
          return;
        }
        return Lost(i, true);
      }
      case SlotState::kClosed:
        return;
    }
  }

  void Handshake(std::size_t i) {
    Slot& s = slots_[i];
    const int rc = SSL_do_handshake(s.ssl);
    if (rc == 1) {
      s.state = SlotState::kTrickling;
      s.sent = 0;
      s.next_byte = Clock::now();
      ++stats_.established;
      return Watch(i, EPOLLIN, EPOLL_CTL_MOD);
    }
    const int err = SSL_get_error(s.ssl, rc);
    if (err == SSL_ERROR_WANT_READ) {
      return Watch(i, EPOLLIN, EPOLL_CTL_MOD);
    }
    if (err == SSL_ERROR_WANT_WRITE) {
      return Watch(i, EPOLLOUT, EPOLL_CTL_MOD);
    }
    ERR_clear_error();
    Lost(i, false);
  }

  void Trickle(std::size_t i) {
    Slot& s = slots_[i];
    const char byte = s.sent < kSlowHeader.size() ? kSlowHeader[s.sent] : 'a';
    const int n = SSL_write(s.ssl, &byte, 1);
    if (n != 1) {
      ERR_clear_error();
      return Lost(i, true);
    }
    ++s.sent;
    s.next_byte += std::chrono::seconds(1);
  }

  // Lost closes slot i after the server ended it (or refused it), and
  // schedules it to open again: soon after a normal cut, later after a
  // refusal so that a server at its cap is not hammered.
  void Lost(std::size_t i, bool established) {
    if (established) {
      ++stats_.closed_by_server;
    } else {
      ++stats_.refused;
    }
    Drop(i);
    slots_[i].reopen_at = Clock::now() + milliseconds(established ? 20 : 250);
  }

  void Drop(std::size_t i) {
    Slot& s = slots_[i];
    if (s.ssl != nullptr) {
      SSL_free(s.ssl);
      s.ssl = nullptr;
    }
    if (s.fd >= 0) {
      close(s.fd);  // also leaves the epoll set
      s.fd = -1;
    }
    s.state = SlotState::kClosed;
  }

  SSL_CTX* ctx_;
  const Options& options_;
  int epoll_ = -1;
  std::vector<Slot> slots_;
  FloodStats stats_;
  bool steady_ = false;
};

SSL_CTX* MakeContext(const std::string& ca_file, bool verify) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  if (verify) {
    if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
      SSL_CTX_free(ctx);
      return nullptr;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  return ctx;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, &options)) {
    Usage();
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const rlim_t fds = RaiseFdLimit();
  if (fds < static_cast<rlim_t>(options.slow) + 64) {
    std::fprintf(stderr, "keyhold_flood_client: RLIMIT_NOFILE %llu is too low for %d connections\n",
                 static_cast<unsigned long long>(fds), options.slow);
    return 2;
  }
  SSL_CTX* verified = MakeContext(options.ca_file, true);
  // The flood checks no certificate: it only has to hold connections.
  SSL_CTX* unverified = MakeContext("", false);
  if (verified == nullptr || unverified == nullptr) {
    std::fprintf(stderr, "keyhold_flood_client: cannot make the TLS contexts (%s)\n",
                 options.ca_file.c_str());
    return 2;
  }

  Counters counters;
  std::atomic<bool> stop{false};
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(options.duration_s);
  std::vector<std::thread> clients;
  for (int i = 0; i < options.clients; ++i) {
    clients.emplace_back(OrdinaryClient, verified, std::cref(options), &stop, &counters);
  }
  FloodStats stats;
  {
    Flood flood(unverified, options);
    flood.Run(end, [&](const Flood& f) {
      const auto t = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
      std::printf(
          "t=%.1f slow_open=%d silent=%d trickling=%d opened=%llu closed_by_server=%llu "
          "refused=%llu ok=%llu failed=%llu\n",
          static_cast<double>(t) / 1000.0, f.OpenCount(), f.Silent(), f.Trickling(),
          static_cast<unsigned long long>(f.stats().opened),
          static_cast<unsigned long long>(f.stats().closed_by_server),
          static_cast<unsigned long long>(f.stats().refused),
          static_cast<unsigned long long>(counters.ok.load()),
          static_cast<unsigned long long>(counters.failed.load()));
      std::fflush(stdout);
    });
    stats = flood.stats();
  }  // every slow connection closes here
  stop = true;
  for (auto& t : clients) {
    t.join();
  }
  {
    std::lock_guard lock(counters.mu);
    for (const auto& f : counters.failures) {
      std::printf("failure: %s\n", f.c_str());
    }
    std::printf(
        "flood: slow=%d slow_opened=%llu slow_open_max=%d slow_open_min=%d slow_open_mean=%.0f "
        "closed_by_server=%llu refused=%llu answered=%llu connections=%llu ok=%llu failed=%llu "
        "p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
        options.slow, static_cast<unsigned long long>(stats.opened), stats.open_max,
        stats.open_min_steady, stats.open_mean_steady(),
        static_cast<unsigned long long>(stats.closed_by_server),
        static_cast<unsigned long long>(stats.refused),
        static_cast<unsigned long long>(stats.answered),
        static_cast<unsigned long long>(counters.connections.load()),
        static_cast<unsigned long long>(counters.ok.load()),
        static_cast<unsigned long long>(counters.failed.load()),
        Percentile(counters.latencies_ms, 0.50), Percentile(counters.latencies_ms, 0.99),
        Percentile(counters.latencies_ms, 1.0));
  }
  SSL_CTX_free(verified);
  SSL_CTX_free(unverified);
  return 0;
}
