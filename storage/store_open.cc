// Opening the store: RocksDB's families and their sizes, the optional fault
// injector underneath it, and EventStore::Open's checks (store_internal.h).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "rocksdb/cache.h"
#include "rocksdb/file_system.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"
#include "storage/keys.h"
#include "storage/store_internal.h"
#include "workflow/common/status.h"

namespace casework::storage {

using store_internal::ClassifyOpenError;
using store_internal::DirSnapshot;
using store_internal::FamilyNames;
using store_internal::FamilyRef;
using store_internal::FromRocks;
using store_internal::InfoLog;
using store_internal::IsSpaceError;
using store_internal::kMiB;
using store_internal::NoSpace;
using store_internal::NotADirectory;
using store_internal::OpenFailure;
using store_internal::OpenHandles;
using store_internal::PermissionDenied;
using store_internal::ReadHead;
using store_internal::Snapshot;
using store_internal::StatFree;
using store_internal::TakeBack;
using store_internal::View;

namespace {

// RocksDB's default for the WAL size, kept when no floor is set.
constexpr uint64_t kMaxWalBytes = 64 * kMiB;
// A memtable's Bloom filter, as a share of the memtable.
constexpr double kMemtableBloomRatio = 0.02;

// Drops request records recorded longer ago than the retention. Records
// without a recorded time (none are written so) are kept.
class RequestExpiry final : public rocksdb::CompactionFilter {
 public:
  RequestExpiry(absl::Duration retention, const Clock* clock)
      : retention_(retention), clock_(clock) {}
  const char* Name() const override { return "CaseworkRequestExpiry"; }
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    internal::RequestRecord record;
    if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) return false;
    if (!record.has_recorded_time() || record.recorded_time().seconds() <= 0) return false;
    const absl::Time recorded = absl::FromUnixSeconds(record.recorded_time().seconds());
    const absl::Time now = clock_ != nullptr ? clock_->Now() : absl::Now();
    return recorded + retention_ < now;
  }

 private:
  const absl::Duration retention_;
  const Clock* const clock_;
};

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
    if (faults_->failing_no_space()) {
      return rocksdb::IOStatus::NoSpace("injected write failure", "No space left on device");
    }
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

// Memtable and WAL bound under a floor: a quarter of it each, at most
// RocksDB's default.
uint64_t UnderFloor(uint64_t floor, uint64_t cap) {
  if (floor == 0) return cap;
  return std::max<uint64_t>(std::min<uint64_t>(floor / 4, cap), kMiB);
}

}  // namespace

namespace store_internal {

// The families in the order they are opened (Handles::all).
const std::vector<std::string>& FamilyNames() {
  static const auto* names = new std::vector<std::string>{
      std::string(keys::kDefaultFamily),  std::string(keys::kLogFamily),
      std::string(keys::kStreamsFamily),  std::string(keys::kStateFamily),
      std::string(keys::kRequestsFamily), std::string(keys::kRowsFamily),
      std::string(keys::kTimersFamily),
  };
  return *names;
}

// Opens RocksDB on options.path (which must exist), writable or read-only.
// `*status` is RocksDB's verdict; the handles are only valid when it is OK.
std::unique_ptr<EventStore::Handles> OpenHandles(const StoreOptions& options, bool read_only,
                                                 rocksdb::Status* status) {
  auto h = std::make_unique<EventStore::Handles>();
  h->read_only = read_only;
  const uint64_t floor = options.min_free_bytes;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // Keep at most this much WAL before flushing memtables; bounds the WAL
  // replayed after a crash. Default: 64 MiB, a quarter of the floor if less.
  db_options.max_total_wal_size = UnderFloor(floor, kMaxWalBytes);
  // The info log goes to stderr, never to a LOG file in the data directory.
  db_options.info_log = InfoLog();
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Closing does not flush by itself; a clean close flushes explicitly
  // (Handles), a close after a full disk does not.
  db_options.avoid_flush_during_shutdown = true;
  if (options.faults) {
    auto fs = std::make_shared<FaultyFileSystem>(rocksdb::FileSystem::Default(), options.faults);
    h->env = rocksdb::NewCompositeEnv(fs);
    db_options.env = h->env.get();
  }
  if (!read_only) {
    // Tracks the table files (their size is the data cap's measure) and lets
    // a compaction start only if it leaves half the floor free.
    rocksdb::Status sfm_status;
    h->sst_files.reset(rocksdb::NewSstFileManager(
        db_options.env != nullptr ? db_options.env : rocksdb::Env::Default(), InfoLog(), "", 0,
        true, &sfm_status));
    if (floor > 0) h->sst_files->SetCompactionBufferSize(floor / 2);
    db_options.sst_file_manager = h->sst_files;
  }

  // Memtables of all families share one budget (a quarter of the floor if
  // less): when they pass it, the largest is flushed. Without it each of the
  // seven families could hold two 64 MiB memtables (docs/storage.md).
  const uint64_t memtable_budget = UnderFloor(floor, options.memtable_bytes);
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(memtable_budget);
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  auto family = [&](bool point_lookups) {
    rocksdb::ColumnFamilyOptions cf;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    if (point_lookups) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      table.whole_key_filtering = true;
      // The memtables get one too: a lookup of a key that is not there
      // (most are) is otherwise a search down the skip list, on the
      // writer, before the tables' filters are even asked. It comes from
      // the memtable's arena, so the shared budget counts it.
      cf.memtable_prefix_bloom_size_ratio = kMemtableBloomRatio;
      cf.memtable_whole_key_filtering = true;
    }
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    // LZ4 at every level, the last too: zstd there made the tables a fifth
    // smaller but was over half of compaction's CPU and a sixth of a fold's
    // reading (docs/storage.md).
    if (options.compression) {
      cf.compression = rocksdb::kLZ4Compression;
      cf.bottommost_compression = rocksdb::kLZ4Compression;
    } else {
      cf.compression = rocksdb::kNoCompression;
      cf.bottommost_compression = rocksdb::kNoCompression;
    }
    // Half the shared budget: a busy family flushes in a few large files,
    // and two full memtables never exceed the budget.
    cf.write_buffer_size = std::max<uint64_t>(memtable_budget / 2, kMiB);
    return cf;
  };
  if (options.request_retention > absl::ZeroDuration()) {
    h->request_expiry = std::make_unique<RequestExpiry>(options.request_retention, options.clock);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : FamilyNames()) {
    // Bloom filters where keys are looked up one by one, most often for a
    // key that is not there: a new request id, a new natural key (rows).
    const bool point_lookups = name == keys::kDefaultFamily || name == keys::kStateFamily ||
                               name == keys::kRequestsFamily || name == keys::kRowsFamily;
    families.emplace_back(name, family(point_lookups));
    if (name == keys::kRequestsFamily) {
      families.back().options.compaction_filter = h->request_expiry.get();
    }
  }
  *status = read_only ? rocksdb::DB::OpenForReadOnly(db_options, options.path, families,
                                                     &h->all, &h->db)
                      : rocksdb::DB::Open(db_options, options.path, families, &h->all, &h->db);
  if (!status->ok()) {
    h->all.clear();
    h->db = nullptr;
    return h;
  }
  h->meta = h->all[0];
  h->log = h->all[1];
  h->streams = h->all[2];
  h->state = h->all[3];
  h->requests = h->all[4];
  h->rows = h->all[5];
  h->timers = h->all[6];
  return h;
}

absl::StatusOr<uint64_t> ReadHead(const EventStore::Handles& h) {
  std::unique_ptr<rocksdb::Iterator> it(h.db->NewIterator(rocksdb::ReadOptions(), h.log));
  it->SeekToLast();
  uint64_t last = 0;
  if (it->Valid()) last = keys::GetBE64(View(it->key()));
  if (!it->status().ok()) return FromRocks(it->status(), "finding the log head");
  return last;
}

}  // namespace store_internal

namespace {

// Bindings of keys made ahead of need that only the data directory holds
// (a crash came before the key store had them durably): handed to the key
// store, then deleted here. Only then may the key store give out the keys
// it made and never gave, so it starts its pool.
absl::Status ReconcileKeyBindings(const EventStore::Handles& h, privacy::KeyStore& keys) {
  std::vector<privacy::KeyStore::Binding> bindings;
  rocksdb::WriteBatch held;
  std::unique_ptr<rocksdb::Iterator> it(h.db->NewIterator(rocksdb::ReadOptions(), h.meta));
  const rocksdb::Slice prefix(keys::kKeyBindingPrefix.data(), keys::kKeyBindingPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    privacy::KeyStore::Binding& b = bindings.emplace_back();
    b.key_id = std::string(View(it->key()).substr(prefix.size()));
    const std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(View(it->value()), ':');
    b.name_hash = std::string(parts.first);
    if (b.name_hash.empty() || !absl::SimpleAtoi(parts.second, &b.generation)) {
      return absl::DataLossError(absl::StrCat("unreadable key binding ", View(it->key())));
    }
    held.Delete(h.meta, it->key()).PermitUncheckedError();
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading key bindings"));
  RETURN_IF_ERROR(keys.Reconcile(bindings));
  if (!bindings.empty()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    RETURN_IF_ERROR(FromRocks(h.db->Write(wo, &held), "deleting reconciled key bindings"));
  }
  keys.StartPool();
  return absl::OkStatus();
}

}  // namespace

EventStore::Handles::~Handles() {
  if (db == nullptr) return;
  if (flush_on_close && !read_only) {
    // Flush the memtables on a clean close so that the next open does not
    // replay the write-ahead log. Intentionally ignored on failure: every
    // acknowledged write is in the WAL, which the next open replays anyway.
    db->Flush(rocksdb::FlushOptions(), all).PermitUncheckedError();
  }
  for (rocksdb::ColumnFamilyHandle* h : all) {
    // Intentionally ignored: closing a handle cannot lose data.
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  // Intentionally ignored: every acknowledged write is already in the WAL.
  db->Close().PermitUncheckedError();
  delete db;
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const StoreOptions& options) {
  const std::string& path = options.path;
  if (path.empty()) return absl::InvalidArgumentError("data directory path is empty");
  const uint64_t floor = options.min_free_bytes;
  auto free_bytes = [&]() -> std::optional<uint64_t> {
    if (options.faults && options.faults->free_bytes().has_value()) {
      return options.faults->free_bytes();
    }
    return StatFree(path);
  };

  // Look before touching anything: a failed start leaves nothing behind.
  bool created = false;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return NotADirectory(path, st);
    if (::access(path.c_str(), R_OK | W_OK | X_OK) != 0) return PermissionDenied(path, errno);
    std::optional<uint64_t> available = free_bytes();
    if (floor > 0 && available.has_value() && *available < floor) {
      return NoSpace(path, *available, floor);
    }
  } else {
    const int stat_error = errno;
    if (stat_error == EACCES) return PermissionDenied(path, stat_error);
    if (stat_error == ENOTDIR) {
      return OpenFailure(absl::StatusCode::kFailedPrecondition, "DATA_DIR_NOT_A_DIRECTORY",
                         absl::StrCat("data directory ", path,
                                      " cannot be created: a parent of it is not a directory"));
    }
    if (stat_error != ENOENT) {
      return OpenFailure(absl::StatusCode::kUnavailable, "DATA_DIR_OPEN_FAILED",
                         absl::StrCat("cannot open data directory ", path, ": ",
                                      std::strerror(stat_error)));
    }
    std::optional<uint64_t> available = free_bytes();
    if (floor > 0 && available.has_value() && *available < floor) {
      return NoSpace(path, *available, floor);
    }
    if (::mkdir(path.c_str(), 0755) != 0) {
      const int error = errno;
      if (error == EACCES || error == EPERM || error == EROFS) {
        return PermissionDenied(path, error);
      }
      if (error == ENOSPC) return NoSpace(path, available.value_or(0), floor);
      if (error == ENOENT) {
        return OpenFailure(absl::StatusCode::kFailedPrecondition, "DATA_DIR_OPEN_FAILED",
                           absl::StrCat("data directory ", path,
                                        " cannot be created: its parent directory does not "
                                        "exist"));
      }
      return OpenFailure(absl::StatusCode::kUnavailable, "DATA_DIR_OPEN_FAILED",
                         absl::StrCat("cannot create data directory ", path, ": ",
                                      std::strerror(error)));
    }
    created = true;
  }

  const DirSnapshot before = Snapshot(path, created);
  rocksdb::Status s;
  std::unique_ptr<Handles> h = OpenHandles(options, /*read_only=*/false, &s);
  if (!s.ok()) {
    absl::Status error = ClassifyOpenError(s, path, !before.current.empty());
    h.reset();
    // A locked directory belongs to whoever holds it: take nothing back.
    if (created || !absl::StrContains(error.message(), "is in use by another process")) {
      TakeBack(path, before);
    }
    return error;
  }
  auto fail = [&](absl::Status error) {
    h.reset();
    TakeBack(path, before);
    return error;
  };

  std::string format;
  s = h->db->Get(rocksdb::ReadOptions(), h->meta, std::string(keys::kFormatKey), &format);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = h->db->Put(wo, h->meta, std::string(keys::kFormatKey), std::string(keys::kFormatVersion));
    if (!s.ok()) {
      h->flush_on_close = false;
      if (IsSpaceError(s)) return fail(NoSpace(path, free_bytes().value_or(0), floor));
      return fail(FromRocks(s, "writing format version"));
    }
  } else if (!s.ok()) {
    return fail(FromRocks(s, "reading format version"));
  } else if (format != keys::kFormatVersion) {
    return fail(OpenFailure(absl::StatusCode::kFailedPrecondition, "DATA_DIR_WRONG_FORMAT",
                            absl::StrCat("data directory ", path, " has format version ", format,
                                         "; this build reads version ", keys::kFormatVersion)));
  }

  // Sealed personal data opens only with the key store it was sealed with.
  std::string bound;
  s = h->db->Get(rocksdb::ReadOptions(), h->meta, std::string(keys::kKeyStoreKey), &bound);
  if (!s.ok() && !s.IsNotFound()) return fail(FromRocks(s, "reading the key store's id"));
  if (s.ok() && options.sealer == nullptr) {
    return fail(OpenFailure(
        absl::StatusCode::kFailedPrecondition, "SEALED_DATA_NEEDS_KEYS",
        absl::StrCat("data directory ", path, " holds personal data sealed with key store ", bound,
                     ": start with its master key and key store (--master_key_file, --key_store)")));
  }
  if (s.ok() && bound != options.sealer->keys().store_id()) {
    return fail(OpenFailure(
        absl::StatusCode::kFailedPrecondition, "KEY_STORE_MISMATCH",
        absl::StrCat("data directory ", path, " was sealed with key store ", bound,
                     ", not with the key store given (", options.sealer->keys().store_id(),
                     "): start with the key store that belongs to it")));
  }
  if (s.IsNotFound() && options.sealer != nullptr) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = h->db->Put(wo, h->meta, std::string(keys::kKeyStoreKey),
                   options.sealer->keys().store_id());
    if (!s.ok()) return fail(FromRocks(s, "recording the key store's id"));
  }

  if (options.sealer != nullptr) {
    if (absl::Status reconciled = ReconcileKeyBindings(*h, options.sealer->keys());
        !reconciled.ok()) {
      return fail(reconciled);
    }
  }

  absl::StatusOr<uint64_t> last = ReadHead(*h);
  if (!last.ok()) return fail(last.status());
  std::unique_ptr<EventStore> store(new EventStore(options, std::move(h), *last));
  store->created_ = created;
  return store;
}

EventStore::EventStore(StoreOptions options, std::unique_ptr<Handles> handles,
                       uint64_t last_position)
    : options_(std::move(options)),
      families_(new Families{
          FamilyRef(FamilyNames()[0], handles->meta->GetID()),
          FamilyRef(FamilyNames()[1], handles->log->GetID()),
          FamilyRef(FamilyNames()[2], handles->streams->GetID()),
          FamilyRef(FamilyNames()[3], handles->state->GetID()),
          FamilyRef(FamilyNames()[4], handles->requests->GetID()),
          FamilyRef(FamilyNames()[5], handles->rows->GetID()),
          FamilyRef(FamilyNames()[6], handles->timers->GetID()),
      }),
      last_position_(last_position),
      opened_rows_(std::make_unique<OpenedRows>(
          options_.sealer != nullptr ? options_.opened_row_cache_bytes : 0)),
      parsed_rows_(std::make_unique<ParsedRows>(options_.parsed_row_cache_bytes)),
      h_(std::move(handles)) {}

EventStore::~EventStore() = default;

}  // namespace casework::storage
