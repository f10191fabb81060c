// Batches and reads (the store's contract is in storage/event_store.h; its
// other parts are listed in storage/store_internal.h).
#include "storage/event_store.h"

#include <algorithm>
#include <future>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "storage/store_internal.h"
#include "workflow/common/status.h"

namespace casework::storage {

using store_internal::FromRocks;
using store_internal::ToSlice;
using store_internal::View;

StoreBatch::StoreBatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StoreBatch::~StoreBatch() = default;
StoreBatch::StoreBatch(StoreBatch&&) noexcept = default;
StoreBatch& StoreBatch::operator=(StoreBatch&&) noexcept = default;

void StoreBatch::PutEvent(const v1::EventEnvelope& event) {
  std::string bytes = event.SerializeAsString();
  std::string position;
  keys::PutBE64(&position, event.global_position());
  // Intentionally ignored: WriteBatch::Put only fails on oversized entries.
  impl_->batch.Put(&impl_->f->log, position, bytes).PermitUncheckedError();
  impl_->batch.Put(&impl_->f->streams, keys::StreamKey(event.stream(), event.stream_version()),
                   position).PermitUncheckedError();
  if (event.global_position() > last_position_) last_position_ = event.global_position();
}

void StoreBatch::PutState(absl::string_view stream, const internal::StateRecord& record) {
  impl_->batch.Put(&impl_->f->state, ToSlice(stream), record.SerializeAsString())
      .PermitUncheckedError();
}

void StoreBatch::PutRequest(absl::string_view key, const internal::RequestRecord& record) {
  impl_->batch.Put(&impl_->f->requests, ToSlice(key), record.SerializeAsString())
      .PermitUncheckedError();
}

void StoreBatch::PutSequence(absl::string_view name, int64_t value) {
  std::string v;
  keys::PutBE64(&v, static_cast<uint64_t>(value));
  impl_->batch.Put(&impl_->f->meta, keys::SequenceKey(name), v).PermitUncheckedError();
}

void StoreBatch::PutRow(absl::string_view key, absl::string_view value) {
  impl_->batch.Put(&impl_->f->rows, ToSlice(key), ToSlice(value)).PermitUncheckedError();
}

void StoreBatch::DeleteRow(absl::string_view key) {
  impl_->batch.Delete(&impl_->f->rows, ToSlice(key)).PermitUncheckedError();
}

void StoreBatch::PutTimer(absl::string_view key, const internal::TimerRecord& record) {
  impl_->batch.Put(&impl_->f->timers, ToSlice(key), record.SerializeAsString())
      .PermitUncheckedError();
}

void StoreBatch::DeleteTimer(absl::string_view key) {
  impl_->batch.Delete(&impl_->f->timers, ToSlice(key)).PermitUncheckedError();
}

int StoreBatch::count() const { return static_cast<int>(impl_->batch.Count()); }

size_t StoreBatch::bytes() const { return impl_->batch.GetDataSize(); }

absl::Status EventStore::OpenEvent(v1::EventEnvelope& event) const {
  if (options_.sealer == nullptr) return absl::OkStatus();
  return options_.sealer->Open(&event);
}

absl::StatusOr<std::string> EventStore::OpenRow(std::string value, bool remember) const {
  if (options_.sealer == nullptr || !absl::StartsWith(value, privacy::kSealedRowPrefix)) {
    return value;
  }
  if (!remember) return options_.sealer->OpenSerialized(std::move(value));
  if (std::optional<std::string> kept = opened_rows_->Find(value)) return *std::move(kept);
  const uint64_t generation = opened_rows_->generation();
  ASSIGN_OR_RETURN(std::string opened, options_.sealer->OpenSerialized(value));
  opened_rows_->Put(std::move(value), opened, generation);
  return opened;
}

absl::StatusOr<const EventStore::Handles*> EventStore::Db() const {
  if (h_ == nullptr || h_->db == nullptr) {
    return ErrorWithReason(absl::StatusCode::kUnavailable, "STORAGE_UNAVAILABLE",
                           absl::StrCat("data directory ", options_.path,
                                        " is not open: reopening it after the disk filled "
                                        "failed; caseworkd retries, or restart it"));
  }
  return h_.get();
}

absl::StatusOr<std::vector<v1::EventEnvelope>> EventStore::ReadStream(
    absl::string_view stream, int64_t from_version, int limit, bool open) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  std::vector<std::string> positions;
  const std::string prefix = keys::StreamPrefix(stream);
  {
    std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(rocksdb::ReadOptions(), h->streams));
    for (it->Seek(keys::StreamKey(stream, std::max<int64_t>(from_version, 1)));
         it->Valid() && static_cast<int>(positions.size()) < limit; it->Next()) {
      if (!it->key().starts_with(prefix)) break;
      positions.push_back(it->value().ToString());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading stream index");
  }
  std::vector<rocksdb::Slice> slices(positions.begin(), positions.end());
  std::vector<std::string> values(positions.size());
  std::vector<rocksdb::Status> statuses = h->db->MultiGet(
      rocksdb::ReadOptions(), std::vector<rocksdb::ColumnFamilyHandle*>(slices.size(), h->log),
      slices, &values);
  std::vector<v1::EventEnvelope> events(positions.size());
  for (size_t i = 0; i < positions.size(); ++i) {
    if (!statuses[i].ok()) {
      return absl::DataLossError(absl::StrCat("stream ", stream, " indexes log position ",
                                              keys::GetBE64(positions[i]),
                                              " which cannot be read: ", statuses[i].ToString()));
    }
    if (!events[i].ParseFromString(values[i])) {
      return absl::DataLossError(absl::StrCat("corrupt event at log position ",
                                              keys::GetBE64(positions[i])));
    }
    if (open) RETURN_IF_ERROR(OpenEvent(events[i]));
  }
  return events;
}

absl::StatusOr<std::vector<v1::EventEnvelope>> EventStore::ReadLog(uint64_t from_position,
                                                                   int limit) const {
  std::vector<v1::EventEnvelope> events;
  absl::Status status = ScanLog(from_position, [&](const v1::EventEnvelope& e) {
    events.push_back(e);
    return static_cast<int>(events.size()) < limit;
  });
  if (!status.ok()) return status;
  return events;
}

absl::Status EventStore::ReadLogChunk(uint64_t from, size_t max_events, bool open,
                                      bool fill_cache, LogChunk& chunk) const {
  constexpr size_t kChunkBytes = 4 << 20;
  chunk.used = 0;
  chunk.more = false;
  {
    absl::ReaderMutexLock lock(&db_mu_);
    ASSIGN_OR_RETURN(const Handles* h, Db());
    // RocksDB's own readahead, which grows from 8 KiB as the reads prove
    // sequential: a fixed one would be read again in full by each chunk's
    // new iterator.
    rocksdb::ReadOptions read;
    read.fill_cache = fill_cache;
    std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(read, h->log));
    size_t bytes = 0;
    for (it->Seek(keys::LogKey(from)); it->Valid(); it->Next()) {
      if (chunk.used >= max_events || bytes >= kChunkBytes) {
        chunk.more = true;
        break;
      }
      if (chunk.used == chunk.events.size()) chunk.events.emplace_back();
      v1::EventEnvelope& event = chunk.events[chunk.used++];
      if (!event.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError(absl::StrCat("corrupt event at log position ",
                                                keys::GetBE64(View(it->key()))));
      }
      bytes += it->value().size();
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  }
  // Opened outside the lock: opening may read the key store.
  if (open) {
    for (size_t i = 0; i < chunk.used; ++i) RETURN_IF_ERROR(OpenEvent(chunk.events[i]));
  }
  return absl::OkStatus();
}

namespace {
// The first chunk of a scan is small, as a page of a feed or of ReadLog
// needs few events; each next one is twice as large, up to the largest.
constexpr size_t kFirstChunkEvents = 64;
constexpr size_t kLargestChunkEvents = 2048;
}  // namespace

absl::Status EventStore::ScanLog(
    uint64_t from_position, const std::function<bool(const v1::EventEnvelope&)>& fn) const {
  // Chunks of events are read under the lock and handed to `fn` outside it,
  // so `fn` may call back into the store. Each event is opened as `fn` is
  // about to see it: a caller that stops early opens no more than it needs.
  size_t chunk_events = kFirstChunkEvents;
  uint64_t next = std::max<uint64_t>(from_position, 1);
  LogChunk chunk;
  for (;;) {
    RETURN_IF_ERROR(ReadLogChunk(next, chunk_events, /*open=*/false, /*fill_cache=*/true, chunk));
    for (size_t i = 0; i < chunk.used; ++i) {
      RETURN_IF_ERROR(OpenEvent(chunk.events[i]));
      if (!fn(chunk.events[i])) return absl::OkStatus();
    }
    if (!chunk.more || chunk.used == 0) return absl::OkStatus();
    next = chunk.events[chunk.used - 1].global_position() + 1;
    chunk_events = std::min(2 * chunk_events, kLargestChunkEvents);
  }
}

absl::Status EventStore::ScanLogReadingAhead(
    uint64_t from_position, const std::function<bool(const v1::EventEnvelope&)>& fn,
    bool open) const {
  LogChunk chunks[2];
  int current = 0;
  RETURN_IF_ERROR(ReadLogChunk(std::max<uint64_t>(from_position, 1), kLargestChunkEvents, open,
                               /*fill_cache=*/false, chunks[current]));
  for (;;) {
    const LogChunk& chunk = chunks[current];
    LogChunk& following = chunks[1 - current];
    // Destroying `ahead` waits for the read, so no return leaves it running.
    std::future<absl::Status> ahead;
    if (chunk.more && chunk.used > 0) {
      const uint64_t next = chunk.events[chunk.used - 1].global_position() + 1;
      ahead = std::async(std::launch::async, [this, next, open, &following] {
        return ReadLogChunk(next, kLargestChunkEvents, open, /*fill_cache=*/false, following);
      });
    }
    for (size_t i = 0; i < chunk.used; ++i) {
      if (!fn(chunk.events[i])) return absl::OkStatus();
    }
    if (!ahead.valid()) return absl::OkStatus();
    RETURN_IF_ERROR(ahead.get());
    current = 1 - current;
  }
}

absl::StatusOr<int64_t> EventStore::StreamVersion(absl::string_view stream) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(rocksdb::ReadOptions(), h->streams));
  const std::string prefix = keys::StreamPrefix(stream);
  it->SeekForPrev(keys::StreamKey(stream, INT64_MAX));
  if (it->Valid() && it->key().starts_with(prefix)) {
    return static_cast<int64_t>(keys::GetBE64(View(it->key()).substr(prefix.size())));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading stream index");
  return 0;
}

namespace {
template <typename Record>
absl::StatusOr<std::optional<Record>> GetRecord(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                                absl::string_view key, absl::string_view what) {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), cf, ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, what);
  Record record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("corrupt ", what, " record for ", key));
  }
  return record;
}
}  // namespace

absl::StatusOr<std::optional<internal::StateRecord>> EventStore::GetState(
    absl::string_view stream) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  return GetRecord<internal::StateRecord>(h->db, h->state, stream, "state");
}

absl::Status EventStore::CompactRequests() {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  if (h->read_only) return absl::OkStatus();
  rocksdb::FlushOptions flush;
  RETURN_IF_ERROR(FromRocks(h->db->Flush(flush, h->requests), "flushing request records"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return FromRocks(h->db->CompactRange(compact, h->requests, nullptr, nullptr),
                   "compacting request records");
}

absl::Status EventStore::CompactAll() {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  if (h->read_only) return absl::OkStatus();
  RETURN_IF_ERROR(FromRocks(h->db->Flush(rocksdb::FlushOptions(), h->all), "flushing"));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* family : h->all) {
    RETURN_IF_ERROR(
        FromRocks(h->db->CompactRange(compact, family, nullptr, nullptr), "compacting"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<internal::RequestRecord>> EventStore::GetRequest(
    absl::string_view key) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  return GetRecord<internal::RequestRecord>(h->db, h->requests, key, "request");
}

absl::StatusOr<int64_t> EventStore::GetSequence(absl::string_view name) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  std::string value;
  rocksdb::Status s = h->db->Get(rocksdb::ReadOptions(), h->meta, keys::SequenceKey(name), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocks(s, "reading sequence");
  if (value.size() != 8) return absl::DataLossError(absl::StrCat("corrupt sequence ", name));
  return static_cast<int64_t>(keys::GetBE64(value));
}

absl::StatusOr<std::optional<std::string>> EventStore::GetRow(absl::string_view key) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  std::string value;
  rocksdb::Status s = h->db->Get(rocksdb::ReadOptions(), h->rows, ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading row");
  return OpenRow(std::move(value));
}

namespace {

// Positions `it` at the first key after `after`; at `first` (a key, or the
// start of the column family when empty) when `after` is empty.
void SeekAfter(rocksdb::Iterator& it, absl::string_view after, absl::string_view first) {
  if (after.empty()) {
    if (first.empty()) {
      it.SeekToFirst();
    } else {
      it.Seek(ToSlice(first));
    }
    return;
  }
  const rocksdb::Slice key(after.data(), after.size());
  it.Seek(key);
  if (it.Valid() && it.key() == key) it.Next();
}

// The first key after every key that starts with `prefix` (empty: none),
// for an iterator's upper bound: RocksDB then stops at the prefix's end
// instead of reading on into the next block or table to find a key past it.
std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

}  // namespace

absl::StatusOr<std::vector<StoredRow>> EventStore::ScanRows(absl::string_view prefix,
                                                            absl::string_view start_after,
                                                            int limit, bool open) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  std::vector<StoredRow> rows;
  rocksdb::ReadOptions read;
  const std::string end = PrefixEnd(prefix);
  const rocksdb::Slice end_slice(end);
  if (!end.empty()) read.iterate_upper_bound = &end_slice;
  std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(read, h->rows));
  const rocksdb::Slice p(prefix.data(), prefix.size());
  SeekAfter(*it, start_after, prefix);
  for (; it->Valid() && static_cast<int>(rows.size()) < limit; it->Next()) {
    if (!it->key().starts_with(p)) break;
    rows.push_back({it->key().ToString(), it->value().ToString()});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scanning rows");
  if (!open) return rows;
  for (StoredRow& row : rows) {
    ASSIGN_OR_RETURN(row.value, OpenRow(std::move(row.value)));
  }
  return rows;
}

namespace {
absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> ScanTimers(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string* limit_key, int limit,
    absl::string_view after = {}) {
  std::vector<std::pair<std::string, internal::TimerRecord>> out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  SeekAfter(*it, after, {});
  for (; it->Valid() && static_cast<int>(out.size()) < limit; it->Next()) {
    if (limit_key != nullptr && it->key().compare(*limit_key) >= 0) break;
    internal::TimerRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt timer record");
    }
    out.emplace_back(it->key().ToString(), std::move(record));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scanning timers");
  return out;
}
}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> EventStore::DueTimers(
    int64_t now_unix_seconds, int limit, absl::string_view after) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  const std::string limit_key = keys::TimerKeyLimit(now_unix_seconds);
  return ScanTimers(h->db, h->timers, &limit_key, limit, after);
}

absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> EventStore::AllTimers()
    const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  return ScanTimers(h->db, h->timers, nullptr, INT32_MAX);
}

StoreBatch EventStore::NewBatch() const {
  auto impl = std::make_unique<StoreBatch::Impl>();
  impl->f = families_.get();
  return StoreBatch(std::move(impl));
}

absl::StatusOr<std::optional<std::string>> EventStore::GetMeta(absl::string_view name) const {
  absl::ReaderMutexLock lock(&db_mu_);
  ASSIGN_OR_RETURN(const Handles* h, Db());
  std::string value;
  rocksdb::Status s =
      h->db->Get(rocksdb::ReadOptions(), h->meta, absl::StrCat("meta/", name), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "reading meta"));
  return value;
}

absl::Status EventStore::PutMeta(absl::string_view name, absl::string_view value) {
  StoreBatch batch = NewBatch();
  batch.impl_->batch.Put(&batch.impl_->f->meta, absl::StrCat("meta/", name), ToSlice(value))
      .PermitUncheckedError();
  return Write(batch);
}

}  // namespace casework::storage
