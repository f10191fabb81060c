// A sealed data directory and the key store's keys made ahead of need: a
// command that seals a new record's data writes no key of its own, and a
// binding the key store lost in a crash comes back from the data directory
// at its next open, which then lets its copy go.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "casework/v1/actions.pb.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "privacy/key_store.h"
#include "privacy/sealer.h"
#include "storage/engine.h"
#include "storage/rebuild.h"
#include "tests/support/engine_harness.h"
#include "tests/support/test_support.h"
#include "workflow/actions/commands.h"

namespace casework::storage {
namespace {

// A sealed store on `data` with the key store at `keys`; the engine is
// destroyed before the store, the store before the sealer.
struct Sealed {
  Sealed(const testing::TempDir& dir, const std::string& keys) {
    absl::StatusOr<std::shared_ptr<privacy::Sealer>> opened_sealer =
        privacy::OpenSealer(testing::EnsureMasterKeyFile(dir.Sub("master.key")), keys);
    EXPECT_TRUE(opened_sealer.ok()) << opened_sealer.status();
    if (!opened_sealer.ok()) return;
    sealer = *opened_sealer;
    StoreOptions options;
    options.path = dir.Sub("data");
    options.sealer = sealer;
    absl::StatusOr<std::unique_ptr<EventStore>> opened = EventStore::Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return;
    store = *std::move(opened);
    engine = std::make_unique<Engine>(store.get(), &clock);
  }
  privacy::KeyStore& keys() { return sealer->keys(); }
  // The title the action's summary row reads as.
  std::string TitleOf(const std::string& action) {
    absl::StatusOr<std::optional<std::string>> row =
        store->GetRow(workflow::actions::ActionWorkflow().SummaryRowKey(action));
    v1::Action a;
    if (!row.ok() || !row->has_value() || !a.ParseFromString(**row)) return "(no row)";
    return a.title();
  }

  ManualClock clock{testing::At(2026, 11, 2)};
  std::shared_ptr<privacy::Sealer> sealer;
  std::unique_ptr<EventStore> store;
  std::unique_ptr<Engine> engine;
};

TEST(KeyBindingTest, ABindingTheKeyStoreLostComesBackFromTheDataDirectoryOnce) {
  testing::TempDir dir;
  std::string action;
  std::string title;
  std::string key_id;
  std::string name;
  {
    Sealed sealed(dir, dir.Sub("keys"));
    ASSERT_NE(sealed.engine, nullptr);
    ASSERT_TRUE(sealed.keys().AwaitPool(privacy::KeyStore::kPoolSize, absl::Seconds(30)));
    // The key store as a crash right after the next data write would leave
    // it: the pool's keys durable, no name bound to any of them.
    ASSERT_TRUE(sealed.keys().Backup(dir.Sub("key-backups"), 0).ok());

    testing::ActionOutcome created =
        testing::RunAction(*sealed.engine, testing::CreateRequest("a-1"));
    ASSERT_TRUE(created.response.ok()) << created.response.status();
    action = created.response->action().name();
    title = created.response->action().title();
    name = privacy::RecordKeyName(action, v1::CASE_SUBJECT);
    absl::StatusOr<std::optional<std::string>> live = sealed.keys().LiveIdOf(name);
    ASSERT_TRUE(live.ok() && live->has_value());
    key_id = **live;
    // The command made no key of its own: one synced write, the data's.
    const privacy::KeyStore::Counts counts = sealed.keys().counts();
    EXPECT_EQ(counts.from_pool, 1u);
    EXPECT_EQ(counts.outside_pool, 0u);
    EXPECT_EQ(counts.refills, 1u);
  }
  ASSERT_TRUE(
      privacy::RestoreKeyStoreBackup(dir.Sub("key-backups"), dir.Sub("keys-restored")).ok());
  {
    Sealed sealed(dir, dir.Sub("keys-restored"));
    ASSERT_NE(sealed.engine, nullptr);
    // Opening the data directory handed the binding back.
    absl::StatusOr<std::optional<std::string>> live = sealed.keys().LiveIdOf(name);
    ASSERT_TRUE(live.ok()) << live.status();
    EXPECT_EQ(*live, key_id);
    EXPECT_EQ(sealed.TitleOf(action), title);
    // Erasing the record by its name finds the key the data was sealed with.
    internal::ErasureRecord erasure;
    erasure.set_legal_basis("UK GDPR Art. 17(1)(a)");
    absl::StatusOr<std::string> erased = sealed.keys().EraseName(name, erasure);
    ASSERT_TRUE(erased.ok()) << erased.status();
    EXPECT_EQ(*erased, key_id);
  }
  // The data directory let its copy go once the key store had it. A key
  // store restored from that old backup again (older than the data, against
  // docs/operations.md) lacks the binding, and the key is destroyed as an
  // unused one of the old pool: like a key made after the backup, it is
  // lost, and is never given to another name.
  ASSERT_TRUE(
      privacy::RestoreKeyStoreBackup(dir.Sub("key-backups"), dir.Sub("keys-again")).ok());
  Sealed sealed(dir, dir.Sub("keys-again"));
  ASSERT_NE(sealed.engine, nullptr);
  absl::StatusOr<std::optional<std::string>> live = sealed.keys().LiveIdOf(name);
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(*live, std::nullopt);
  EXPECT_EQ(sealed.keys().Get(key_id)->first, privacy::KeyState::kUnknown);
}

TEST(KeyBindingTest, ManyNewRecordsAtOnceOutrunThePoolAndEveryKeyStaysBound) {
  testing::TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;  // 400 new record keys: more than the pool holds
  std::vector<std::string> actions(kThreads * kPerThread);
  {
    Sealed sealed(dir, dir.Sub("keys"));
    ASSERT_NE(sealed.engine, nullptr);
    ASSERT_TRUE(sealed.keys().AwaitPool(privacy::KeyStore::kPoolSize, absl::Seconds(30)));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          testing::ActionOutcome created = testing::RunAction(
              *sealed.engine, testing::CreateRequest(absl::StrCat("many-", t, "-", i)));
          if (!created.response.ok()) continue;
          actions[t * kPerThread + i] = created.response->action().name();
        }
      });
    }
    for (std::thread& t : threads) t.join();
    // The pool was drawn down to half at least once, and only a refill
    // takes it above half again.
    ASSERT_TRUE(sealed.keys().AwaitPool(privacy::KeyStore::kPoolSize / 2 + 1, absl::Seconds(30)));
    const privacy::KeyStore::Counts counts = sealed.keys().counts();
    EXPECT_EQ(counts.from_pool + counts.outside_pool, actions.size());
    EXPECT_GE(counts.refills, 2u);
    absl::StatusOr<VerifyReport> report = VerifyStore(*sealed.store, absl::UTCTimeZone());
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, ::testing::IsEmpty());
  }
  // After a restart, every record's name still finds the key its data was
  // sealed with, and the data opens.
  Sealed sealed(dir, dir.Sub("keys"));
  ASSERT_NE(sealed.engine, nullptr);
  std::set<std::string> ids;
  for (const std::string& action : actions) {
    ASSERT_FALSE(action.empty());
    absl::StatusOr<std::optional<std::string>> live =
        sealed.keys().LiveIdOf(privacy::RecordKeyName(action, v1::CASE_SUBJECT));
    ASSERT_TRUE(live.ok() && live->has_value()) << action;
    ids.insert(**live);
    EXPECT_EQ(sealed.TitleOf(action), "Visit the flats") << action;
  }
  EXPECT_EQ(ids.size(), actions.size());
}

}  // namespace
}  // namespace casework::storage
