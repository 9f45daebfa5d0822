#include "kms/scheduler.h"

#include <string>

namespace keyhold::kms {

Scheduler::Scheduler(KeyService* service, Logger* logger, Metrics* metrics, const Clock* clock,
                     std::chrono::seconds full_scan_interval, const PolicyStore* policies)
    : service_(service),
      logger_(logger),
      metrics_(metrics),
      clock_(clock),
      interval_(full_scan_interval),
      policies_(policies) {}

Scheduler::~Scheduler() {
  Stop();
}

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (!thread_.joinable()) {
    stop_ = false;
    thread_ = std::thread([this] { Loop(); });
  }
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Scheduler::Loop() {
  auto next_full = std::chrono::steady_clock::now();  // one full scan at start
  std::unique_lock lock(mu_);
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    const bool full = now >= next_full;
    if (full) {
      next_full = now + interval_;
    }
    lock.unlock();
    RunOnce(full);
    lock.lock();
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
  }
}

SchedulerRun Scheduler::RunOnce(bool full_scan) {
  SchedulerRun run;
  auto ring = service_->keyring();
  if (!ring.ok()) {
    return run;  // sealed or not initialised: nothing to do
  }
  auto rotate = [&](const crypto::KeyId& id, std::string_view reason) {
    auto r = (*ring)->Rotate(id);
    const std::string name = id.ToString();
    if (r.ok()) {
      ++run.rotated;
      metrics_->CountRotation(reason);
      logger_->Log(LogLevel::kInfo, "key rotated",
                   {{"key", name},
                    {"reason", reason},
                    {"version", static_cast<std::int64_t>(r->record.primary_version)}});
    } else {
      ++run.failed;
      logger_->Log(LogLevel::kWarn, "rotation failed",
                   {{"key", name}, {"reason", reason}, {"error", Info(r.error().code).name}});
    }
  };
  const std::shared_ptr<const policies::PolicySet> rules =
      policies_ != nullptr ? policies_->Snapshot() : std::make_shared<policies::PolicySet>();
  for (const crypto::KeyId& id : (*ring)->OverBudget(*rules)) {
    rotate(id, "encryption_budget");
  }
  if (!full_scan) {
    return run;
  }
  const std::int64_t now = clock_->NowSeconds();
  if (auto due = (*ring)->DueForRotation(now, *rules); due.ok()) {
    for (const DueRotation& d : *due) {
      // A key rotated for its budget a moment ago is not due again.
      if (d.reason == policies::RotationReason::kPeriod) {
        rotate(d.id, policies::RotationReasonName(d.reason));
      }
    }
  } else {
    ++run.failed;
    logger_->Log(LogLevel::kError, "rotation scan failed",
                 {{"error", Info(due.error().code).name}});
  }
  if (auto due = (*ring)->DueForDestruction(now); due.ok()) {
    for (const crypto::KeyId& id : *due) {
      const std::string name = id.ToString();
      if (auto r = (*ring)->Destroy(id); r.ok()) {
        ++run.destroyed;
        logger_->Log(LogLevel::kInfo, "key destroyed", {{"key", name}});
      } else {
        ++run.failed;
        logger_->Log(LogLevel::kWarn, "destroy failed",
                     {{"key", name}, {"error", Info(r.error().code).name}});
      }
    }
  } else {
    ++run.failed;
    logger_->Log(LogLevel::kError, "deletion scan failed",
                 {{"error", Info(due.error().code).name}});
  }
  return run;
}

}  // namespace keyhold::kms
