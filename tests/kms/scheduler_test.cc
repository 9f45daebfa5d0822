// Tests for kms/scheduler.h over a real service and a manual clock:
// RunOnce rotates a key exactly once when its period runs out and not a
// second earlier; never rotates disabled keys; rotates a key over its
// encryption budget on the cheap pass (no full scan); destroys a key whose
// deletion window ended on a full scan only; does nothing while sealed or
// uninitialised; reports exact counts, logs, and the rotations metric.
// Start() runs a full scan at once and Stop() returns promptly.
#include "kms/scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "kms/policy_store.h"
#include "tests/kms/service_fixture.h"

namespace keyhold::kms {
namespace {

using keyhold::testing::Bytes;

class SchedulerTest : public ServiceTest {
 protected:
  void SetUp() override {
    // Rotation is due from 3 encryptions; 10 at most; counts reserved 2 at
    // a time.
    keyring_options_.budget = BudgetLimits{3, 10, 2};
    InitAndUnseal();
  }

  Scheduler MakeScheduler() {
    return Scheduler(service_.get(), &logger_, &metrics_, &clock_, std::chrono::hours(1));
  }

  void Create(const crypto::KeyId& id, std::optional<std::uint64_t> period) {
    CreateKeyOptions o;
    o.rotation_period_s = period;
    auto r = keyring().CreateKey(id, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  KeyRecord Record(const crypto::KeyId& id) {
    auto k = keyring().GetKey(id);
    EXPECT_TRUE(k.ok()) << id.ToString();
    return k.ok() ? k->record : KeyRecord{};
  }
  void Wrap(const crypto::KeyId& id, int times) {
    for (int i = 0; i < times; ++i) {
      auto w = keyring().Wrap(id, Bytes("data key"), Ctx({}));
      ASSERT_TRUE(w.ok()) << w.error().message;
    }
  }
  std::vector<nlohmann::json> Logged() {
    std::lock_guard lock(lines_mu_);
    std::vector<nlohmann::json> out;
    for (const std::string& l : lines_) {
      out.push_back(nlohmann::json::parse(l));
    }
    return out;
  }

  std::mutex lines_mu_;
  std::vector<std::string> lines_;
  Logger logger_{LogLevel::kDebug, [this](std::string_view line) {
                   std::lock_guard lock(lines_mu_);
                   lines_.emplace_back(line);
                 }};
  Metrics metrics_;
  const crypto::KeyId hourly_ = Id("acme/hourly");
};

void ExpectRun(const SchedulerRun& run, int rotated, int destroyed, int failed) {
  EXPECT_EQ(run.rotated, rotated);
  EXPECT_EQ(run.destroyed, destroyed);
  EXPECT_EQ(run.failed, failed);
}

TEST_F(SchedulerTest, NothingToDo) {
  Create(hourly_, 3600);
  Scheduler s = MakeScheduler();
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  ExpectRun(s.RunOnce(false), 0, 0, 0);
  EXPECT_TRUE(Logged().empty());
}

TEST_F(SchedulerTest, PeriodRotatesExactlyOnceWhenDue) {
  Create(hourly_, 3600);
  Create(Id("acme/manual"), 0);
  Create(Id("acme/yearly"), std::nullopt);  // the default: 365 days
  const std::int64_t created = clock_.NowSeconds();
  Scheduler s = MakeScheduler();

  clock_.Advance(3599);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  EXPECT_EQ(Record(hourly_).primary_version, 1u);

  clock_.Advance(1);
  // The period is only checked on a full scan.
  ExpectRun(s.RunOnce(false), 0, 0, 0);
  ExpectRun(s.RunOnce(true), 1, 0, 0);
  const KeyRecord r = Record(hourly_);
  EXPECT_EQ(r.primary_version, 2u);
  EXPECT_EQ(r.latest_version, 2u);
  EXPECT_EQ(r.last_rotated_at, created + 3600);
  // Run again at the same time: already rotated.
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  EXPECT_EQ(Record(hourly_).primary_version, 2u);

  // The next period counts from the rotation.
  clock_.Advance(3599);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  clock_.Advance(1);
  ExpectRun(s.RunOnce(true), 1, 0, 0);
  EXPECT_EQ(Record(hourly_).primary_version, 3u);
  EXPECT_EQ(Record(Id("acme/manual")).primary_version, 1u);
  EXPECT_EQ(Record(Id("acme/yearly")).primary_version, 1u);

  const auto logged = Logged();
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0]["level"], "info");
  EXPECT_EQ(logged[0]["msg"], "key rotated");
  EXPECT_EQ(logged[0]["key"], "acme/hourly");
  EXPECT_EQ(logged[0]["reason"], "period");
  EXPECT_EQ(logged[0]["version"], 2);
  EXPECT_EQ(logged[1]["version"], 3);
}

TEST_F(SchedulerTest, DefaultPeriodRotatesAfterAYear) {
  Create(Id("acme/yearly"), std::nullopt);
  Scheduler s = MakeScheduler();
  clock_.Advance(365 * kDay - 1);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  clock_.Advance(1);
  ExpectRun(s.RunOnce(true), 1, 0, 0);
  EXPECT_EQ(Record(Id("acme/yearly")).primary_version, 2u);
}

TEST_F(SchedulerTest, ClockGoingBackNeverRotates) {
  Create(hourly_, 3600);
  Scheduler s = MakeScheduler();
  clock_.Advance(-10 * kDay);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  EXPECT_EQ(Record(hourly_).primary_version, 1u);
}

TEST_F(SchedulerTest, DisabledKeysNeverRotate) {
  Create(hourly_, 3600);
  const auto budget = Id("acme/busy");
  Create(budget, 0);
  Wrap(budget, 3);
  ASSERT_TRUE(keyring().Disable(hourly_).ok());
  ASSERT_TRUE(keyring().Disable(budget).ok());
  Scheduler s = MakeScheduler();
  clock_.Advance(30 * kDay);
  ExpectRun(s.RunOnce(false), 0, 0, 0);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  EXPECT_EQ(Record(hourly_).primary_version, 1u);
  EXPECT_EQ(Record(budget).primary_version, 1u);
  // Enabled again, both are due at once: the budget on the cheap pass, the
  // period on the full one.
  ASSERT_TRUE(keyring().Enable(hourly_).ok());
  ASSERT_TRUE(keyring().Enable(budget).ok());
  ExpectRun(s.RunOnce(false), 1, 0, 0);
  EXPECT_EQ(Record(budget).primary_version, 2u);
  ExpectRun(s.RunOnce(true), 1, 0, 0);
  EXPECT_EQ(Record(hourly_).primary_version, 2u);
}

TEST_F(SchedulerTest, EncryptionBudgetRotatesWithoutAFullScan) {
  const auto busy = Id("acme/busy");
  Create(busy, 0);
  Scheduler s = MakeScheduler();
  Wrap(busy, 2);
  ExpectRun(s.RunOnce(false), 0, 0, 0);
  Wrap(busy, 1);  // the third encryption reaches rotate_after
  ExpectRun(s.RunOnce(false), 1, 0, 0);
  EXPECT_EQ(Record(busy).primary_version, 2u);
  ExpectRun(s.RunOnce(false), 0, 0, 0);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  // The new version has its own budget.
  Wrap(busy, 2);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  Wrap(busy, 1);
  ExpectRun(s.RunOnce(true), 1, 0, 0);
  EXPECT_EQ(Record(busy).primary_version, 3u);

  const auto logged = Logged();
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0]["msg"], "key rotated");
  EXPECT_EQ(logged[0]["reason"], "encryption_budget");
  EXPECT_EQ(logged[0]["version"], 2);
  const std::string text = metrics_.Render(*service_);
  EXPECT_NE(text.find("\nkeyhold_rotations_total{reason=\"encryption_budget\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("reason=\"period\""), std::string::npos) << text;
}

TEST_F(SchedulerTest, PendingDeletionDestroyedAfterTheWindowOnFullScan) {
  const auto doomed = Id("acme/doomed");
  Create(doomed, 0);
  Create(Id("acme/kept"), 0);
  ASSERT_TRUE(keyring().ScheduleDeletion(doomed, 7).ok());
  const std::int64_t deletion_at = Record(doomed).deletion_at;
  ASSERT_EQ(deletion_at, clock_.NowSeconds() + 7 * kDay);
  Scheduler s = MakeScheduler();

  clock_.Set(deletion_at - 1);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  EXPECT_EQ(Record(doomed).state, KeyState::kPendingDeletion);
  clock_.Set(deletion_at);
  ExpectRun(s.RunOnce(false), 0, 0, 0);  // not on the cheap pass
  EXPECT_EQ(Record(doomed).state, KeyState::kPendingDeletion);
  ExpectRun(s.RunOnce(true), 0, 1, 0);
  EXPECT_EQ(Record(doomed).state, KeyState::kDestroyed);
  EXPECT_EQ(Record(Id("acme/kept")).state, KeyState::kEnabled);
  ExpectRun(s.RunOnce(true), 0, 0, 0);

  const auto logged = Logged();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0]["msg"], "key destroyed");
  EXPECT_EQ(logged[0]["key"], "acme/doomed");
}

TEST_F(SchedulerTest, CancelledDeletionIsNotDestroyed) {
  const auto saved = Id("acme/saved");
  Create(saved, 0);
  ASSERT_TRUE(keyring().ScheduleDeletion(saved, 7).ok());
  ASSERT_TRUE(keyring().CancelDeletion(saved).ok());
  Scheduler s = MakeScheduler();
  clock_.Advance(30 * kDay);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  EXPECT_EQ(Record(saved).state, KeyState::kDisabled);
}

TEST_F(SchedulerTest, CountsOfAMixedRun) {
  Create(Id("acme/h1"), 3600);
  Create(Id("globex/h2"), 7200);
  Create(Id("acme/busy"), 0);
  Create(Id("acme/doomed1"), 0);
  Create(Id("acme/doomed2"), 0);
  Create(Id("acme/quiet"), 0);
  ASSERT_TRUE(keyring().ScheduleDeletion(Id("acme/doomed1"), 7).ok());
  ASSERT_TRUE(keyring().ScheduleDeletion(Id("acme/doomed2"), 8).ok());
  Wrap(Id("acme/busy"), 3);
  Scheduler s = MakeScheduler();
  clock_.Advance(7 * kDay);
  // busy (budget), h1 and h2 (period); doomed1 only (doomed2 has a day left).
  ExpectRun(s.RunOnce(true), 3, 1, 0);
  EXPECT_EQ(Record(Id("acme/doomed2")).state, KeyState::kPendingDeletion);
  EXPECT_EQ(Record(Id("acme/quiet")).primary_version, 1u);
  clock_.Advance(kDay);
  ExpectRun(s.RunOnce(true), 2, 1, 0);  // h1 and h2 again, doomed2
  ExpectRun(s.RunOnce(true), 0, 0, 0);

  const std::string text = metrics_.Render(*service_);
  EXPECT_NE(text.find("\nkeyhold_rotations_total{reason=\"period\"} 4\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nkeyhold_rotations_total{reason=\"encryption_budget\"} 1\n"),
            std::string::npos)
      << text;
}

TEST_F(SchedulerTest, RotationShowsUpInMetrics) {
  Create(hourly_, 3600);
  Scheduler s = MakeScheduler();
  EXPECT_EQ(metrics_.Render(*service_).find("keyhold_rotations_total{"), std::string::npos);
  clock_.Advance(3600);
  ExpectRun(s.RunOnce(true), 1, 0, 0);
  const std::string text = metrics_.Render(*service_);
  EXPECT_NE(text.find("\nkeyhold_rotations_total{reason=\"period\"} 1\n"), std::string::npos)
      << text;
}

TEST_F(SchedulerTest, SealedServiceDoesNothing) {
  Create(hourly_, 3600);
  const auto busy = Id("acme/busy");
  Create(busy, 0);
  Wrap(busy, 3);
  ASSERT_TRUE(keyring().ScheduleDeletion(Id("acme/hourly"), 7).ok());
  service_->Seal();
  Scheduler s = MakeScheduler();
  clock_.Advance(30 * kDay);
  ExpectRun(s.RunOnce(false), 0, 0, 0);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  EXPECT_TRUE(Logged().empty());
  // Unsealed again, the work is done. A fresh keyring has no counts in
  // memory: the busy key's version is checked when next used.
  ASSERT_TRUE(service_->UnsealWithKeyFile(KeyFile()).ok());
  ExpectRun(s.RunOnce(true), 0, 1, 0);
  EXPECT_EQ(Record(hourly_).state, KeyState::kDestroyed);
  EXPECT_EQ(Record(busy).primary_version, 1u);
  Wrap(busy, 1);  // resumes at the reservation (4), so 5 >= 3
  ExpectRun(s.RunOnce(false), 1, 0, 0);
  EXPECT_EQ(Record(busy).primary_version, 2u);
}

TEST_F(SchedulerTest, UninitialisedServiceDoesNothing) {
  keyhold::testing::TempDir other;
  KeyServiceOptions o = Options();
  o.store.dir = other.path() / "store";
  auto fresh = KeyService::Open(o);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  Scheduler s(fresh->get(), &logger_, &metrics_, &clock_, std::chrono::hours(1));
  clock_.Advance(1000 * kDay);
  ExpectRun(s.RunOnce(false), 0, 0, 0);
  ExpectRun(s.RunOnce(true), 0, 0, 0);
  EXPECT_TRUE(Logged().empty());
}

TEST_F(SchedulerTest, StartRunsAFullScanAndStopIsPrompt) {
  Create(hourly_, 3600);
  clock_.Advance(3600);
  Scheduler s = MakeScheduler();
  auto wait_for_version = [&](std::uint32_t v) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Record(hourly_).primary_version < v && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Record(hourly_).primary_version;
  };
  s.Start();
  s.Start();  // a second Start does not start a second thread
  EXPECT_EQ(wait_for_version(2), 2u);
  auto before = std::chrono::steady_clock::now();
  s.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  EXPECT_EQ(Record(hourly_).primary_version, 2u);

  // Started again, it scans again at once.
  clock_.Advance(3600);
  s.Start();
  EXPECT_EQ(wait_for_version(3), 3u);
  before = std::chrono::steady_clock::now();
  s.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  s.Stop();  // idempotent

  const auto logged = Logged();
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0]["version"], 2);
  EXPECT_EQ(logged[1]["version"], 3);
}

TEST_F(SchedulerTest, StopWithoutStartAndDestructorStop) {
  {
    Scheduler s = MakeScheduler();
    s.Stop();
  }
  const auto before = std::chrono::steady_clock::now();
  {
    Scheduler s = MakeScheduler();
    s.Start();
  }  // the destructor stops it
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
}

}  // namespace
}  // namespace keyhold::kms

namespace keyhold::kms {
namespace {

// Rotation rules of the policies in force tighten, never loosen: a shorter
// period than the key's own and a smaller budget than the configured one
// apply to the keys they match, and to no other.
TEST_F(SchedulerTest, RotationRulesTightenPeriodAndBudgetOfMatchingKeys) {
  testing::TempDir folder;
  {
    std::ofstream f(folder.path() / "rotation.json");
    f << R"({"name": "rotation", "version": 1, "rotation": [
      {"id": "pay-daily", "keys": ["acme/pay-*"], "period_days": 1, "max_encryptions": 2},
      {"id": "loose", "keys": ["acme/*"], "period_days": 3650}]})";
  }
  auto policies = PolicyStore::Open(folder.path());
  ASSERT_TRUE(policies.ok()) << policies.error().message;
  Create(Id("acme/pay-eu"), 0);         // no period of its own
  Create(Id("acme/other"), 7 * 86400);  // a week: the 10-year rule does not loosen it
  Scheduler s(service_.get(), &logger_, &metrics_, &clock_, std::chrono::hours(1), policies->get());

  Wrap(Id("acme/pay-eu"), 2);  // the rule's budget of 2, below the configured 3
  Wrap(Id("acme/other"), 2);
  ExpectRun(s.RunOnce(false), 1, 0, 0);
  EXPECT_EQ(Record(Id("acme/pay-eu")).primary_version, 2u);
  EXPECT_EQ(Record(Id("acme/other")).primary_version, 1u);

  clock_.Advance(86400);
  ExpectRun(s.RunOnce(true), 1, 0, 0);  // pay-eu's day is over; other's week is not
  EXPECT_EQ(Record(Id("acme/pay-eu")).primary_version, 3u);
  clock_.Advance(6 * 86400);
  ExpectRun(s.RunOnce(true), 2, 0, 0);
  EXPECT_EQ(Record(Id("acme/other")).primary_version, 2u);
}

}  // namespace
}  // namespace keyhold::kms
