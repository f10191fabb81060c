// Writes and disk space: the free-space floor and data cap, a write that
// meets a full disk, and reopening RocksDB once space is back (the contract
// is in storage/event_store.h).
#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"
#include "rocksdb/sst_file_manager.h"
#include "rocksdb/transaction_log.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "storage/store_internal.h"
#include "workflow/common/status.h"

namespace casework::storage {

using store_internal::DirSnapshot;
using store_internal::IsSpaceError;
using store_internal::kMiB;
using store_internal::LogLine;
using store_internal::Mib;
using store_internal::OpenHandles;
using store_internal::ReadHead;
using store_internal::Snapshot;
using store_internal::StatFree;
using store_internal::TakeBack;

namespace {
// After a write met a full disk, reopening RocksDB is tried at most this often.
constexpr auto kReopenRetry = std::chrono::seconds(1);
}  // namespace

uint64_t EventStore::FreeBytes() const {
  if (options_.faults && options_.faults->free_bytes().has_value()) {
    return *options_.faults->free_bytes();
  }
  // If the kernel cannot say, nothing is refused for it.
  return StatFree(options_.path).value_or(UINT64_MAX);
}

uint64_t EventStore::DataBytes() const {
  absl::ReaderMutexLock lock(&db_mu_);
  if (h_ == nullptr || h_->sst_files == nullptr) return 0;
  return h_->sst_files->GetTotalSize();
}

StoreProperties EventStore::Properties() const {
  StoreProperties p;
  p.free_bytes = FreeBytes();
  absl::ReaderMutexLock lock(&db_mu_);
  if (h_ == nullptr || h_->db == nullptr) return p;
  rocksdb::DB& db = *h_->db;
  if (h_->sst_files != nullptr) p.table_bytes = h_->sst_files->GetTotalSize();
  rocksdb::VectorLogPtr wal_files;
  if (db.GetSortedWalFiles(wal_files).ok()) {
    for (const auto& file : wal_files) p.wal_bytes += file->SizeFileBytes();
  }
  auto sum = [&](const std::string& property) {
    uint64_t total = 0;
    for (rocksdb::ColumnFamilyHandle* family : h_->all) {
      uint64_t value = 0;
      if (db.GetIntProperty(family, property, &value)) total += value;
    }
    return total;
  };
  auto one = [&](const std::string& property) {
    uint64_t value = 0;
    db.GetIntProperty(property, &value);
    return value;
  };
  p.memtable_bytes = sum(rocksdb::DB::Properties::kSizeAllMemTables);
  p.pending_compaction_bytes = sum(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
  p.block_cache_bytes = one(rocksdb::DB::Properties::kBlockCacheUsage);
  p.block_cache_capacity = one(rocksdb::DB::Properties::kBlockCacheCapacity);
  p.table_readers_bytes = sum(rocksdb::DB::Properties::kEstimateTableReadersMem);
  p.running_compactions = one(rocksdb::DB::Properties::kNumRunningCompactions);
  p.writes_stopped = one(rocksdb::DB::Properties::kIsWriteStopped) != 0;
  p.delayed_write_rate = one(rocksdb::DB::Properties::kActualDelayedWriteRate);
  return p;
}

namespace {

// A batch's puts and deletes in the order staged, as slices of its own
// encoding. Anything else (which a StoreBatch never stages) marks it
// `other`: the defaults of Handler would drop some of them silently.
class BatchEntries final : public rocksdb::WriteBatch::Handler {
 public:
  struct Entry {
    uint32_t family;
    rocksdb::Slice key;
    rocksdb::Slice value;
    bool put;  // else a delete
  };
  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    entries.push_back({family, key, value, true});
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t family, const rocksdb::Slice& key) override {
    entries.push_back({family, key, {}, false});
    return rocksdb::Status::OK();
  }
  rocksdb::Status SingleDeleteCF(uint32_t, const rocksdb::Slice&) override { return Other(); }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Other();
  }
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Other();
  }
  void LogData(const rocksdb::Slice&) override { other = true; }

  std::vector<Entry> entries;
  bool other = false;

 private:
  rocksdb::Status Other() {
    other = true;
    return rocksdb::Status::NotSupported("an entry a StoreBatch does not stage");
  }
};

// `entries` put in key order within each family, a key's own entries in
// the order staged (a stable sort), and encoded again; nullopt if they were
// in that order already (a rebuild's range of one family) or name a family
// `families` does not hold.
std::optional<rocksdb::WriteBatch> InKeyOrder(std::vector<BatchEntries::Entry>& entries,
                                              EventStore::Families& families, size_t bytes) {
  auto less = [](const BatchEntries::Entry& a, const BatchEntries::Entry& b) {
    return a.family != b.family ? a.family < b.family : a.key.compare(b.key) < 0;
  };
  if (std::is_sorted(entries.begin(), entries.end(), less)) return std::nullopt;
  std::stable_sort(entries.begin(), entries.end(), less);
  store_internal::FamilyRef* refs[] = {&families.meta,  &families.log,      &families.streams,
                                       &families.state, &families.requests, &families.rows,
                                       &families.timers};
  rocksdb::WriteBatch sorted(bytes);
  for (const BatchEntries::Entry& e : entries) {
    auto ref = std::find_if(std::begin(refs), std::end(refs), [&](const auto* r) {
      return r->GetID() == e.family;
    });
    if (ref == std::end(refs)) return std::nullopt;
    (e.put ? sorted.Put(*ref, e.key, e.value) : sorted.Delete(*ref, e.key)).PermitUncheckedError();
  }
  return sorted;
}

// Whether `entries` add an event to a stream `watch` picks (a key of the
// streams family is the stream, a NUL and the version: keys::StreamKey).
bool AddsToWatched(const std::vector<BatchEntries::Entry>& entries, uint32_t streams,
                   const StreamWatch& watch) {
  constexpr size_t kVersionSuffix = 9;
  for (const BatchEntries::Entry& e : entries) {
    if (e.family != streams || e.key.size() < kVersionSuffix) continue;
    if (watch.Picks(absl::string_view(e.key.data(), e.key.size() - kVersionSuffix))) return true;
  }
  return false;
}

}  // namespace

std::shared_ptr<const StreamWatch> EventStore::WatchStreams(
    std::function<bool(absl::string_view stream)> picks) {
  auto watch = std::make_shared<StreamWatch>(std::move(picks));
  absl::MutexLock lock(&watches_mu_);
  watches_.push_back(watch);
  return watch;
}

void EventStore::InvalidateReaders() {
  parsed_rows_->Clear();
  absl::MutexLock lock(&watches_mu_);
  for (const std::shared_ptr<StreamWatch>& watch : watches_) watch->Raise();
}

absl::Status EventStore::Write(StoreBatch& batch) {
  absl::MutexLock lock(&write_mu_);
  if (!write_error_.ok()) return write_error_;
  if (options_.min_free_bytes > 0 || options_.max_data_bytes > 0 || space_low_ ||
      needs_reopen_) {
    RETURN_IF_ERROR(CheckSpaceLocked(nullptr));
  }
  // Keys the batch's sealed fields need are durable first: made ahead of
  // need, or else written now (a crash between the two writes leaves an
  // unused key, never a field no key opens). A name's binding to a key made
  // ahead rides in this batch, as do deletions of bindings the key store
  // now holds durably (privacy/key_store.h).
  std::vector<privacy::KeyStore::Binding> bindings;
  if (options_.sealer != nullptr) {
    privacy::KeyStore& key_store = options_.sealer->keys();
    absl::StatusOr<std::vector<privacy::KeyStore::Binding>> taken = key_store.TakeBindings();
    if (!taken.ok()) {
      return ErrorWithReason(absl::StatusCode::kUnavailable, "KEY_STORE_WRITE_FAILED",
                             taken.status().message());
    }
    bindings = *std::move(taken);
    rocksdb::WriteBatch& b = batch.impl_->batch;
    for (const privacy::KeyStore::Binding& binding : bindings) {
      b.Put(&families_->meta, keys::KeyBindingKey(binding.key_id),
            absl::StrCat(binding.name_hash, ":", binding.generation))
          .PermitUncheckedError();
    }
    for (const std::string& id : key_store.TakeSettled()) {
      b.Delete(&families_->meta, keys::KeyBindingKey(id)).PermitUncheckedError();
    }
  }
  // One pass over the batch, for two uses: its order and the rows it
  // changes. RocksDB inserts a batch into each family's memtable entry by
  // entry, and its skip list starts each search where the previous insert
  // ended; the commands of a group stage keys from all over the key space,
  // and in key order consecutive inserts share most of their search. The
  // batch as staged is kept while the sorted one is written: the entries'
  // slices point into it.
  BatchEntries staged;
  staged.entries.reserve(batch.impl_->batch.Count());
  const bool iterated = batch.impl_->batch.Iterate(&staged).ok() && !staged.other;
  rocksdb::WriteBatch as_staged;
  if (iterated) {
    std::optional<rocksdb::WriteBatch> sorted =
        InKeyOrder(staged.entries, *families_, batch.impl_->batch.GetDataSize());
    if (sorted.has_value()) as_staged = std::exchange(batch.impl_->batch, *std::move(sorted));
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status s;
  absl::Status closed;
  {
    absl::ReaderMutexLock db_lock(&db_mu_);
    absl::StatusOr<const Handles*> h = Db();
    if (h.ok()) {
      s = (*h)->db->Write(wo, &batch.impl_->batch);
    } else {
      closed = h.status();
    }
  }
  if (options_.sealer != nullptr) {
    options_.sealer->keys().BindingsWritten(bindings, closed.ok() && s.ok());
  }
  RETURN_IF_ERROR(closed);
  if (!s.ok()) {
    // What this batch left behind is unknown until a reopen reads it.
    InvalidateReaders();
    return WriteFailedLocked(s);
  }
  // Before the writer acknowledges anything: no reader finds a row parsed
  // before this batch changed it (storage/parsed_rows.h).
  if (parsed_rows_->max_entry_bytes() > 0) {
    if (iterated) {
      std::vector<absl::string_view> changed;
      for (const BatchEntries::Entry& e : staged.entries) {
        if (e.family == families_->rows.GetID()) changed.emplace_back(e.key.data(), e.key.size());
      }
      parsed_rows_->Invalidate(changed);
    } else {
      parsed_rows_->Clear();
    }
  }
  {
    absl::MutexLock watching(&watches_mu_);
    for (const std::shared_ptr<StreamWatch>& watch : watches_) {
      if (!iterated || AddsToWatched(staged.entries, families_->streams.GetID(), *watch)) {
        watch->Raise();
      }
    }
  }
  if (batch.last_position() > 0) {
    last_position_.store(batch.last_position(), std::memory_order_release);
    if (commit_listener_) commit_listener_(batch.last_position());
  }
  return absl::OkStatus();
}

void EventStore::SetCommitListener(std::function<void(uint64_t)> listener) {
  absl::MutexLock lock(&write_mu_);
  commit_listener_ = std::move(listener);
}

absl::Status EventStore::WriteFailedLocked(const rocksdb::Status& s) {
  {
    // Only the destructor reads the flag; writers set it holding write_mu_.
    absl::ReaderMutexLock db_lock(&db_mu_);
    if (IsSpaceError(s) && h_ != nullptr) h_->flush_on_close = false;
  }
  writes_ok_.store(false);
  if (IsSpaceError(s)) {
    // Not acknowledged. This RocksDB instance's write-ahead log may be left
    // half-written: it is never written again, only reopened once space is
    // back (CheckSpaceLocked).
    needs_reopen_ = true;
    space_low_ = true;
    space_error_ = ErrorWithReason(
        absl::StatusCode::kUnavailable, "STORAGE_SPACE_LOW",
        absl::StrCat("writes refused: the disk of data directory ", options_.path, " is full (",
                     s.ToString(), "); reads keep working and writes resume once space is freed"));
    LogLine(absl::StrCat("storage: ", space_error_.message()));
    return space_error_;
  }
  write_error_ = ErrorWithReason(
      absl::StatusCode::kUnavailable, "STORAGE_WRITE_FAILED",
      absl::StrCat("storage write failed; writes are disabled until the service is restarted: ",
                   s.ToString()));
  LogLine(absl::StrCat("storage: ", write_error_.message()));
  return write_error_;
}

absl::Status EventStore::write_status() {
  if (writes_ok_.load()) return absl::OkStatus();
  absl::MutexLock lock(&write_mu_);
  return CheckSpaceLocked(nullptr);
}

SpaceReport EventStore::CheckSpace() {
  SpaceReport report;
  absl::MutexLock lock(&write_mu_);
  report.writes = CheckSpaceLocked(&report);
  return report;
}

absl::Status EventStore::CheckSpaceLocked(SpaceReport* report) {
  const uint64_t floor = options_.min_free_bytes;
  const uint64_t free_bytes = FreeBytes();
  const uint64_t data_bytes = DataBytes();
  if (report != nullptr) {
    report->free_bytes = free_bytes;
    report->data_bytes = data_bytes;
  }
  if (!write_error_.ok()) {
    writes_ok_.store(false);
    return write_error_;
  }
  // Refuse below the floor; once refused, resume only above floor + 1/8 (at
  // most 64 MiB more), so that writes do not flap around the floor.
  const uint64_t resume_at = floor + std::min<uint64_t>(floor / 8, 64 * kMiB);
  const uint64_t threshold = space_low_ ? resume_at : floor;
  absl::Status refused;
  if (floor > 0 && free_bytes < threshold) {
    refused = ErrorWithReason(
        absl::StatusCode::kUnavailable, "STORAGE_SPACE_LOW",
        absl::StrCat("writes refused: ", Mib(free_bytes), " free on the filesystem of data "
                     "directory ", options_.path, ", below the floor of ", Mib(floor),
                     "; reads keep working and writes resume once more than ",
                     Mib(resume_at), " is free"));
  } else if (options_.max_data_bytes > 0 && data_bytes >= options_.max_data_bytes) {
    refused = ErrorWithReason(
        absl::StatusCode::kUnavailable, "STORAGE_SPACE_LOW",
        absl::StrCat("writes refused: data directory ", options_.path, " holds ",
                     Mib(data_bytes), " of tables, at its cap of ",
                     Mib(options_.max_data_bytes), "; reads keep working and writes resume "
                     "once the cap is raised"));
  }
  if (!refused.ok()) {
    if (!space_low_) LogLine(absl::StrCat("storage: ", refused.message()));
    space_low_ = true;
    space_error_ = refused;
    writes_ok_.store(false);
    return refused;
  }
  if (needs_reopen_) {
    absl::Status reopened = ReopenLocked();
    if (!reopened.ok()) {
      writes_ok_.store(false);
      return reopened;
    }
    needs_reopen_ = false;
  }
  if (space_low_) {
    space_low_ = false;
    space_error_ = absl::OkStatus();
    LogLine(absl::StrCat("storage: writes resumed: ", Mib(free_bytes),
                         " free on the filesystem of data directory ", options_.path));
  }
  writes_ok_.store(true);
  return absl::OkStatus();
}

absl::Status EventStore::ReopenLocked() {
  // After a failed attempt, try again at most every kReopenRetry.
  const absl::Time now = absl::Now();
  if (now - last_reopen_attempt_ < absl::FromChrono(kReopenRetry)) return space_error_;
  last_reopen_attempt_ = now;
  absl::WriterMutexLock lock(&db_mu_);
  if (h_ != nullptr) h_->flush_on_close = false;
  h_.reset();
  const DirSnapshot before = Snapshot(options_.path, /*created=*/false);
  rocksdb::Status s;
  std::unique_ptr<Handles> fresh = OpenHandles(options_, /*read_only=*/false, &s);
  if (!s.ok()) {
    fresh.reset();
    TakeBack(options_.path, before);
    // Keep serving reads from a read-only instance until a reopen succeeds.
    rocksdb::Status ro_status;
    std::unique_ptr<Handles> read_only = OpenHandles(options_, /*read_only=*/true, &ro_status);
    if (ro_status.ok()) h_ = std::move(read_only);
    space_error_ = ErrorWithReason(
        absl::StatusCode::kUnavailable, "STORAGE_SPACE_LOW",
        absl::StrCat("writes refused: data directory ", options_.path,
                     " could not be reopened after its disk filled (", s.ToString(),
                     "); reads keep working and caseworkd tries again"));
    LogLine(absl::StrCat("storage: ", space_error_.message()));
    return space_error_;
  }
  absl::StatusOr<uint64_t> head = ReadHead(*fresh);
  const uint64_t acknowledged = last_position_.load(std::memory_order_acquire);
  if (!head.ok() || *head != acknowledged) {
    // The write that met the full disk reached the log after all: what the
    // engine holds in memory no longer matches the store. Only a restart
    // (which reads everything afresh) may write again.
    h_ = std::move(fresh);
    write_error_ = ErrorWithReason(
        absl::StatusCode::kUnavailable, "STORAGE_WRITE_FAILED",
        absl::StrCat("storage write failed; writes are disabled until the service is "
                     "restarted: after the disk of data directory ", options_.path,
                     " filled, its log ends at position ",
                     head.ok() ? absl::StrCat(*head) : std::string(head.status().message()),
                     " but the last acknowledged position is ", acknowledged));
    LogLine(absl::StrCat("storage: ", write_error_.message()));
    return write_error_;
  }
  h_ = std::move(fresh);
  LogLine(absl::StrCat("storage: data directory ", options_.path,
                       " reopened after its disk filled; nothing acknowledged was lost"));
  return absl::OkStatus();
}

}  // namespace casework::storage
