// The event store's own contract: layout, reads, paging and format checks.
#include "storage/event_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/perf_context.h"
#include "rocksdb/perf_level.h"
#include "storage/backup.h"
#include "storage/keys.h"
#include "tests/support/test_support.h"

namespace casework::storage {
namespace {

using ::casework::testing::TempDir;

v1::EventEnvelope Event(const std::string& stream, int64_t version, uint64_t position) {
  v1::EventEnvelope e;
  e.set_stream(stream);
  e.set_stream_version(version);
  e.set_global_position(position);
  e.set_request_id("r");
  return e;
}

// A store in `dir` whose rows are q/a, q/b, q/c and r/a, each its own key.
std::unique_ptr<EventStore> StoreWithRows(const TempDir& dir) {
  StoreOptions options;
  options.path = dir.Sub("data");
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  StoreBatch batch = store->NewBatch();
  for (const char* key : {"q/a", "q/b", "q/c", "r/a"}) batch.PutRow(key, key);
  EXPECT_TRUE(store->Write(batch).ok());
  return store;
}

// Most of the writer's lookups are of keys that are not there (a new
// request id, a new natural key): the memtables' own bloom filters answer
// them without a search of the skip list.
TEST(EventStoreTest, LookupsOfAbsentKeysAreAnsweredByTheMemtablesFilters) {
  TempDir dir;
  std::unique_ptr<EventStore> store = StoreWithRows(dir);
  internal::RequestRecord record;
  record.set_method("casework.v1.ComplaintService/RecordComplaint");
  StoreBatch batch = store->NewBatch();
  batch.PutRequest(keys::RequestKey("police", "sent-once"), record);
  ASSERT_TRUE(store->Write(batch).ok());

  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::get_perf_context()->Reset();
  const absl::StatusOr<std::optional<std::string>> absent_row = store->GetRow("q/zz");
  const absl::StatusOr<std::optional<internal::RequestRecord>> absent_request =
      store->GetRequest(keys::RequestKey("police", "never-sent"));
  const uint64_t filtered = rocksdb::get_perf_context()->bloom_memtable_miss_count;
  const absl::StatusOr<std::optional<std::string>> row = store->GetRow("q/b");
  const absl::StatusOr<std::optional<internal::RequestRecord>> request =
      store->GetRequest(keys::RequestKey("police", "sent-once"));
  const uint64_t searched = rocksdb::get_perf_context()->bloom_memtable_hit_count;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);

  ASSERT_TRUE(absent_row.ok() && absent_request.ok() && row.ok() && request.ok());
  EXPECT_EQ(*absent_row, std::nullopt);
  EXPECT_EQ(*absent_request, std::nullopt);
  EXPECT_EQ(filtered, 2u);
  EXPECT_EQ(*row, "q/b");
  ASSERT_TRUE(request->has_value());
  EXPECT_EQ((*request)->method(), record.method());
  EXPECT_EQ(searched, 2u);
}

TEST(EventStoreTest, BackupsAskedForAtOnceAreTakenOneAfterTheOther) {
  TempDir dir;
  std::unique_ptr<EventStore> store = StoreWithRows(dir);
  const std::string backups = dir.Sub("backups");
  constexpr int kBackups = 4;
  std::vector<absl::StatusOr<BackupReport>> reports(kBackups, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kBackups; ++i) {
    threads.emplace_back([&, i] { reports[i] = store->Backup(backups, 0); });
  }
  for (std::thread& t : threads) t.join();
  std::vector<uint32_t> ids;
  for (const absl::StatusOr<BackupReport>& r : reports) {
    ASSERT_TRUE(r.ok()) << r.status();
    ids.push_back(r->id);
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<uint32_t>{1, 2, 3, 4}));
  absl::StatusOr<std::vector<BackupReport>> listed = ListBackups(backups);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 4u);
  for (const BackupReport& r : *listed) {
    EXPECT_TRUE(VerifyBackup(backups, r.id).ok()) << r.id;
  }
  // The last one restores the rows.
  store.reset();
  ASSERT_TRUE(RestoreBackup(backups, 0, dir.Sub("restored")).ok());
  StoreOptions options;
  options.path = dir.Sub("restored");
  std::unique_ptr<EventStore> restored = *EventStore::Open(options);
  absl::StatusOr<std::vector<StoredRow>> rows = restored->ScanRows("q/", "", 10);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size(), 3u);
}

TEST(KeysTest, BigEndianKeysSortNumerically) {
  EXPECT_LT(keys::LogKey(255), keys::LogKey(256));
  EXPECT_LT(keys::StreamKey("a/b", 9), keys::StreamKey("a/b", 10));
  // A stream's keys never interleave with a longer name's.
  EXPECT_LT(keys::StreamKey("a/b", INT64_MAX), keys::StreamKey("a/b1", 1));
  EXPECT_EQ(keys::GetBE64(keys::LogKey(0x0102030405060708ull)), 0x0102030405060708ull);
}

TEST(EventStoreTest, ReadsStreamsAndLogAndRecoversTheHeadOnReopen) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("data");
  {
    std::unique_ptr<EventStore> store = *EventStore::Open(options);
    EXPECT_EQ(store->LastPosition(), 0u);
    StoreBatch batch = store->NewBatch();
    batch.PutEvent(Event("partnerships/x/actions/1", 1, 1));
    batch.PutEvent(Event("partnerships/x/actions/2", 1, 2));
    batch.PutEvent(Event("partnerships/x/actions/1", 2, 3));
    ASSERT_TRUE(store->Write(batch).ok());
    EXPECT_EQ(store->LastPosition(), 3u);
  }
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  EXPECT_EQ(store->LastPosition(), 3u);
  EXPECT_EQ(*store->StreamVersion("partnerships/x/actions/1"), 2);
  EXPECT_EQ(*store->StreamVersion("partnerships/x/actions/3"), 0);
  std::vector<v1::EventEnvelope> stream = *store->ReadStream("partnerships/x/actions/1", 1, 10);
  ASSERT_EQ(stream.size(), 2u);
  EXPECT_EQ(stream[0].global_position(), 1u);
  EXPECT_EQ(stream[1].global_position(), 3u);
  std::vector<v1::EventEnvelope> page = *store->ReadLog(2, 1);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].stream(), "partnerships/x/actions/2");
  EXPECT_TRUE(store->ReadLog(4, 10)->empty());
}

TEST(EventStoreTest, RefusesADirectoryLockedByAnotherInstance) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("data");
  std::unique_ptr<EventStore> first = *EventStore::Open(options);
  absl::StatusOr<std::unique_ptr<EventStore>> second = EventStore::Open(options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

TEST(EventStoreTest, ScanRowsPagesByKey) {
  TempDir dir;
  std::unique_ptr<EventStore> store = StoreWithRows(dir);
  std::vector<StoredRow> first = *store->ScanRows("q/", "", 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].key, "q/b");
  std::vector<StoredRow> rest = *store->ScanRows("q/", first[1].key, 10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].key, "q/c");
  EXPECT_EQ(rest[0].value, "q/c");
}

// Rows under the prefix end up exactly as given: changed ones updated, new
// ones added, missing ones deleted, unchanged ones kept; rows outside the
// prefix untouched; of a key given twice, the later value.
TEST(EventStoreTest, ReplaceRowsLeavesExactlyTheGivenRowsUnderItsPrefix) {
  TempDir dir;
  std::unique_ptr<EventStore> store = StoreWithRows(dir);
  ASSERT_TRUE(store
                  ->ReplaceRows("q/", {{"q/d", "new"}, {"q/b", "changed"}, {"q/a", "q/a"},
                                       {"q/d", "newer"}})
                  .ok());
  std::vector<StoredRow> q = *store->ScanRows("q/", "", 10);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].key, "q/a");
  EXPECT_EQ(q[0].value, "q/a");
  EXPECT_EQ(q[1].key, "q/b");
  EXPECT_EQ(q[1].value, "changed");
  EXPECT_EQ(q[2].key, "q/d");
  EXPECT_EQ(q[2].value, "newer");
  EXPECT_EQ(*store->GetRow("r/a"), std::optional<std::string>("r/a"));
  EXPECT_EQ(*store->GetRow("q/c"), std::nullopt);
  // Nothing given: every row under the prefix goes.
  ASSERT_TRUE(store->ReplaceRows("q/", {}).ok());
  EXPECT_TRUE(store->ScanRows("q/", "", 10)->empty());
  EXPECT_EQ(store->ScanRows("r/", "", 10)->size(), 1u);
}

// Replacing in batches of any size (one operation each, a few, one for
// all) leaves exactly the rows a model says: random stored rows, random
// wanted ones with keys given twice, values the same or changed, and the
// rows of the neighbouring prefixes untouched. Beyond its first batch, a
// replacement goes into table files: with batches of 1 and 300 bytes, nearly
// all of these rows do, in one file or several.
TEST(EventStoreTest, ReplaceRowsInBatchesOfAnySizeMatchesAModel) {
  std::mt19937 random(7);
  for (size_t batch_bytes : {size_t{1}, size_t{300}, EventStore::kReplaceBatchBytes}) {
    TempDir dir;
    StoreOptions options;
    options.path = dir.Sub("data");
    std::unique_ptr<EventStore> store = *EventStore::Open(options);
    // What a replacement stopped by a crash left of its table files.
    const std::string replacing = options.path + "/replacing";
    auto leave_a_stopped_replacement = [&] {
      std::filesystem::create_directories(replacing);
      std::ofstream(replacing + "/0.sst") << "half a table file";
    };
    std::map<std::string, std::string> model;
    auto key = [&](const char* prefix) {
      return absl::StrCat(prefix, absl::Dec(random() % 400, absl::kZeroPad3));
    };
    StoreBatch batch = store->NewBatch();
    for (int i = 0; i < 300; ++i) {
      for (const char* prefix : {"p/", "q/", "r/"}) {
        const std::string k = key(prefix);
        const std::string v = absl::StrCat("v", random() % 3);
        batch.PutRow(k, v);
        model[k] = v;
      }
    }
    ASSERT_TRUE(store->Write(batch).ok());
    for (auto it = model.begin(); it != model.end();) {
      it = absl::StartsWith(it->first, "q/") ? model.erase(it) : std::next(it);
    }
    auto stored = [&] {
      std::map<std::string, std::string> out;
      for (const char* prefix : {"p/", "q/", "r/"}) {
        std::vector<StoredRow> rows = *store->ScanRows(prefix, "", 1000);
        for (StoredRow& row : rows) out[row.key] = row.value;
      }
      return out;
    };
    // In no order, keys given twice.
    std::vector<StoredRow> given;
    for (int i = 0; i < 350; ++i) {
      StoredRow row{key("q/"), absl::StrCat("v", random() % 3)};
      model[row.key] = row.value;  // the later of a key given twice
      given.push_back(std::move(row));
    }
    std::vector<EventStore::KeyValue> wanted;
    for (const StoredRow& row : given) wanted.emplace_back(row.key, row.value);
    leave_a_stopped_replacement();
    ASSERT_TRUE(store->ReplaceRows("q/", wanted, batch_bytes).ok());
    EXPECT_EQ(stored(), model) << "batches of " << batch_bytes << " bytes, in no order";
    EXPECT_FALSE(std::filesystem::exists(replacing));
    // Already in order, each key once.
    std::map<std::string, std::string> sorted;
    for (int i = 0; i < 200; ++i) sorted[key("q/")] = absl::StrCat("v", random() % 3);
    for (auto it = model.begin(); it != model.end();) {
      it = absl::StartsWith(it->first, "q/") ? model.erase(it) : std::next(it);
    }
    model.insert(sorted.begin(), sorted.end());
    ASSERT_TRUE(store->ReplaceRows("q/", {sorted.begin(), sorted.end()}, batch_bytes).ok());
    EXPECT_EQ(stored(), model) << "batches of " << batch_bytes << " bytes, in order";
    // The table files taken in are the store's own: they outlive a reopen.
    store.reset();
    store = *EventStore::Open(options);
    EXPECT_EQ(stored(), model) << "batches of " << batch_bytes << " bytes, reopened";
    // And a backup holds them like any other table file.
    if (batch_bytes == 1) {
      const std::string backups = dir.Sub("backups");
      absl::StatusOr<BackupReport> taken = store->Backup(backups, 0);
      ASSERT_TRUE(taken.ok()) << taken.status();
      EXPECT_TRUE(VerifyBackup(backups, taken->id).ok());
      store.reset();
      ASSERT_TRUE(RestoreBackup(backups, 0, dir.Sub("restored")).ok());
      options.path = dir.Sub("restored");
      store = *EventStore::Open(options);
      EXPECT_EQ(stored(), model) << "restored from a backup";
    }
  }
}

// Timers replaced in batches of one operation each end as given: added,
// deleted, changed and kept.
TEST(EventStoreTest, ReplaceTimersInSmallBatchesLeavesExactlyTheGivenTimers) {
  TempDir dir;
  std::unique_ptr<EventStore> store = StoreWithRows(dir);
  auto timers = [](std::initializer_list<std::pair<int, const char*>> ids) {
    std::map<std::string, internal::TimerRecord> out;
    for (const auto& [id, name] : ids) {
      internal::TimerRecord record;
      record.set_stream(absl::StrCat("partnerships/eastbrook/actions/", id));
      record.set_name(name);
      out.emplace(absl::StrCat("t/", id), record);
    }
    return out;
  };
  auto stored = [&] {
    std::vector<std::string> keys;
    const auto all = *store->AllTimers();
    for (const auto& [key, record] : all) keys.push_back(absl::StrCat(key, "=", record.name()));
    return keys;
  };
  ASSERT_TRUE(store->ReplaceTimers(timers({{1, "due"}, {2, "due"}, {3, "due"}}), 1).ok());
  EXPECT_EQ(stored(), (std::vector<std::string>{"t/1=due", "t/2=due", "t/3=due"}));
  ASSERT_TRUE(store->ReplaceTimers(timers({{2, "due"}, {3, "overdue"}, {4, "due"}}), 1).ok());
  EXPECT_EQ(stored(), (std::vector<std::string>{"t/2=due", "t/3=overdue", "t/4=due"}));
  ASSERT_TRUE(store->ReplaceTimers({}).ok());
  EXPECT_EQ(stored(), (std::vector<std::string>{}));
}

// Every scan (reading ahead or not, opening or not) hands out every event
// of a log of several chunks in order, from any position, and stops when
// asked.
TEST(EventStoreTest, ScansTheLogInChunksWithAndWithoutReadingAhead) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("data");
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  constexpr uint64_t kEvents = 5000;  // the largest chunk is 2,048 events
  StoreBatch batch = store->NewBatch();
  for (uint64_t p = 1; p <= kEvents; ++p) {
    batch.PutEvent(Event(absl::StrCat("partnerships/x/actions/", p % 7), (p + 6) / 7, p));
  }
  ASSERT_TRUE(store->Write(batch).ok());
  using Fn = std::function<bool(const v1::EventEnvelope&)>;
  using Scan = std::function<absl::Status(uint64_t, const Fn&)>;
  const EventStore& log = *store;
  const std::vector<Scan> scans = {
      [&](uint64_t from, const Fn& fn) { return log.ScanLog(from, fn); },
      [&](uint64_t from, const Fn& fn) { return log.ScanLogReadingAhead(from, fn); },
      [&](uint64_t from, const Fn& fn) {
        return log.ScanLogReadingAhead(from, fn, /*open=*/false);
      }};
  for (const Scan& scan : scans) {
    std::vector<uint64_t> positions;
    ASSERT_TRUE(scan(1, [&](const v1::EventEnvelope& e) {
                  positions.push_back(e.global_position());
                  return true;
                }).ok());
    ASSERT_EQ(positions.size(), kEvents);
    for (uint64_t i = 0; i < kEvents; ++i) ASSERT_EQ(positions[i], i + 1);

    // From the middle of the second chunk, stopping inside the third.
    positions.clear();
    ASSERT_TRUE(scan(3000, [&](const v1::EventEnvelope& e) {
                  positions.push_back(e.global_position());
                  EXPECT_EQ(e.stream(), absl::StrCat("partnerships/x/actions/",
                                                     e.global_position() % 7));
                  return positions.size() < 1500;
                }).ok());
    ASSERT_EQ(positions.size(), 1500u);
    EXPECT_EQ(positions.front(), 3000u);
    EXPECT_EQ(positions.back(), 4499u);

    // Past the end: nothing.
    positions.clear();
    ASSERT_TRUE(scan(kEvents + 1, [&](const v1::EventEnvelope& e) {
                  positions.push_back(e.global_position());
                  return true;
                }).ok());
    EXPECT_TRUE(positions.empty());
  }
}

// A batch is written with each family's keys in key order (for the
// memtable's sake), yet means what it staged: a key's own puts and deletes
// keep their order.
TEST(EventStoreTest, ABatchStagedOutOfKeyOrderMeansWhatItStaged) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("data");
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  StoreBatch batch = store->NewBatch();
  batch.PutEvent(Event("partnerships/x/actions/2", 1, 1));
  batch.PutRow("q/c", "c1");
  batch.PutRow("q/b", "b1");
  batch.DeleteRow("q/b");                  // put, then delete: gone
  batch.PutEvent(Event("partnerships/x/actions/1", 1, 2));
  batch.DeleteRow("q/d");
  batch.PutRow("q/d", "d1");               // delete, then put: there
  batch.PutRow("q/a", "a1");
  batch.PutRow("q/c", "c2");               // the later put wins
  batch.PutSequence("z", 7);
  batch.PutSequence("a", 3);
  ASSERT_EQ(batch.count(), 13);  // an event is two entries: the log and its stream index
  ASSERT_TRUE(store->Write(batch).ok());
  for (int reopen = 0; reopen < 2; ++reopen) {
    SCOPED_TRACE(reopen == 0 ? "as written" : "after a reopen");
    absl::StatusOr<std::vector<StoredRow>> rows = store->ScanRows("q/", "", 10);
    ASSERT_TRUE(rows.ok()) << rows.status();
    std::vector<std::pair<std::string, std::string>> got;
    for (const StoredRow& row : *rows) got.emplace_back(row.key, row.value);
    EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{
                       {"q/a", "a1"}, {"q/c", "c2"}, {"q/d", "d1"}}));
    absl::StatusOr<std::vector<v1::EventEnvelope>> log = store->ReadLog(1, 10);
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_EQ(log->size(), 2u);
    EXPECT_EQ((*log)[0].stream(), "partnerships/x/actions/2");
    EXPECT_EQ((*log)[1].stream(), "partnerships/x/actions/1");
    EXPECT_EQ(*store->StreamVersion("partnerships/x/actions/1"), 1);
    EXPECT_EQ(*store->GetSequence("z"), 7);
    EXPECT_EQ(*store->GetSequence("a"), 3);
    store.reset();
    store = *EventStore::Open(options);
  }
}

// A fold of the whole log (a rebuild, a check, an export) reads every
// block of it once: it keeps none of them in the block cache, where they
// would evict what serving reads. A page of the log, read again by the
// next reader of the feed, is kept.
TEST(EventStoreTest, AScanOfTheWholeLogLeavesTheBlockCacheAsItWas) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("data");
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  constexpr uint64_t kEvents = 3000;
  StoreBatch batch = store->NewBatch();
  for (uint64_t p = 1; p <= kEvents; ++p) {
    v1::EventEnvelope e = Event(absl::StrCat("partnerships/x/actions/", p % 7), (p + 6) / 7, p);
    e.set_request_id(std::string(300, static_cast<char>('a' + p % 26)));
    batch.PutEvent(e);
  }
  ASSERT_TRUE(store->Write(batch).ok());
  ASSERT_TRUE(store->CompactAll().ok());  // the log in table files, not the memtable
  const uint64_t before = store->Properties().block_cache_bytes;
  uint64_t seen = 0;
  auto count = [&](const v1::EventEnvelope&) { return ++seen > 0; };
  ASSERT_TRUE(store->ScanLogReadingAhead(1, count).ok());
  ASSERT_EQ(seen, kEvents);
  EXPECT_EQ(store->Properties().block_cache_bytes, before);
  seen = 0;
  ASSERT_TRUE(store->ScanLog(1, count).ok());
  ASSERT_EQ(seen, kEvents);
  // 3,000 events of some 350 bytes: at least the 1 MB of their blocks.
  EXPECT_GT(store->Properties().block_cache_bytes, before + (1u << 20));
}

}  // namespace
}  // namespace casework::storage
