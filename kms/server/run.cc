#include "kms/server/run.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <filesystem>

#include "kms/api/api.h"
#include "kms/audit/syslog_sink.h"
#include "kms/key_service.h"
#include "kms/logger.h"
#include "kms/metrics.h"
#include "kms/policy_store.h"
#include "kms/scheduler.h"
#include "kms/server/server.h"

namespace keyhold::kms {
namespace {

// Descriptors the server holds besides its connections: the listener, the
// reactor's, the store's and the audit log's files, with room to spare.
constexpr rlim_t kReservedFiles = 64;

// RaiseFileLimit lifts the soft open-file limit to the hard one and returns
// the soft limit now in force. Each connection is a descriptor, and
// systemd's default soft limit (1024) is below the default
// server.max_connections plus the server's own files: out of descriptors,
// accept fails and new connections wait in the kernel's backlog until
// another closes. Only epoll is used, so descriptors above 1023 are safe.
rlim_t RaiseFileLimit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0) {
    return 0;
  }
  if (files.rlim_cur < files.rlim_max) {
    rlimit raised = files;
    raised.rlim_cur = files.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      files = raised;
    }
  }
  return files.rlim_cur;
}

}  // namespace

void HardenProcess() {
  const rlimit no_core{0, 0};
  (void)setrlimit(RLIMIT_CORE, &no_core);
  (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int RunServer(const Config& config) {
  HardenProcess();
  Logger logger(config.log_level);
  if (const rlim_t files = RaiseFileLimit();
      files != RLIM_INFINITY && files < config.max_connections + kReservedFiles) {
    logger.Log(LogLevel::kWarn,
               "the open-file limit is too low for server.max_connections: raise LimitNOFILE",
               {{"limit", static_cast<std::int64_t>(files)},
                {"max_connections", static_cast<std::int64_t>(config.max_connections)},
                {"needed", static_cast<std::int64_t>(config.max_connections + kReservedFiles)}});
  }
  const Clock& clock = SystemClock::Instance();
  // The audit log comes first and goes last: the service's final seal
  // writes its closing checkpoint.
  AuditLogOptions audit_options;
  audit_options.dir = config.audit_path;
  audit_options.max_file_bytes = config.audit_max_file_mib << 20;
  audit_options.max_file_age_s = static_cast<std::int64_t>(config.audit_max_file_age_hours) * 3600;
  audit_options.on_warning = [&logger](const std::string& what) {
    logger.Log(LogLevel::kWarn, "audit log", {{"detail", what}});
  };
  std::unique_ptr<SyslogSink> syslog;
  if (!config.audit_syslog_socket.empty()) {
    char host[256] = {};
    (void)gethostname(host, sizeof(host) - 1);
    syslog = std::make_unique<SyslogSink>(config.audit_syslog_socket, host);
    audit_options.mirror = [sink = syslog.get()](std::string_view line) {
      return sink->Send(line);
    };
  }
  auto audit = AuditLog::Open(audit_options, [&clock] { return clock.NowMicros(); });
  if (!audit.ok()) {
    logger.Log(LogLevel::kError, "cannot open the audit log",
               {{"path", config.audit_path.string()}, {"error", audit.error().message}});
    return 1;
  }
  if (const AuditVerifyResult& check = (*audit)->startup_check(); !check.ok) {
    logger.Log(LogLevel::kError, "the audit log failed its start-up check",
               {{"file", check.file},
                {"line", static_cast<std::int64_t>(check.line)},
                {"reason", check.reason}});
  }
  auto service = KeyService::Open(config.ServiceOptions());
  if (!service.ok()) {
    logger.Log(LogLevel::kError, "cannot open the store",
               {{"path", config.store_path.string()}, {"error", service.error().message}});
    return 1;
  }
  (*service)->AttachAudit(audit->get(), [&logger](const std::string& finding) {
    logger.Log(LogLevel::kError, "audit log integrity problem found at unseal",
               {{"finding", finding}});
  });
  if (config.dev_mode) {
    logger.Log(LogLevel::kWarn, "development mode: do not use for real keys");
  }
  const SealStatus status = (*service)->seal_status();
  if (config.dev_mode && !config.dev_key_file.empty() && status.initialized &&
      std::filesystem::exists(config.dev_key_file)) {
    if (auto s = (*service)->UnsealWithKeyFile(config.dev_key_file); !s.ok()) {
      logger.Log(LogLevel::kError, "dev auto-unseal failed", {{"error", s.error().message}});
      return 1;
    }
    logger.Log(LogLevel::kInfo, "unsealed from the dev key file");
  }
  // Policies are read before the first request: a folder that does not
  // load stops the start (fail closed), naming the file and line.
  auto policies = PolicyStore::Open(config.policy_dir);
  if (!policies.ok()) {
    logger.Log(LogLevel::kError, "cannot load the policies", {{"error", policies.error().message}});
    return 1;
  }
  logger.Log(LogLevel::kInfo, "policies loaded",
             {{"documents", static_cast<std::int64_t>((*policies)->Snapshot()->documents().size())},
              {"region", config.region}});
  Metrics metrics;
  Api api(service->get(), &config, &logger, &metrics, &clock, audit->get(), policies->get());
  Scheduler scheduler(service->get(), &logger, &metrics, &clock,
                      std::chrono::seconds(config.scheduler_interval_s), policies->get());
  auto server = Server::Create(config, &api, &logger, audit->get());
  if (!server.ok()) {
    logger.Log(LogLevel::kError, "cannot start the server", {{"error", server.error().message}});
    return 1;
  }
  (*server)->set_on_shutdown([&] {
    sd_notify(0, "STOPPING=1");
    logger.Log(LogLevel::kInfo, "shutting down: draining requests");
  });
  if (auto s = (*server)->Start(); !s.ok()) {
    logger.Log(LogLevel::kError, "cannot start the server", {{"error", s.error().message}});
    return 1;
  }
  scheduler.Start();
  const SealStatus now = (*service)->seal_status();
  logger.Log(LogLevel::kInfo, "listening",
             {{"address", config.listen_host},
              {"port", static_cast<std::int64_t>((*server)->port())},
              {"initialized", now.initialized},
              {"sealed", now.sealed}});
  sd_notify(0, "READY=1");
  (*server)->Wait();
  scheduler.Stop();
  // Sessions cut at the grace deadline may still wait on their records:
  // let every callback run before the server (and its executors) go.
  (*audit)->Flush();
  server->reset();
  (*service)->Seal();  // wipe every key from memory before exit
  logger.Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace keyhold::kms
