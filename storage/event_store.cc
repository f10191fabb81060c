#include "storage/event_store.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "workflow/common/status.h"

namespace casework::storage {
namespace {

absl::string_view View(const rocksdb::Slice& s) { return absl::string_view(s.data(), s.size()); }

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::UnavailableError(message);
}

// A writable file whose writes fail while the injector says so.
class FaultyWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                     std::shared_ptr<FaultInjector> faults)
      : FSWritableFileOwnerWrapper(std::move(file)), faults_(std::move(faults)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    if (Failing()) return Injected();
    return FSWritableFileOwnerWrapper::Append(data, o, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (Failing()) return Injected();
    return FSWritableFileOwnerWrapper::Append(data, o, info, dbg);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (Failing()) return Injected();
    return FSWritableFileOwnerWrapper::Flush(o, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (Failing()) return Injected();
    return FSWritableFileOwnerWrapper::Sync(o, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (Failing()) return Injected();
    return FSWritableFileOwnerWrapper::Fsync(o, dbg);
  }

 private:
  bool Failing() const { return faults_->failing(); }
  rocksdb::IOStatus Injected() const {
    faults_->CountFailure();
    return rocksdb::IOStatus::IOError("injected write failure");
  }
  std::shared_ptr<FaultInjector> faults_;
};

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target,
                   std::shared_ptr<FaultInjector> faults)
      : FileSystemWrapper(target), faults_(std::move(faults)) {}
  const char* Name() const override { return "CaseworkFaultyFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<FaultyWritableFile>(std::move(file), faults_);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->ReopenWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<FaultyWritableFile>(std::move(file), faults_);
    return s;
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->ReuseWritableFile(f, old, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<FaultyWritableFile>(std::move(file), faults_);
    return s;
  }

 private:
  std::shared_ptr<FaultInjector> faults_;
};

}  // namespace

struct EventStore::Handles {
  std::unique_ptr<rocksdb::Env> env;  // only with a fault injector
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* log = nullptr;
  rocksdb::ColumnFamilyHandle* streams = nullptr;
  rocksdb::ColumnFamilyHandle* state = nullptr;
  rocksdb::ColumnFamilyHandle* requests = nullptr;
  rocksdb::ColumnFamilyHandle* rows = nullptr;
  rocksdb::ColumnFamilyHandle* timers = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> all;

  ~Handles() {
    if (db == nullptr) return;
    // Flush the memtables on a clean close so that the next open does not
    // replay the write-ahead log. Intentionally ignored on failure: every
    // acknowledged write is in the WAL, which the next open replays anyway.
    db->Flush(rocksdb::FlushOptions(), all).PermitUncheckedError();
    for (rocksdb::ColumnFamilyHandle* h : all) {
      // Intentionally ignored: closing a handle cannot lose data.
      db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    // Intentionally ignored: every acknowledged write is already in the WAL.
    db->Close().PermitUncheckedError();
    delete db;
  }
};

struct StoreBatch::Impl {
  const EventStore::Handles* h;
  rocksdb::WriteBatch batch;
};

StoreBatch::StoreBatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StoreBatch::~StoreBatch() = default;
StoreBatch::StoreBatch(StoreBatch&&) noexcept = default;

void StoreBatch::PutEvent(const v1::EventEnvelope& event) {
  std::string bytes = event.SerializeAsString();
  std::string position;
  keys::PutBE64(&position, event.global_position());
  // Intentionally ignored: WriteBatch::Put only fails on oversized entries.
  impl_->batch.Put(impl_->h->log, position, bytes).PermitUncheckedError();
  impl_->batch.Put(impl_->h->streams, keys::StreamKey(event.stream(), event.stream_version()),
                   position).PermitUncheckedError();
  if (event.global_position() > last_position_) last_position_ = event.global_position();
}

void StoreBatch::PutState(absl::string_view stream, const internal::StateRecord& record) {
  impl_->batch.Put(impl_->h->state, rocksdb::Slice(stream.data(), stream.size()),
                   record.SerializeAsString()).PermitUncheckedError();
}

void StoreBatch::PutRequest(absl::string_view key, const internal::RequestRecord& record) {
  impl_->batch.Put(impl_->h->requests, rocksdb::Slice(key.data(), key.size()),
                   record.SerializeAsString()).PermitUncheckedError();
}

void StoreBatch::PutSequence(absl::string_view name, int64_t value) {
  std::string v;
  keys::PutBE64(&v, static_cast<uint64_t>(value));
  impl_->batch.Put(impl_->h->meta, keys::SequenceKey(name), v).PermitUncheckedError();
}

void StoreBatch::PutRow(absl::string_view key, absl::string_view value) {
  impl_->batch.Put(impl_->h->rows, rocksdb::Slice(key.data(), key.size()),
                   rocksdb::Slice(value.data(), value.size())).PermitUncheckedError();
}

void StoreBatch::DeleteRow(absl::string_view key) {
  impl_->batch.Delete(impl_->h->rows, rocksdb::Slice(key.data(), key.size()))
      .PermitUncheckedError();
}

void StoreBatch::PutTimer(absl::string_view key, const internal::TimerRecord& record) {
  impl_->batch.Put(impl_->h->timers, rocksdb::Slice(key.data(), key.size()),
                   record.SerializeAsString()).PermitUncheckedError();
}

void StoreBatch::DeleteTimer(absl::string_view key) {
  impl_->batch.Delete(impl_->h->timers, rocksdb::Slice(key.data(), key.size()))
      .PermitUncheckedError();
}

int StoreBatch::count() const { return static_cast<int>(impl_->batch.Count()); }

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const StoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("data directory path is empty");
  auto h = std::make_unique<Handles>();

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // Keep at most this much WAL before flushing memtables; bounds the WAL
  // replayed after a crash. Default: 4x the total memtable size.
  db_options.max_total_wal_size = 64 << 20;
  if (options.faults) {
    auto fs = std::make_shared<FaultyFileSystem>(rocksdb::FileSystem::Default(), options.faults);
    h->env = rocksdb::NewCompositeEnv(fs);
    db_options.env = h->env.get();
  }

  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  auto family = [&](bool point_lookups) {
    rocksdb::ColumnFamilyOptions cf;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    if (point_lookups) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      table.whole_key_filtering = true;
    }
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf.compression = rocksdb::kLZ4Compression;
    cf.bottommost_compression = rocksdb::kZSTD;
    return cf;
  };
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {keys::kDefaultFamily, family(true)}, {keys::kLogFamily, family(false)},
      {keys::kStreamsFamily, family(false)}, {keys::kStateFamily, family(true)},
      {keys::kRequestsFamily, family(true)}, {keys::kRowsFamily, family(false)},
      {keys::kTimersFamily, family(false)},
  };
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, families, &h->all, &h->db);
  if (!s.ok()) {
    h->all.clear();
    h->db = nullptr;
    return FromRocks(s, absl::StrCat("opening data directory ", options.path));
  }
  h->meta = h->all[0];
  h->log = h->all[1];
  h->streams = h->all[2];
  h->state = h->all[3];
  h->requests = h->all[4];
  h->rows = h->all[5];
  h->timers = h->all[6];

  std::string format;
  s = h->db->Get(rocksdb::ReadOptions(), h->meta, std::string(keys::kFormatKey), &format);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = h->db->Put(wo, h->meta, std::string(keys::kFormatKey), std::string(keys::kFormatVersion));
    if (!s.ok()) return FromRocks(s, "writing format version");
  } else if (!s.ok()) {
    return FromRocks(s, "reading format version");
  } else if (format != keys::kFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory ", options.path, " has format version ", format,
                     "; this build reads version ", keys::kFormatVersion));
  }

  uint64_t last = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(h->db->NewIterator(rocksdb::ReadOptions(), h->log));
    it->SeekToLast();
    if (it->Valid()) last = keys::GetBE64(View(it->key()));
    if (!it->status().ok()) return FromRocks(it->status(), "finding the log head");
  }
  return std::unique_ptr<EventStore>(new EventStore(options, std::move(h), last));
}

EventStore::EventStore(StoreOptions options, std::unique_ptr<Handles> handles,
                       uint64_t last_position)
    : options_(std::move(options)), h_(std::move(handles)), last_position_(last_position) {}

EventStore::~EventStore() = default;

absl::StatusOr<std::vector<v1::EventEnvelope>> EventStore::ReadStream(
    absl::string_view stream, int64_t from_version, int limit) const {
  std::vector<std::string> positions;
  const std::string prefix = keys::StreamPrefix(stream);
  {
    std::unique_ptr<rocksdb::Iterator> it(h_->db->NewIterator(rocksdb::ReadOptions(), h_->streams));
    for (it->Seek(keys::StreamKey(stream, std::max<int64_t>(from_version, 1)));
         it->Valid() && static_cast<int>(positions.size()) < limit; it->Next()) {
      if (!it->key().starts_with(prefix)) break;
      positions.push_back(it->value().ToString());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading stream index");
  }
  std::vector<rocksdb::Slice> slices(positions.begin(), positions.end());
  std::vector<std::string> values(positions.size());
  std::vector<rocksdb::Status> statuses = h_->db->MultiGet(
      rocksdb::ReadOptions(), std::vector<rocksdb::ColumnFamilyHandle*>(slices.size(), h_->log),
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

absl::Status EventStore::ScanLog(
    uint64_t from_position, const std::function<bool(const v1::EventEnvelope&)>& fn) const {
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(h_->db->NewIterator(ro, h_->log));
  v1::EventEnvelope event;
  for (it->Seek(keys::LogKey(std::max<uint64_t>(from_position, 1))); it->Valid(); it->Next()) {
    if (!event.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("corrupt event at log position ",
                                              keys::GetBE64(View(it->key()))));
    }
    if (!fn(event)) break;
  }
  return FromRocks(it->status(), "reading the log");
}

absl::StatusOr<int64_t> EventStore::StreamVersion(absl::string_view stream) const {
  std::unique_ptr<rocksdb::Iterator> it(h_->db->NewIterator(rocksdb::ReadOptions(), h_->streams));
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
  rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), cf, rocksdb::Slice(key.data(), key.size()), &value);
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
  return GetRecord<internal::StateRecord>(h_->db, h_->state, stream, "state");
}

absl::StatusOr<std::optional<internal::RequestRecord>> EventStore::GetRequest(
    absl::string_view key) const {
  return GetRecord<internal::RequestRecord>(h_->db, h_->requests, key, "request");
}

absl::StatusOr<int64_t> EventStore::GetSequence(absl::string_view name) const {
  std::string value;
  rocksdb::Status s = h_->db->Get(rocksdb::ReadOptions(), h_->meta, keys::SequenceKey(name), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocks(s, "reading sequence");
  if (value.size() != 8) return absl::DataLossError(absl::StrCat("corrupt sequence ", name));
  return static_cast<int64_t>(keys::GetBE64(value));
}

absl::StatusOr<std::optional<std::string>> EventStore::GetRow(absl::string_view key) const {
  std::string value;
  rocksdb::Status s = h_->db->Get(rocksdb::ReadOptions(), h_->rows,
                                  rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading row");
  return value;
}

absl::StatusOr<std::vector<StoredRow>> EventStore::ScanRows(absl::string_view prefix,
                                                            absl::string_view start_after,
                                                            int limit) const {
  std::vector<StoredRow> rows;
  std::unique_ptr<rocksdb::Iterator> it(h_->db->NewIterator(rocksdb::ReadOptions(), h_->rows));
  const rocksdb::Slice p(prefix.data(), prefix.size());
  if (start_after.empty()) {
    it->Seek(p);
  } else {
    it->Seek(rocksdb::Slice(start_after.data(), start_after.size()));
    if (it->Valid() && it->key() == rocksdb::Slice(start_after.data(), start_after.size())) {
      it->Next();
    }
  }
  for (; it->Valid() && static_cast<int>(rows.size()) < limit; it->Next()) {
    if (!it->key().starts_with(p)) break;
    rows.push_back({it->key().ToString(), it->value().ToString()});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scanning rows");
  return rows;
}

namespace {
absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> ScanTimers(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string* limit_key, int limit) {
  std::vector<std::pair<std::string, internal::TimerRecord>> out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  for (it->SeekToFirst(); it->Valid() && static_cast<int>(out.size()) < limit; it->Next()) {
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
    int64_t now_unix_seconds, int limit) const {
  const std::string limit_key = keys::TimerKeyLimit(now_unix_seconds);
  return ScanTimers(h_->db, h_->timers, &limit_key, limit);
}

absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> EventStore::AllTimers()
    const {
  return ScanTimers(h_->db, h_->timers, nullptr, INT32_MAX);
}

absl::Status EventStore::ReplaceTimers(
    const std::vector<std::pair<std::string, internal::TimerRecord>>& timers) {
  StoreBatch batch = NewBatch();
  ASSIGN_OR_RETURN(auto existing, AllTimers());
  for (const auto& [key, record] : existing) batch.DeleteTimer(key);
  for (const auto& [key, record] : timers) batch.PutTimer(key, record);
  return Write(batch);
}

StoreBatch EventStore::NewBatch() const {
  auto impl = std::make_unique<StoreBatch::Impl>();
  impl->h = h_.get();
  return StoreBatch(std::move(impl));
}

absl::Status EventStore::Write(StoreBatch& batch) {
  {
    absl::MutexLock lock(&mu_);
    if (!write_error_.ok()) return write_error_;
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status s = h_->db->Write(wo, &batch.impl_->batch);
  if (!s.ok()) {
    absl::Status error = absl::UnavailableError(absl::StrCat(
        "storage write failed; writes are disabled until the service is restarted: ",
        s.ToString()));
    absl::MutexLock lock(&mu_);
    write_error_ = error;
    return error;
  }
  if (batch.last_position() > 0) {
    last_position_.store(batch.last_position(), std::memory_order_release);
  }
  return absl::OkStatus();
}

absl::Status EventStore::write_status() const {
  absl::MutexLock lock(&mu_);
  return write_error_;
}

absl::Status EventStore::ReplaceRows(absl::string_view prefix,
                                     const std::vector<StoredRow>& rows) {
  StoreBatch batch = NewBatch();
  {
    std::unique_ptr<rocksdb::Iterator> it(h_->db->NewIterator(rocksdb::ReadOptions(), h_->rows));
    const rocksdb::Slice p(prefix.data(), prefix.size());
    for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
      batch.DeleteRow(View(it->key()));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning rows");
  }
  for (const StoredRow& row : rows) batch.PutRow(row.key, row.value);
  return Write(batch);
}

}  // namespace casework::storage
