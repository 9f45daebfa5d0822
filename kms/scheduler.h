// Scheduler: the server's background work on keys, on its own thread.
//
// Every second it rotates enabled keys whose primary version reached the
// encryption threshold (an in-memory check, Keyring::OverBudget); every
// `interval` it scans all keys for periods that have run out and deletion
// windows that have ended, and rotates or destroys them. Failures are logged
// and retried at the next run; a sealed service is skipped. Time comes from
// the injected clock. Thread-safe.
#ifndef KEYHOLD_KMS_SCHEDULER_H_
#define KEYHOLD_KMS_SCHEDULER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "kms/clock.h"
#include "kms/key_service.h"
#include "kms/logger.h"
#include "kms/metrics.h"
#include "kms/policy_store.h"

namespace keyhold::kms {

struct SchedulerRun {
  int rotated = 0;
  int destroyed = 0;
  int failed = 0;
};

class Scheduler {
 public:
  // `policies` (may be null: no rotation rules) supplies rotation rules.
  Scheduler(KeyService* service, Logger* logger, Metrics* metrics, const Clock* clock,
            std::chrono::seconds full_scan_interval, const PolicyStore* policies = nullptr);
  ~Scheduler();

  void Start();
  void Stop();

  // RunOnce does one pass: the budget check, plus the full scan if asked.
  SchedulerRun RunOnce(bool full_scan);

 private:
  void Loop();

  KeyService* service_;
  Logger* logger_;
  Metrics* metrics_;
  const Clock* clock_;
  std::chrono::seconds interval_;
  const PolicyStore* policies_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace keyhold::kms

#endif  // KEYHOLD_KMS_SCHEDULER_H_
