// The event store on a disk that fills: the free-space floor refuses writes
// before the disk is full and lets them resume by themselves; a write that
// meets a full disk anyway is not acknowledged and RocksDB is reopened once
// space is back; RocksDB never writes an info LOG into the data directory;
// a failed open names its cause and leaves nothing behind.
//
// The real-disk cases mount a small tmpfs (CI runs as root). Where mounting
// is impossible they run the same checks on an injected file system
// (storage/fault_injection.h) and say so on stdout.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "casework/v1/errors.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/event_store.h"
#include "storage/fault_injection.h"
#include "tests/storage/small_filesystem.h"
#include "tests/support/test_support.h"

namespace casework::storage {
namespace {

using ::casework::testing::DetailOf;
using ::casework::testing::FillWithBallast;
using ::casework::testing::SmallFilesystem;
using ::casework::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr uint64_t kMiB = uint64_t{1} << 20;

std::set<std::string> Listing(const std::string& dir) {
  std::set<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    names.insert(absl::StrCat(entry.path().filename().string(), " ",
                              entry.is_regular_file() ? entry.file_size() : 0));
  }
  return names;
}

std::string ReasonOf(const absl::Status& status) {
  std::optional<v1::ErrorInfo> info = DetailOf<v1::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "";
}

// One event at `position` on stream "partnerships/x/actions/<position>",
// with a payload of `bytes` bytes of 'p'.
absl::Status WriteEvent(EventStore& store, uint64_t position, size_t bytes = 100) {
  StoreBatch batch = store.NewBatch();
  v1::EventEnvelope e;
  e.set_stream(absl::StrCat("partnerships/x/actions/", position));
  e.set_stream_version(1);
  e.set_global_position(position);
  e.set_request_id(absl::StrCat("r-", position));
  e.mutable_payload()->set_type_url("type.googleapis.com/casework.v1.ActionCreated");
  e.mutable_payload()->set_value(std::string(bytes, 'p'));
  batch.PutEvent(e);
  return store.Write(batch);
}

// Asks the store until it accepts writes again (it retries a failed reopen
// at most once a second), for at most 10 seconds; returns its last answer.
absl::Status AwaitWritable(EventStore& store) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  absl::Status writable = store.CheckSpace().writes;
  while (!writable.ok() && absl::Now() < deadline) writable = store.write_status();
  return writable;
}

// Every acknowledged position holds its own event, once, and nothing else
// is in the log.
void ExpectLogHolds(const EventStore& store, const std::vector<uint64_t>& acknowledged) {
  std::vector<v1::EventEnvelope> log = *store.ReadLog(1, 1000000);
  ASSERT_EQ(log.size(), acknowledged.size());
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].global_position(), acknowledged[i]);
    EXPECT_EQ(log[i].request_id(), absl::StrCat("r-", acknowledged[i]));
  }
}

// A store in `dir`/data whose file system `faults` controls.
StoreOptions OptionsWith(const TempDir& dir, std::shared_ptr<FaultInjector> faults) {
  StoreOptions options;
  options.path = dir.Sub("data");
  options.faults = std::move(faults);
  return options;
}

TEST(DiskFullTest, TheFloorRefusesWritesAndTheyResumeOnceSpaceIsBack) {
  TempDir dir;
  auto faults = std::make_shared<FaultInjector>();
  StoreOptions options = OptionsWith(dir, faults);
  options.min_free_bytes = 64 * kMiB;
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  ASSERT_TRUE(WriteEvent(*store, 1).ok());

  faults->SetFreeBytes(10 * kMiB);
  absl::Status refused = WriteEvent(*store, 2);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(refused.message(),
            absl::StrCat("writes refused: 10.0 MiB free on the filesystem of data directory ",
                         options.path,
                         ", below the floor of 64.0 MiB; reads keep working and writes resume "
                         "once more than 72.0 MiB is free"));
  EXPECT_EQ(ReasonOf(refused), "STORAGE_SPACE_LOW");
  EXPECT_EQ(store->write_status().code(), absl::StatusCode::kUnavailable);
  SpaceReport report = store->CheckSpace();
  EXPECT_EQ(report.free_bytes, 10 * kMiB);
  EXPECT_EQ(report.writes.code(), absl::StatusCode::kUnavailable);

  // Reads keep working.
  EXPECT_EQ(store->ReadLog(1, 10)->size(), 1u);
  EXPECT_EQ(store->LastPosition(), 1u);

  // Just above the floor is not enough to resume (no flapping) ...
  faults->SetFreeBytes(65 * kMiB);
  EXPECT_EQ(store->write_status().code(), absl::StatusCode::kUnavailable);
  // ... above the floor plus an eighth is.
  faults->SetFreeBytes(73 * kMiB);
  EXPECT_TRUE(store->write_status().ok());
  EXPECT_TRUE(store->CheckSpace().writes.ok());
  ASSERT_TRUE(WriteEvent(*store, 2).ok());
  ExpectLogHolds(*store, {1, 2});
}

TEST(DiskFullTest, AWriteThatMeetsAFullDiskIsNotAcknowledgedAndTheStoreReopens) {
  TempDir dir;
  auto faults = std::make_shared<FaultInjector>();
  StoreOptions options = OptionsWith(dir, faults);
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  ASSERT_TRUE(WriteEvent(*store, 1).ok());
  ASSERT_TRUE(WriteEvent(*store, 2).ok());

  faults->FailWritesNoSpace(true);
  absl::Status failed = WriteEvent(*store, 3);
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failed.message()),
              StartsWith(absl::StrCat("writes refused: the disk of data directory ", options.path,
                                      " is full (")));
  EXPECT_THAT(std::string(failed.message()),
              HasSubstr("reads keep working and writes resume once space is freed"));
  EXPECT_EQ(ReasonOf(failed), "STORAGE_SPACE_LOW");
  EXPECT_GT(faults->failures(), 0u);
  EXPECT_EQ(store->LastPosition(), 2u);
  EXPECT_EQ(store->ReadLog(1, 10)->size(), 2u);

  // Still full: the reopen fails, reads go on from a read-only instance.
  EXPECT_EQ(store->write_status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store->ReadLog(1, 10)->size(), 2u);

  // Space is back: a check reopens RocksDB (after a failed attempt, at most
  // once a second) and writes resume; not sticky.
  faults->FailWritesNoSpace(false);
  absl::Status resumed = AwaitWritable(*store);
  ASSERT_TRUE(resumed.ok()) << resumed;
  ASSERT_TRUE(WriteEvent(*store, 3).ok());
  ExpectLogHolds(*store, {1, 2, 3});

  // A restart finds exactly the acknowledged writes.
  store.reset();
  options.faults = nullptr;
  store = *EventStore::Open(options);
  ExpectLogHolds(*store, {1, 2, 3});
}

TEST(DiskFullTest, OtherWriteFailuresStaySticky) {
  TempDir dir;
  auto faults = std::make_shared<FaultInjector>();
  StoreOptions options = OptionsWith(dir, faults);
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  faults->FailWrites(true);
  absl::Status failed = WriteEvent(*store, 1);
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failed.message()),
              StartsWith("storage write failed; writes are disabled until the "
                         "service is restarted: "));
  EXPECT_EQ(ReasonOf(failed), "STORAGE_WRITE_FAILED");
  faults->FailWrites(false);
  EXPECT_EQ(store->write_status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store->CheckSpace().writes.code(), absl::StatusCode::kUnavailable);
}

TEST(DiskFullTest, TheDataCapRefusesWrites) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("data");
  {
    std::unique_ptr<EventStore> store = *EventStore::Open(options);
    for (uint64_t p = 1; p <= 20; ++p) ASSERT_TRUE(WriteEvent(*store, p, 4096).ok());
  }  // a clean close flushes the memtables into table files
  options.max_data_bytes = 1024;
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  SpaceReport report = store->CheckSpace();
  EXPECT_GT(report.data_bytes, 1024u);
  absl::Status refused = WriteEvent(*store, 21);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.message()),
              StartsWith(absl::StrCat("writes refused: data directory ", options.path, " holds ")));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("of tables, at its cap of 0.0 MiB"));
  EXPECT_EQ(store->ReadLog(1, 100)->size(), 20u);
}

TEST(DiskFullTest, RocksDbWritesNoInfoLogIntoTheDataDirectory) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("data");
  {
    std::unique_ptr<EventStore> store = *EventStore::Open(options);
    ASSERT_TRUE(WriteEvent(*store, 1).ok());
  }
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  for (const std::string& entry : Listing(options.path)) {
    EXPECT_THAT(entry, ::testing::Not(StartsWith("LOG"))) << entry;
  }
}

TEST(StoreOpenTest, BelowTheFloorNothingIsCreated) {
  TempDir dir;
  auto faults = std::make_shared<FaultInjector>();
  faults->SetFreeBytes(3 * kMiB);
  StoreOptions options = OptionsWith(dir, faults);
  options.min_free_bytes = 64 * kMiB;
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(store.status().message(),
            absl::StrCat("not enough free disk space for data directory ", options.path,
                         ": 3.0 MiB free, the floor is 64.0 MiB; free some space (or lower the "
                         "floor) and start again"));
  EXPECT_EQ(ReasonOf(store.status()), "DISK_SPACE_LOW");
  EXPECT_FALSE(std::filesystem::exists(options.path));

  // An existing directory is left exactly as it was.
  faults->SetFreeBytes(std::nullopt);
  { ASSERT_TRUE(EventStore::Open(options).ok()); }
  const std::set<std::string> before = Listing(options.path);
  faults->SetFreeBytes(3 * kMiB);
  EXPECT_EQ(EventStore::Open(options).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Listing(options.path), before);
}

TEST(StoreOpenTest, EachFailureNamesItsCauseAndLeavesNothingBehind) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("data");
  { ASSERT_TRUE(WriteEvent(**EventStore::Open(options), 1).ok()); }

  {  // Locked by another open store.
    std::unique_ptr<EventStore> first = *EventStore::Open(options);
    absl::Status locked = EventStore::Open(options).status();
    EXPECT_EQ(locked.code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(std::string(locked.message()),
                StartsWith(absl::StrCat("data directory ", options.path,
                                        " is in use by another process (its LOCK is held: ")));
    EXPECT_EQ(ReasonOf(locked), "DATA_DIR_LOCKED");
  }
  const std::set<std::string> before = Listing(options.path);

  // A plain file.
  const std::string file = dir.Sub("file");
  std::ofstream(file) << "not a directory";
  StoreOptions on_file = options;
  on_file.path = file;
  absl::Status not_dir = EventStore::Open(on_file).status();
  EXPECT_EQ(not_dir.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(not_dir.message(), absl::StrCat("data directory ", file,
                                            " is not a directory (it is a regular file); give "
                                            "--data_dir a directory, or a path to create one"));
  EXPECT_EQ(ReasonOf(not_dir), "DATA_DIR_NOT_A_DIRECTORY");

  // CURRENT names a manifest that is not there.
  std::string current;
  std::getline(std::ifstream(options.path + "/CURRENT"), current);
  std::ofstream(options.path + "/CURRENT", std::ios::trunc) << "MANIFEST-999999\n";
  const std::set<std::string> damaged_before = Listing(options.path);
  absl::Status damaged = EventStore::Open(options).status();
  EXPECT_EQ(damaged.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(damaged.message()),
              StartsWith(absl::StrCat("data directory ", options.path,
                                      " is damaged and cannot be opened: ")));
  EXPECT_THAT(std::string(damaged.message()), HasSubstr("MANIFEST-999999"));
  EXPECT_THAT(std::string(damaged.message()), ::testing::EndsWith("; restore it from a backup"));
  EXPECT_EQ(ReasonOf(damaged), "DATA_DIR_DAMAGED");
  EXPECT_EQ(Listing(options.path), damaged_before);
  std::ofstream(options.path + "/CURRENT", std::ios::trunc) << current << "\n";
  EXPECT_EQ(Listing(options.path), before);
  EXPECT_TRUE(EventStore::Open(options).ok());

  // A parent that does not exist.
  StoreOptions orphan = options;
  orphan.path = dir.Sub("missing/data");
  absl::Status no_parent = EventStore::Open(orphan).status();
  EXPECT_EQ(no_parent.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(no_parent.message(), absl::StrCat("data directory ", orphan.path,
                                              " cannot be created: its parent directory does "
                                              "not exist"));
}

// RocksDB itself meets the full disk (no floor): the debug-asserting Debian
// RocksDB must not abort, nothing acknowledged is lost, and once space is
// back writes resume without a restart.
TEST(DiskFullTest, RocksDbMeetingAFullDiskNeverAbortsAndWritesResume) {
  TempDir dir;
  SmallFilesystem disk(dir.Sub("small"), 24 * kMiB);
  auto faults = std::make_shared<FaultInjector>();
  StoreOptions options;
  options.path = disk.path() + "/data";
  if (!disk.mounted()) {
    std::printf("note: cannot mount a tmpfs here; filling an injected file system instead\n");
    options.faults = faults;
  }
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  const std::string ballast = disk.path() + "/ballast";
  if (disk.mounted()) {
    ASSERT_GT(FillWithBallast(ballast, 6 * kMiB), 0u);
  }

  std::vector<uint64_t> acknowledged;
  absl::Status failed;
  for (uint64_t p = 1; p < 100000; ++p) {
    if (!disk.mounted() && p == 50) faults->FailWritesNoSpace(true);
    absl::Status written = WriteEvent(*store, p, 16 << 10);
    if (!written.ok()) {
      failed = written;
      break;
    }
    acknowledged.push_back(p);
  }
  ASSERT_FALSE(failed.ok()) << "the disk never filled";
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(failed), "STORAGE_SPACE_LOW") << failed;
  EXPECT_GT(acknowledged.size(), 10u);
  EXPECT_EQ(store->LastPosition(), acknowledged.back());
  EXPECT_EQ(store->ReadLog(acknowledged.back(), 1)->size(), 1u);

  // Free the space; writes resume by themselves.
  if (disk.mounted()) {
    ASSERT_TRUE(std::filesystem::remove(ballast));
  } else {
    faults->FailWritesNoSpace(false);
  }
  absl::Status resumed = AwaitWritable(*store);
  ASSERT_TRUE(resumed.ok()) << resumed;
  const uint64_t next = acknowledged.back() + 1;
  ASSERT_TRUE(WriteEvent(*store, next).ok());
  acknowledged.push_back(next);
  ExpectLogHolds(*store, acknowledged);

  store.reset();
  options.faults = nullptr;
  store = *EventStore::Open(options);
  ExpectLogHolds(*store, acknowledged);
}

}  // namespace
}  // namespace casework::storage
