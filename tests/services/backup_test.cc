// Online backups of a real server's data directory while commands flow,
// restored into a new directory that verifies clean and holds every command
// acknowledged before the backup began.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/errors.pb.h"
#include "casework/v1/operations.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "privacy/key_store.h"
#include "privacy/sealer.h"
#include "storage/backup.h"
#include "storage/rebuild.h"
#include "tests/support/server_fixture.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReasonOf(const grpc::Status& status) {
  std::optional<v1::ErrorInfo> info = testing::DetailOf<v1::ErrorInfo>(status);
  return info ? info->reason() : "";
}

class BackupTest : public testing::ServerFixture {
 protected:
  BackupTest() : ServerFixture(testing::At(2026, 11, 2)) {}
  void SetUp() override {
    backup_dir_ = dir_.Sub("backups");
    backup_keep_ = 2;
    Start();
    Publish(workflow::LlrDefaultPolicy("eastbrook"));
  }

  grpc::Status Backup(v1::Backup* out, const std::string& role = "admin") {
    auto stub = v1::OperationsService::NewStub(InProcess());
    return Call(&v1::OperationsService::Stub::CreateBackup, stub.get(), v1::CreateBackupRequest(),
                out, role);
  }

  // Creates actions, one after another, until told to stop; records the
  // name of each one acknowledged, in order.
  void Load() {
    auto stub = v1::ActionService::NewStub(InProcess());
    for (int i = 1; !stop_.load(); ++i) {
      v1::CreateActionRequest request;
      request.set_parent("partnerships/eastbrook");
      request.set_request_id(absl::StrCat("load-", i));
      request.set_title(absl::StrCat("Action ", i, " of the load"));
      request.set_owner_agency("eastbrook-council");
      *request.mutable_due_date() = testing::Date(2027, 1, 29);
      v1::ActionResponse out;
      grpc::Status status = Call(&v1::ActionService::Stub::CreateAction, stub.get(), request, &out);
      std::lock_guard<std::mutex> lock(mu_);
      if (!status.ok()) {
        errors_.push_back(status.error_message());
      } else {
        acked_.push_back(out.action().name());
      }
      cv_.notify_all();
    }
  }

  void AwaitAcked(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return acked_.size() >= n || !errors_.empty(); });
  }

  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> acked_;
  std::vector<std::string> errors_;
};

TEST_F(BackupTest, ABackupTakenUnderLoadRestoresEveryAcknowledgedCommandAndVerifies) {
  std::thread load([this] { Load(); });
  AwaitAcked(50);
  std::vector<std::string> before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    before = acked_;
  }
  v1::Backup backup;
  grpc::Status status = Backup(&backup);
  // The load goes on after the backup, too.
  const size_t after_backup = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_.size();
  }();
  AwaitAcked(after_backup + 20);
  stop_ = true;
  load.join();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(errors_, IsEmpty());
  EXPECT_EQ(backup.id(), 1u);
  EXPECT_GT(backup.bytes(), 0u);
  EXPECT_GE(backup.last_position(), before.size() + 1);  // the policy, then the actions
  server_.reset();  // the key store is the server's while it runs

  // Restored into a new directory: it verifies clean and holds every action
  // acknowledged before the backup began.
  const std::string restored = dir_.Sub("restored");
  absl::StatusOr<storage::BackupReport> report =
      storage::RestoreBackup(dir_.Sub("backups"), 0, restored);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->last_position, backup.last_position());
  storage::StoreOptions options;
  options.path = restored;
  absl::StatusOr<std::shared_ptr<privacy::Sealer>> sealer =
      privacy::OpenSealer(dir_.Sub("master.key"), dir_.Sub("data.keys"));
  ASSERT_TRUE(sealer.ok()) << sealer.status();
  options.sealer = *sealer;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  // Everything up to where the log stood when the backup began, and what
  // committed while it was copied.
  EXPECT_GE((*store)->LastPosition(), backup.last_position());
  absl::StatusOr<storage::VerifyReport> verified = storage::VerifyStore(**store, testing::London());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_THAT(verified->problems, IsEmpty());
  for (const std::string& name : before) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> events = (*store)->ReadStream(name, 1, 10);
    ASSERT_TRUE(events.ok()) << events.status();
    ASSERT_FALSE(events->empty()) << name << " was acknowledged before the backup began";
    EXPECT_EQ(events->front().payload().type_url(),
              "type.googleapis.com/casework.v1.ActionCreated");
  }

  // A restore never overwrites data.
  absl::StatusOr<storage::BackupReport> again =
      storage::RestoreBackup(dir_.Sub("backups"), 0, restored);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("refusing to restore into " + restored));
}

TEST_F(BackupTest, TheDirectoryKeepsTheNewestBackupsAndOnlyAnAdminTakesThem) {
  v1::Backup backup;
  for (int i = 1; i <= 3; ++i) {
    grpc::Status status = Backup(&backup);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(backup.id(), static_cast<uint32_t>(i));
  }
  auto stub = v1::OperationsService::NewStub(InProcess());
  v1::ListBackupsResponse listed;
  ASSERT_TRUE(Call(&v1::OperationsService::Stub::ListBackups, stub.get(), v1::ListBackupsRequest(),
                   &listed, "admin")
                  .ok());
  ASSERT_EQ(listed.backups_size(), 2);  // --backup_keep=2
  EXPECT_EQ(listed.backups(0).id(), 2u);
  EXPECT_EQ(listed.backups(1).id(), 3u);
  EXPECT_TRUE(storage::VerifyBackup(dir_.Sub("backups"), 3).ok());

  grpc::Status refused = Backup(&backup, "caseworker");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(BackupTest, TheKeyStoreIsBackedUpWithEachBackupAndComesBackWhenLost) {
  auto actions = v1::ActionService::NewStub(InProcess());
  v1::CreateActionRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_request_id("keyed-1");
  request.set_title("Visit the complainant with the housing officer");
  request.set_owner_agency("eastbrook-council");
  *request.mutable_due_date() = testing::Date(2027, 1, 29);
  v1::ActionResponse created;
  ASSERT_TRUE(
      Call(&v1::ActionService::Stub::CreateAction, actions.get(), request, &created).ok());
  v1::Backup backup;
  for (int i = 1; i <= 3; ++i) {
    grpc::Status status = Backup(&backup);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(backup.key_store_backup_id(), static_cast<uint32_t>(i));
  }
  server_.reset();

  // Data directory and key store both lost: both come back from the
  // backup directory, and the sealed fields open.
  const std::string restored = dir_.Sub("restored");
  ASSERT_TRUE(storage::RestoreBackup(dir_.Sub("backups"), 0, restored).ok());
  absl::StatusOr<uint32_t> keys =
      privacy::RestoreKeyStoreBackup(dir_.Sub("backups/keys"), restored + ".keys");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(*keys, 3u);  // the newest; --backup_keep=2 kept 2 and 3
  storage::StoreOptions options;
  options.path = restored;
  absl::StatusOr<std::shared_ptr<privacy::Sealer>> sealer =
      privacy::OpenSealer(dir_.Sub("master.key"), restored + ".keys");
  ASSERT_TRUE(sealer.ok()) << sealer.status();
  options.sealer = *sealer;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<std::vector<v1::EventEnvelope>> sealed =
      (*store)->ReadStream(created.action().name(), 1, 1, /*open=*/false);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  v1::ActionCreated raw;
  ASSERT_TRUE(sealed->front().payload().UnpackTo(&raw));
  EXPECT_TRUE(privacy::IsSealed(raw.title()));
  absl::StatusOr<std::vector<v1::EventEnvelope>> opened =
      (*store)->ReadStream(created.action().name(), 1, 1);
  ASSERT_TRUE(opened.ok()) << opened.status();
  v1::ActionCreated plain;
  ASSERT_TRUE(opened->front().payload().UnpackTo(&plain));
  EXPECT_EQ(plain.title(), "Visit the complainant with the housing officer");

  // A key store restore never overwrites keys.
  absl::StatusOr<uint32_t> again =
      privacy::RestoreKeyStoreBackup(dir_.Sub("backups/keys"), restored + ".keys");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("never overwrites keys"));
}

TEST_F(BackupTest, WithoutABackupDirectoryTheCallSaysHowToConfigureIt) {
  server_.reset();
  backup_dir_.clear();
  Start();
  v1::Backup backup;
  grpc::Status status = Backup(&backup);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "BACKUPS_NOT_CONFIGURED");
  EXPECT_THAT(status.error_message(), HasSubstr("--backup_dir"));
}

}  // namespace
}  // namespace casework::services
