// The event store: streams, the global log, folded states, idempotency
// records and read-model rows in one RocksDB data directory (layout in
// storage/keys.h).
//
// Reads are thread-safe and see only whole commands. Writes go through
// Write(), which the engine's single writer thread calls with one batch per
// group of commands. A failed write or sync is sticky: from then on every
// Write fails with UNAVAILABLE (nothing that may be lost is ever
// acknowledged) while reads keep working; an operator restarts the process
// after fixing the disk, and RocksDB recovers from the WAL.
#ifndef CASEWORK_STORAGE_EVENT_STORE_H_
#define CASEWORK_STORAGE_EVENT_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "casework/internal/records.pb.h"
#include "casework/v1/events.pb.h"
#include "storage/fault_injection.h"
#include "workflow/kernel/context.h"

namespace casework::storage {

struct StoreOptions {
  // Directory of the RocksDB database; created if missing.
  std::string path;
  // Sync the write-ahead log before a write returns. Default: true.
  // false acknowledges commands once they are in the OS page cache: a process
  // crash loses nothing, but a power cut or kernel panic may lose the last
  // acknowledged commands. For development and benchmarks only.
  bool sync = true;
  // Block cache for reads, in bytes. Default: 64 MiB.
  size_t block_cache_bytes = 64 << 20;
  // Test hook; null in production. Default: null.
  std::shared_ptr<FaultInjector> faults;
};

// A read-model row as stored: the rows the workflows derive, unchanged.
using StoredRow = workflow::Row;

// The writes of one group of commands. Built by the engine, applied by
// EventStore::Write atomically.
class StoreBatch {
 public:
  ~StoreBatch();
  StoreBatch(StoreBatch&&) noexcept;

  void PutEvent(const v1::EventEnvelope& event);
  void PutState(absl::string_view stream, const internal::StateRecord& record);
  void PutRequest(absl::string_view key, const internal::RequestRecord& record);
  void PutSequence(absl::string_view name, int64_t value);
  void PutRow(absl::string_view key, absl::string_view value);
  void DeleteRow(absl::string_view key);
  void PutTimer(absl::string_view key, const internal::TimerRecord& record);
  void DeleteTimer(absl::string_view key);

  // Number of operations staged.
  int count() const;
  // Highest global position staged (0 if no event).
  uint64_t last_position() const { return last_position_; }

 private:
  friend class EventStore;
  struct Impl;
  explicit StoreBatch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint64_t last_position_ = 0;
};

class EventStore {
 public:
  // Opens (creating if needed) the data directory. FAILED_PRECONDITION if it
  // holds another format version; UNAVAILABLE if RocksDB cannot open it (for
  // example another process holds its lock).
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const StoreOptions& options);

  // Flushes nothing extra: every acknowledged write is already in the WAL.
  ~EventStore();

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // --- Reads (thread-safe) ---

  // Events of `stream` from version `from_version` (>= 1), at most `limit`.
  absl::StatusOr<std::vector<v1::EventEnvelope>> ReadStream(absl::string_view stream,
                                                            int64_t from_version,
                                                            int limit) const;
  // Events of the global log from `from_position` (>= 1), at most `limit`.
  absl::StatusOr<std::vector<v1::EventEnvelope>> ReadLog(uint64_t from_position,
                                                         int limit) const;
  // Calls `fn` for each event from `from_position` in order until it returns
  // false or the log ends. Parses each envelope once; for rebuilds and checks.
  absl::Status ScanLog(uint64_t from_position,
                       const std::function<bool(const v1::EventEnvelope&)>& fn) const;
  // The stream's current version, 0 if it has no events.
  absl::StatusOr<int64_t> StreamVersion(absl::string_view stream) const;
  // The highest committed global position (0 when the log is empty).
  uint64_t LastPosition() const { return last_position_.load(std::memory_order_acquire); }

  absl::StatusOr<std::optional<internal::StateRecord>> GetState(absl::string_view stream) const;
  absl::StatusOr<std::optional<internal::RequestRecord>> GetRequest(absl::string_view key) const;
  // The last number handed out by sequence `name`, 0 if none.
  absl::StatusOr<int64_t> GetSequence(absl::string_view name) const;
  absl::StatusOr<std::optional<std::string>> GetRow(absl::string_view key) const;
  // Rows whose key starts with `prefix` and sorts after `start_after` (empty:
  // from the first), in key order, at most `limit`.
  absl::StatusOr<std::vector<StoredRow>> ScanRows(absl::string_view prefix,
                                                  absl::string_view start_after,
                                                  int limit) const;

  // Timers whose fire-at time is at or before `now_unix_seconds`, in firing
  // order, at most `limit`, with their keys.
  absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> DueTimers(
      int64_t now_unix_seconds, int limit) const;
  // Every timer, in firing order (for verification).
  absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> AllTimers() const;

  // --- Writes (one thread: the engine's writer) ---

  StoreBatch NewBatch() const;
  // Applies `batch` atomically, syncing the WAL first when options.sync.
  // UNAVAILABLE, and every later call too, if the write or the sync fails.
  absl::Status Write(StoreBatch& batch);
  // OK, or the sticky error that disabled writes.
  absl::Status write_status() const;

  // Replaces every read-model row under `prefix` with `rows` (sorted or not)
  // in one synced batch. For read-model rebuilds.
  absl::Status ReplaceRows(absl::string_view prefix, const std::vector<StoredRow>& rows);
  // Replaces every timer with `timers` (key, record) in one synced batch.
  absl::Status ReplaceTimers(
      const std::vector<std::pair<std::string, internal::TimerRecord>>& timers);

  const StoreOptions& options() const { return options_; }

  struct Handles;  // RocksDB objects, defined in event_store.cc

 private:
  EventStore(StoreOptions options, std::unique_ptr<Handles> handles, uint64_t last_position);

  StoreOptions options_;
  std::unique_ptr<Handles> h_;
  std::atomic<uint64_t> last_position_;
  mutable absl::Mutex mu_;
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_EVENT_STORE_H_
