// The event store: streams, the global log, folded states, idempotency
// records and read-model rows in one RocksDB data directory (layout in
// storage/keys.h).
//
// Reads are thread-safe and see only whole commands. Writes go through
// Write(), which the engine's writer calls with one batch per group of
// commands, one group at a time.
//
// Disk space is managed, not discovered: below a free-space floor
// (StoreOptions::min_free_bytes) or at a cap on the tables' size
// (StoreOptions::max_data_bytes) writes are refused with UNAVAILABLE (reason
// STORAGE_SPACE_LOW) while reads keep working, and they resume by themselves
// once space is back. Should the disk fill anyway (another process filled it
// between two checks), the write that met "no space" is not acknowledged and
// the store reopens RocksDB once space is back: a RocksDB whose write-ahead
// log failed is never written to again. Any other failed write or sync is
// sticky: from then on every Write fails with UNAVAILABLE (nothing that may be
// lost is ever acknowledged) while reads keep working; an operator restarts
// the process after fixing the disk, and RocksDB recovers from the WAL.
//
// RocksDB's own diagnostics (its info log) go to stderr at WARN level and
// above, never to a file in the data directory.
#ifndef CASEWORK_STORAGE_EVENT_STORE_H_
#define CASEWORK_STORAGE_EVENT_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "casework/internal/records.pb.h"
#include "casework/v1/events.pb.h"
#include "privacy/sealer.h"
#include "storage/backup.h"
#include "storage/clock.h"
#include "storage/fault_injection.h"
#include "storage/opened_rows.h"
#include "storage/parsed_rows.h"
#include "storage/stream_watch.h"
#include "workflow/kernel/context.h"

namespace rocksdb {
class ColumnFamilyHandle;
class Status;
}  // namespace rocksdb

namespace casework::storage {

struct StoreOptions {
  // Directory of the RocksDB database; created if missing.
  std::string path;
  // Sync the write-ahead log before a write returns. Default: true.
  // false acknowledges commands once they are in the OS page cache: a process
  // crash loses nothing, but a power cut or kernel panic may lose the last
  // acknowledged commands. For development and benchmarks only.
  bool sync = true;
  // Block cache for reads, in bytes, shared by every column family.
  // Default: 24 MiB (docs/storage.md says why).
  size_t block_cache_bytes = 24 << 20;
  // Memtables of all column families together, in bytes (a RocksDB
  // WriteBufferManager); a quarter of min_free_bytes if that is less.
  // Default: 32 MiB.
  size_t memtable_bytes = 32 << 20;
  // How long a request record (what makes a retried request_id answer with
  // its first commit) is kept after its command: older records are dropped
  // as RocksDB compacts them (so they may live somewhat longer; never
  // shorter). A retry after that is a new command. Zero keeps them for ever.
  // Default: zero (caseworkd: 30 days, --request_retention_days).
  absl::Duration request_retention = absl::ZeroDuration();
  // The clock request records are aged by; null: the system clock.
  const Clock* clock = nullptr;
  // Test hook; null in production. Default: null.
  std::shared_ptr<FaultInjector> faults = nullptr;
  // Compress table files (LZ4, every level). false: stored
  // bytes are written as they are, so a test can search the files for a
  // value. Default: true.
  bool compression = true;
  // Seals personal data (docs/data-protection.md): the engine seals what it
  // writes with it, and every read here (events, read-model rows) opens
  // what it finds. Null: nothing is sealed, and a directory that holds
  // sealed data refuses to open. Fixed at Open. Default: null.
  std::shared_ptr<privacy::Sealer> sealer = nullptr;
  // With a sealer: the readers' cache of opened rows, in bytes
  // (storage/opened_rows.h); 0 keeps none. Default: 8 MiB.
  size_t opened_row_cache_bytes = 8 << 20;
  // The readers' cache of parsed summary rows, in bytes
  // (storage/parsed_rows.h); 0 keeps none. Default: 8 MiB.
  size_t parsed_row_cache_bytes = 8 << 20;
  // Free-space floor, in bytes, of the filesystem holding `path`. While less
  // is free, writes are refused (UNAVAILABLE, reason STORAGE_SPACE_LOW); they
  // resume once more than the floor plus an eighth of it (at most 64 MiB
  // more) is free. Open
  // refuses to start below the floor (RESOURCE_EXHAUSTED) without creating
  // anything. A floor also sizes RocksDB so that what it may still write
  // after writes stop fits under it: memtables and the write-ahead log are
  // at most a quarter of the floor each (at most 64 MiB) and a compaction
  // must leave half of it free. 0 disables all of this. Fixed at Open.
  // Default: 0 (caseworkd: 256 MiB, --min_free_disk_mb).
  uint64_t min_free_bytes = 0;
  // Cap, in bytes, on the table files RocksDB's SstFileManager counts for
  // this directory; at the cap writes are refused like below the floor. An
  // event store does not shrink, so writes resume only once the cap is
  // raised. 0: no cap. Fixed at Open. Default: 0 (caseworkd: --max_data_mb).
  uint64_t max_data_bytes = 0;
};

// The space the store sees, for health reporting and the operator.
struct SpaceReport {
  // Free bytes on the data directory's filesystem (available to
  // unprivileged users; the injected figure in tests).
  uint64_t free_bytes = 0;
  // Bytes of table files RocksDB tracks for the directory.
  uint64_t data_bytes = 0;
  // OK while writes are accepted; otherwise why they are refused.
  absl::Status writes;
};

// What RocksDB says of the open data directory, for the metrics endpoint.
// Summed over the column families where RocksDB counts per family.
struct StoreProperties {
  uint64_t free_bytes = 0;                // free space on the filesystem
  uint64_t table_bytes = 0;               // live table files
  uint64_t wal_bytes = 0;                 // live write-ahead log files
  uint64_t memtable_bytes = 0;            // memtables, active and unflushed
  uint64_t block_cache_bytes = 0;         // block cache in use
  uint64_t block_cache_capacity = 0;
  uint64_t table_readers_bytes = 0;       // open tables' index and filter blocks
  uint64_t pending_compaction_bytes = 0;  // estimated bytes compaction must rewrite
  uint64_t running_compactions = 0;
  bool writes_stopped = false;            // RocksDB stopped writes (a write stall)
  uint64_t delayed_write_rate = 0;        // bytes/s while writes are slowed, else 0
};

// A read-model row as stored: the rows the workflows derive, unchanged.
using StoredRow = workflow::Row;

// The writes of one group of commands. Built by the engine, applied by
// EventStore::Write atomically.
class StoreBatch {
 public:
  ~StoreBatch();
  StoreBatch(StoreBatch&&) noexcept;
  StoreBatch& operator=(StoreBatch&&) noexcept;

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
  // Bytes staged (RocksDB's encoding of the batch).
  size_t bytes() const;
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
  // Opens (creating if needed) the data directory. Every failure names the
  // directory and its cause, with a casework.v1.ErrorInfo reason:
  //   UNAVAILABLE         DATA_DIR_LOCKED: another process (or store) has it open
  //   FAILED_PRECONDITION DATA_DIR_NOT_A_DIRECTORY: the path is a file
  //   FAILED_PRECONDITION DATA_DIR_WRONG_FORMAT: another format version, or
  //                       a RocksDB directory that is not casework's
  //   PERMISSION_DENIED   DATA_DIR_PERMISSION_DENIED: it cannot be written
  //   DATA_LOSS           DATA_DIR_DAMAGED: RocksDB finds it corrupt or
  //                       incomplete (e.g. CURRENT names a missing manifest)
  //   RESOURCE_EXHAUSTED  DISK_SPACE_LOW: less free than min_free_bytes, or
  //                       the disk filled while opening
  //   UNAVAILABLE         DATA_DIR_OPEN_FAILED: anything else RocksDB reports
  // A failed Open leaves nothing behind: a directory it created is removed,
  // and in an existing one the files the attempt created are deleted unless
  // RocksDB had already made them part of the database.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const StoreOptions& options);

  // Flushes the memtables (so the next open replays no WAL) and closes.
  ~EventStore();

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // --- Reads (thread-safe) ---

  // Events of `stream` from version `from_version` (>= 1), at most `limit`.
  // With `open` false, sealed fields stay sealed (a subject access export
  // opens only its person's).
  absl::StatusOr<std::vector<v1::EventEnvelope>> ReadStream(absl::string_view stream,
                                                            int64_t from_version, int limit,
                                                            bool open = true) const;
  // Events of the global log from `from_position` (>= 1), at most `limit`.
  absl::StatusOr<std::vector<v1::EventEnvelope>> ReadLog(uint64_t from_position,
                                                         int limit) const;
  // Calls `fn` for each event from `from_position` in order, opened, until
  // it returns false or the log ends. Parses each envelope once and opens
  // only the events `fn` sees; for pages of the log (ReadLog, the feed).
  absl::Status ScanLog(uint64_t from_position,
                       const std::function<bool(const v1::EventEnvelope&)>& fn) const;
  // As ScanLog, but a second thread reads (and, if `open`, opens) the next
  // chunk of events while `fn` handles this one, on the calling thread: for
  // folds of the whole log (rebuilds, checks, exports), where reading is a
  // third of the work. It reads at most one chunk that `fn` may not need,
  // and keeps none of the log's blocks in the block cache. A caller that
  // needs few of the events passes `open` false and opens those itself.
  absl::Status ScanLogReadingAhead(uint64_t from_position,
                                   const std::function<bool(const v1::EventEnvelope&)>& fn,
                                   bool open = true) const;
  // The stream's current version, 0 if it has no events.
  absl::StatusOr<int64_t> StreamVersion(absl::string_view stream) const;
  // The highest committed global position (0 when the log is empty).
  uint64_t LastPosition() const { return last_position_.load(std::memory_order_acquire); }

  absl::StatusOr<std::optional<internal::StateRecord>> GetState(absl::string_view stream) const;
  // Compacts the request records now, dropping those past
  // StoreOptions::request_retention (RocksDB otherwise does it as it
  // compacts on its own).
  absl::Status CompactRequests();
  // Flushes every memtable (so the write-ahead logs holding them are
  // deleted) and compacts every column family to its bottom level, so
  // deleted and overwritten values leave the files. Thread-safe; writes
  // continue meanwhile. After an erasure (docs/data-protection.md).
  absl::Status CompactAll();

  absl::StatusOr<std::optional<internal::RequestRecord>> GetRequest(absl::string_view key) const;
  // Calls `fn` with each request record and its key, in key order, until it
  // returns false. For moving a partnership (storage/transfer.h).
  absl::Status ScanRequests(
      const std::function<bool(absl::string_view key, const internal::RequestRecord&)>& fn) const;
  // The last number handed out by sequence `name`, 0 if none.
  absl::StatusOr<int64_t> GetSequence(absl::string_view name) const;
  // Every sequence whose name starts with `prefix`, with its last number,
  // in name order.
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> ScanSequences(
      absl::string_view prefix) const;
  absl::StatusOr<std::optional<std::string>> GetRow(absl::string_view key) const;
  // Rows whose key starts with `prefix` and sorts after `start_after` (empty:
  // from the first), in key order, at most `limit`. With `open` false,
  // values are as stored (sealed ones stay sealed: OpenRow opens one).
  absl::StatusOr<std::vector<StoredRow>> ScanRows(absl::string_view prefix,
                                                  absl::string_view start_after, int limit,
                                                  bool open = true) const;
  // A row value as ScanRows(open = false) returned it, opened (as it is
  // when it is not sealed). With `remember`, through the readers' cache of
  // opened rows (found there, or kept there); the writer, which keeps its
  // own, passes false and opens it.
  absl::StatusOr<std::string> OpenRow(std::string stored, bool remember = true) const;
  // The readers' cache of opened rows: the writer adds the summary rows it
  // writes, and an erasure empties it as it destroys each key
  // (storage/erasure.h).
  OpenedRows& opened_rows() const { return *opened_rows_; }
  // The readers' cache of parsed summary rows (ReadStateMessage): Write
  // forgets the rows each batch changed, InvalidateReaders all of them.
  ParsedRows& parsed_rows() const { return *parsed_rows_; }
  // A watch over the streams `picks` chooses (storage/stream_watch.h),
  // raised from now on by every write that adds an event to one of them.
  // Thread-safe.
  std::shared_ptr<const StreamWatch> WatchStreams(
      std::function<bool(absl::string_view stream)> picks);
  // Empties the parsed rows and raises every watch: after a change that did
  // not pass through Write (a failed write, a replaced range, an erasure,
  // which changes what stored values open to). Thread-safe.
  void InvalidateReaders();

  // Timers whose fire-at time is at or before `now_unix_seconds`, in firing
  // order, at most `limit`, with their keys; with `after`, only those whose
  // key sorts after it.
  absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> DueTimers(
      int64_t now_unix_seconds, int limit, absl::string_view after = {}) const;
  // Every timer, in firing order (for verification).
  absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> AllTimers() const;

  // --- Writes (one thread: the engine's writer) ---

  StoreBatch NewBatch() const;
  // Applies `batch` atomically, syncing the WAL first when options.sync.
  // UNAVAILABLE (reason STORAGE_SPACE_LOW) without writing while space is
  // short (see StoreOptions::min_free_bytes), or when the disk turns out to be
  // full; UNAVAILABLE (STORAGE_WRITE_FAILED), and every later call too, if
  // the write or the sync fails for another reason.
  absl::Status Write(StoreBatch& batch);
  // OK while writes are accepted, else the error Write would return. While
  // writes are refused for lack of space it looks at the free space again,
  // and resumes writes (reopening RocksDB first if a write met a full disk)
  // once there is enough. Thread-safe.
  absl::Status write_status();
  // Looks at the free space now, resuming or refusing writes as write_status
  // does, and reports it. Thread-safe; for a periodic health check.
  SpaceReport CheckSpace();
  // RocksDB's figures now (StoreProperties). Thread-safe.
  StoreProperties Properties() const;
  // Takes an online backup into `dir` (created if missing) while writes go
  // on, then keeps the newest `keep` backups there (0: all). UNAVAILABLE
  // (BACKUP_FAILED) naming the cause. One at a time; thread-safe
  // (storage/backup.h).
  absl::StatusOr<BackupReport> Backup(const std::string& dir, int keep);
  // Calls `listener` with the new last position after every write that
  // committed events, on the writer's thread: it must only note the
  // position and return (the event feed wakes its subscribers with it).
  // Null: none. Thread-safe.
  void SetCommitListener(std::function<void(uint64_t)> listener);

  // A key and the value it is to have, viewed (ReplaceRows).
  using KeyValue = std::pair<absl::string_view, absl::string_view>;
  // Replaces every read-model row under `prefix` with `rows` (sorted or not;
  // of a key given twice, the later; already sorted, they are not sorted
  // again). Only what differs is written: a row already stored with its
  // value is left as it is, so a rebuild that changes few rows writes few.
  // The stored rows and the given ones are merged in key order. The first
  // `batch_bytes` or so of what differs is one synced batch; the rest, if
  // any (a rebuild of millions of rows), goes into table files of about
  // kReplaceTableFiles batches each, written in the data directory's
  // "replacing" directory and taken in whole by RocksDB (IngestExternalFile):
  // no memtable, no write-ahead log, and the batch's write has made any key
  // binding the rows' sealing needs durable first. Not atomic: a crash in
  // between leaves the first batch's rows replaced and the rest as they were
  // (RebuildDerived marks the derived data as to be rebuilt until it has
  // finished). For read-model rebuilds, while no engine writes.
  static constexpr size_t kReplaceBatchBytes = 4 << 20;
  static constexpr size_t kReplaceTableFiles = 16;
  absl::Status ReplaceRows(absl::string_view prefix, std::vector<KeyValue> rows,
                           size_t batch_bytes = kReplaceBatchBytes);
  // A value of the store's own bookkeeping ("meta/{name}" in the default
  // family), or nullopt. Thread-safe.
  absl::StatusOr<std::optional<std::string>> GetMeta(absl::string_view name) const;
  // Sets one, synced. For maintenance (no engine writing).
  absl::Status PutMeta(absl::string_view name, absl::string_view value);
  // Replaces every timer with `timers` (key, record) as ReplaceRows does
  // rows: only what differs, a batch and then table files, not atomic.
  absl::Status ReplaceTimers(const std::map<std::string, internal::TimerRecord>& timers,
                             size_t batch_bytes = kReplaceBatchBytes);
  // Replaces every state record with `records` (stream, serialised
  // StateRecord; in key order, each stream once) as ReplaceRows does rows:
  // a record of a stream not given is deleted. Not atomic.
  absl::Status ReplaceStates(const std::vector<KeyValue>& records,
                             size_t batch_bytes = kReplaceBatchBytes);

  const StoreOptions& options() const { return options_; }
  // The sealer of personal data, or null (StoreOptions::sealer).
  privacy::Sealer* sealer() const { return options_.sealer.get(); }
  // True if Open created the data directory (it did not exist before).
  bool created() const { return created_; }

  struct Handles;   // one open RocksDB instance, defined in event_store.cc
  struct Families;  // the column families' ids, for building batches

 private:
  EventStore(StoreOptions options, std::unique_ptr<Handles> handles, uint64_t last_position);

  // Opens an event's sealed fields when sealing is on.
  absl::Status OpenEvent(v1::EventEnvelope& event) const;
  // A run of consecutive events of the log, read and opened together.
  struct LogChunk {
    std::vector<v1::EventEnvelope> events;  // parsed into again, chunk after chunk
    size_t used = 0;                        // events[0, used) are this chunk's
    bool more = false;                      // the log goes on after them
  };
  // The merge behind ReplaceRows, ReplaceTimers and ReplaceStates: makes
  // the keys under `prefix` of the family `Handles::*family` exactly
  // `wanted` (in key order, each key once).
  absl::Status ReplaceRange(rocksdb::ColumnFamilyHandle* Handles::*family,
                            absl::string_view prefix, const std::vector<KeyValue>& wanted,
                            size_t batch_bytes);
  // Reads into `chunk` up to `max_events` events (and at most about 4 MiB)
  // from position `from`, each opened if `open`. With `fill_cache` false
  // the blocks read are not kept in the block cache (a scan of the whole
  // log, which would otherwise evict what serving reads).
  absl::Status ReadLogChunk(uint64_t from, size_t max_events, bool open, bool fill_cache,
                            LogChunk& chunk) const;
  // The open instance for a read; UNAVAILABLE if none is open (a reopen
  // after a full disk failed). REQUIRES: db_mu_ held (shared).
  absl::StatusOr<const Handles*> Db() const ABSL_SHARED_LOCKS_REQUIRED(db_mu_);
  // The space check behind write_status and CheckSpace.
  absl::Status CheckSpaceLocked(SpaceReport* report) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Records a failed write (space: refused until space is back and the
  // database reopened; anything else: every later write fails).
  absl::Status WriteFailedLocked(const rocksdb::Status& s)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Closes RocksDB and opens it again after a write met a full disk.
  absl::Status ReopenLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  uint64_t FreeBytes() const;
  uint64_t DataBytes() const;

  StoreOptions options_;
  bool created_ = false;
  std::unique_ptr<Families> families_;
  std::atomic<uint64_t> last_position_;
  const std::unique_ptr<OpenedRows> opened_rows_;
  const std::unique_ptr<ParsedRows> parsed_rows_;
  absl::Mutex watches_mu_;
  std::vector<std::shared_ptr<StreamWatch>> watches_ ABSL_GUARDED_BY(watches_mu_);

  // Guards which RocksDB instance is open: reads hold it shared, a reopen
  // exclusively.
  mutable absl::Mutex db_mu_;
  std::unique_ptr<Handles> h_ ABSL_GUARDED_BY(db_mu_);

  // One backup at a time.
  absl::Mutex backup_mu_;

  // Serialises writes, space checks and reopens.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(db_mu_);
  absl::Status write_error_ ABSL_GUARDED_BY(write_mu_);  // sticky
  std::function<void(uint64_t)> commit_listener_ ABSL_GUARDED_BY(write_mu_);
  bool space_low_ ABSL_GUARDED_BY(write_mu_) = false;    // refused for space
  bool needs_reopen_ ABSL_GUARDED_BY(write_mu_) = false; // a write met ENOSPC
  absl::Status space_error_ ABSL_GUARDED_BY(write_mu_);  // why, while space_low_
  absl::Time last_reopen_attempt_ ABSL_GUARDED_BY(write_mu_) = absl::InfinitePast();
  std::atomic<bool> writes_ok_{true};  // fast path of write_status
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_EVENT_STORE_H_
