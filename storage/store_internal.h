// What the event store's .cc files share: the RocksDB handles of one open
// instance, the start-up checks and their messages, and small helpers. Not
// part of the store's interface; only storage/ includes it.
//
//   store_files.cc   the info log, start-up checks, taking back a failed start
//   store_open.cc    opening RocksDB (families, sizes, fault injection)
//   event_store.cc   batches and reads
//   store_space.cc   writes, the free-space floor, reopening after a full disk
//   store_replace.cc replacing a key range (a rebuild's rows and timers)
#ifndef CASEWORK_STORAGE_STORE_INTERNAL_H_
#define CASEWORK_STORAGE_STORE_INTERNAL_H_

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/comparator.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/sst_file_manager.h"
#include "rocksdb/write_batch.h"
#include "storage/event_store.h"

namespace casework::storage {
namespace store_internal {

inline constexpr uint64_t kMiB = uint64_t{1} << 20;

inline absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}
inline rocksdb::Slice ToSlice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// "12.5 MiB".
std::string Mib(uint64_t bytes);

// RocksDB's status as ours: corruption is DATA_LOSS, anything unexpected
// UNAVAILABLE.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);

// Whether RocksDB failed because the disk (or its space limit) is full.
bool IsSpaceError(const rocksdb::Status& s);

// One line on stderr, prefixed "caseworkd: ", written whole so that
// concurrent lines never interleave. Control characters become spaces.
void LogLine(absl::string_view line);

// RocksDB's info log, routed to stderr (warnings and errors, rate-limited).
std::shared_ptr<rocksdb::Logger> InfoLog();

// Free bytes of the filesystem holding `path` (or its nearest existing
// ancestor); nullopt if the kernel cannot say.
std::optional<uint64_t> StatFree(std::string path);

// Start-up failures, each with its reason (docs/storage.md).
absl::Status OpenFailure(absl::StatusCode code, absl::string_view reason,
                         absl::string_view message);
absl::Status NotADirectory(const std::string& path, const struct stat& st);
absl::Status PermissionDenied(const std::string& path, int error);
absl::Status NoSpace(const std::string& path, uint64_t free_bytes, uint64_t floor);
// What RocksDB said when it would not open `path`, as our error.
absl::Status ClassifyOpenError(const rocksdb::Status& s, const std::string& path,
                               bool had_current);

// What a data directory looked like before an open attempt, so that a
// failed attempt can take back what it created.
struct DirSnapshot {
  bool created = false;  // the attempt created the directory itself
  std::set<std::string> files;
  std::string current;   // content of CURRENT ("" if none)
};
DirSnapshot Snapshot(const std::string& path, bool created);
// Removes what a failed open attempt created (store_files.cc says how).
void TakeBack(const std::string& path, const DirSnapshot& before);

// A column family named by its id alone: enough for WriteBatch, which
// records ids. Batches are built against these so that they stay valid
// across a reopen of RocksDB (ids are stored in the database and do not
// change).
class FamilyRef final : public rocksdb::ColumnFamilyHandle {
 public:
  FamilyRef(std::string name, uint32_t id) : name_(std::move(name)), id_(id) {}
  const std::string& GetName() const override { return name_; }
  uint32_t GetID() const override { return id_; }
  rocksdb::Status GetDescriptor(rocksdb::ColumnFamilyDescriptor*) override {
    return rocksdb::Status::NotSupported("descriptor of a batch-only family handle");
  }
  const rocksdb::Comparator* GetComparator() const override {
    return rocksdb::BytewiseComparator();
  }

 private:
  std::string name_;
  uint32_t id_;
};

// The families in the order they are opened (Handles::all).
const std::vector<std::string>& FamilyNames();

}  // namespace store_internal

struct EventStore::Families {
  store_internal::FamilyRef meta, log, streams, state, requests, rows, timers;
};

// One open RocksDB instance.
struct EventStore::Handles {
  std::unique_ptr<rocksdb::Env> env;  // only with a fault injector
  std::shared_ptr<rocksdb::SstFileManager> sst_files;
  rocksdb::DB* db = nullptr;
  bool read_only = false;
  // Flush the memtables before closing (a clean close). Not after a write
  // met a full disk: that RocksDB instance is only closed, never written.
  bool flush_on_close = true;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* log = nullptr;
  rocksdb::ColumnFamilyHandle* streams = nullptr;
  rocksdb::ColumnFamilyHandle* state = nullptr;
  rocksdb::ColumnFamilyHandle* requests = nullptr;
  rocksdb::ColumnFamilyHandle* rows = nullptr;
  rocksdb::ColumnFamilyHandle* timers = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  // Drops expired request records as RocksDB compacts them; null when they
  // are kept for ever. Must outlive `db`.
  std::unique_ptr<rocksdb::CompactionFilter> request_expiry;

  ~Handles();
};

// A batch under construction, against the families' ids.
struct StoreBatch::Impl {
  EventStore::Families* f;
  rocksdb::WriteBatch batch;
};

namespace store_internal {

// Opens RocksDB on options.path (which must exist), writable or read-only.
// `*status` is RocksDB's verdict; the handles are only valid when it is OK.
std::unique_ptr<EventStore::Handles> OpenHandles(const StoreOptions& options, bool read_only,
                                                 rocksdb::Status* status);

// The last global position in the log (0 if the log is empty).
absl::StatusOr<uint64_t> ReadHead(const EventStore::Handles& h);

}  // namespace store_internal
}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_STORE_INTERNAL_H_
