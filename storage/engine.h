// The command engine: one group of commands at a time runs every mutating
// command through decide/apply and commits the whole group with one synced
// write.
//
//   caller thread                 writer thread
//   -------------                 -------------
//   Submit(cmd) --queue-->        take every queued command (a group)
//   (returns at once)             for each: idempotency check, load state
//                                   (cache -> state record + tail events),
//                                   expected-version check, Decide, Apply,
//                                   read-model row diff, stage in the batch
//                                 one EventStore::Write (WAL synced)
//                                 hand every outcome to the completion thread,
//                                   which calls each command's `done`
//
// A unary call's thread that finds no group being written takes the
// writer's part itself (SubmitOrRun): it writes the group, gives the part
// back, and then calls the group's `done`s. On an idle server that saves
// two thread wake-ups per call, which cost about as much as deciding and
// staging a command.
// Under load the writer thread is busy and the call only queues. "The
// writer" below is whichever thread writes the current group: groups never
// overlap, and each starts after the previous one ended (under the
// engine's lock), so the writer's state needs no lock of its own.
//
// A command's `done` runs only after its writes are durable, or with the
// error that stopped it, and never while its thread holds the writer's part:
// on the engine's completion thread, or on the thread that wrote the group
// after it gave the part back. A command that fails to decide writes
// nothing and does not disturb the others in its group. Decisions fold
// their events into the cached state in place (no copy of the state per
// command); an internal error after that point (an applier or row bug)
// abandons the whole group, whose other commands are answered ABORTED to
// be retried. Because one group is decided at a time, commands on the same
// stream are serialised without locks and a command sees the effects of
// those before it in the same group.
#ifndef CASEWORK_STORAGE_ENGINE_H_
#define CASEWORK_STORAGE_ENGINE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "casework/v1/common.pb.h"
#include "storage/clock.h"
#include "storage/event_store.h"
#include "storage/scanned_ranges.h"
#include "workflow/time/calendar.h"
#include "workflow/kernel/command.h"
#include "workflow/kernel/workflow.h"

namespace casework::storage {

// Identity and bookkeeping of one mutating command.
struct CommandMeta {
  // Fully qualified method, e.g. "casework.v1.ActionService/CreateAction".
  std::string method;
  // The caller's idempotency key. Required. Scoped to the actor's agency:
  // the same id on another method or with another request is refused.
  std::string request_id;
  // Fingerprint of the request without its request_id (see Fingerprint()).
  uint64_t fingerprint = 0;
  v1::Actor actor;
  std::string correlation_id;
  std::string causation_id;
};

// One command of a workflow, as the engine runs it. Build it with
// MakeCommand; the caller sets the actor, correlation id and `done`.
struct Command {
  CommandMeta meta;
  // What to run, and on what (CommandType::AddressOf the request).
  const workflow::CommandType* type = nullptr;
  std::shared_ptr<const google::protobuf::Message> request;
  workflow::Address address;
  // The working-day calendar the decision may use (DecideContext::calendar).
  std::shared_ptr<const workflow::Calendar> calendar;
  // Called exactly once: with the serialised reply once durable, or with the
  // error. `replayed` is true when the call is a retry of an earlier one with
  // the same request_id: the reply then carries the original CommitInfo (same
  // versions and positions) and the stream's current state. Runs on the
  // engine's completion thread, or (SubmitOrRun) on the thread that wrote
  // the command's group once it gave the writer's part back; the `done`s
  // of different commands may run at the same time. It must not block
  // (finish the call and return).
  std::function<void(absl::StatusOr<std::string> reply, bool replayed)> done;
};

// The engine command for `request` of command `type`: its method,
// request_id, fingerprint and address. `request` must have passed
// type.Validate. The actor, correlation id and `done` are the caller's.
Command MakeCommand(const workflow::CommandType& type,
                    std::shared_ptr<const google::protobuf::Message> request,
                    std::shared_ptr<const workflow::Calendar> calendar);

// Events a stream moves past its state record before the engine writes it
// again (EngineOptions::state_record_interval). A rebuild writes records
// only for streams at least this long: shorter ones are folded whole.
inline constexpr int64_t kStateRecordInterval = 32;

struct EngineOptions {
  // Stream states kept in memory by the writer, at most. Default: 100000.
  size_t state_cache_entries = 100000;
  // Memory of the states kept, at most, least recently used going first
  // (estimated as ParsedMessageBytes of their serialised size plus 256
  // bytes per state).
  // Default: 32 MiB.
  size_t state_cache_bytes = 32 << 20;
  // The index ranges decisions read (a complainant's or locality's ledger
  // window), kept by the writer with their values opened, so that the next
  // decision there reads them from memory: no seek through the store and
  // nothing to open. The writer keeps each range exact: the rows it writes
  // or deletes inside one are changed in it once durable, and an erasure
  // empties them all. At most this much memory; one prefix's range takes
  // at most a quarter of it, and the prefixes read least recently go first
  // (storage/scanned_ranges.h). 0: none.
  // Default: 8 MiB.
  size_t row_cache_bytes = 8 << 20;
  // Most commands committed in one group (one synced write). Default: 512.
  size_t max_group_commands = 512;
  // A stream's state record is rewritten once the stream has moved this many
  // events past it, so loading a state replays fewer events than this after
  // its record. 1 writes it on every command. Default: 32.
  int64_t state_record_interval = kStateRecordInterval;
  // The zone of civil dates: DecideContext::today and timer firing days.
  // Default: UTC; caseworkd uses Europe/London.
  absl::TimeZone time_zone = absl::UTCTimeZone();
};

// How long one kind of command held the writer thread.
struct WriterHold {
  uint64_t commands = 0;
  absl::Duration total;
  absl::Duration longest;
};

// A distribution of observations in fixed buckets, for the metrics
// endpoint: counts[i] observations were at most bounds[i] (and above the
// bound before); the last count is the rest.
struct Distribution {
  explicit Distribution(std::vector<double> b) : bounds(std::move(b)), counts(bounds.size() + 1) {}
  void Add(double value) {
    size_t i = 0;
    while (i < bounds.size() && value > bounds[i]) ++i;
    ++counts[i];
    sum += value;
  }
  std::vector<double> bounds;
  std::vector<uint64_t> counts;
  double sum = 0;
};

struct EngineStats {
  uint64_t commands = 0;         // commands completed (any outcome)
  uint64_t groups = 0;           // synced writes
  uint64_t replays = 0;          // retries answered from the idempotency record
  uint64_t state_loads = 0;      // states read from the state family
  uint64_t replayed_events = 0;  // events folded to rebuild states
  uint64_t state_records = 0;    // state records written
  // "privacy/uses" rows written: one per stream and key the first time this
  // engine seals something of the stream with the key, again only after
  // the stream's state has left the state cache.
  uint64_t use_rows = 0;
  uint64_t aborted_groups = 0;   // groups abandoned after an internal error
  // Writer time spent deciding and staging each method's commands (not the
  // group's synced write), by method.
  std::map<std::string, WriterHold> holds;
  uint64_t cache_hits = 0;       // states found in the writer's state cache
  uint64_t row_cache_hits = 0;   // rows a decision scanned, from ranges_ kept
  uint64_t row_cache_misses = 0; // rows a decision scanned, read from the store
  uint64_t row_cache_bytes = 0;  // memory of the scanned ranges kept
  // Each group's synced write (the group commit, its fsync included), in
  // seconds, and the commands it carried.
  Distribution write_seconds{{0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}};
  Distribution group_commands{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}};
};

// Rows that ride with the next group of commands, in its batch (one synced
// write): the audit log's entries. `stage` adds them to the batch, on the
// writer, with the group's time (it must not block); `done` runs where a
// command's would (Command::done) once they are durable, or with the error
// that stopped them (the group's write failed, or was abandoned: ABORTED).
struct SideWrite {
  std::function<void(StoreBatch& batch, absl::Time now)> stage;
  std::function<void(absl::Status written)> done;
};

// A stream's state as of a version.
struct LoadedState {
  std::shared_ptr<const google::protobuf::Message> state;
  int64_t version = 0;
};

// The timers-family key and record of `spec` on `stream`: it fires at the
// start of spec.fire_on in `time_zone`.
std::pair<std::string, internal::TimerRecord> TimerEntry(absl::string_view stream,
                                                         const workflow::TimerSpec& spec,
                                                         const absl::TimeZone& time_zone);

// FNV-1a 64 of `message` serialised deterministically with its `request_id`
// field (if any) cleared: what a retry must repeat exactly.
uint64_t Fingerprint(const google::protobuf::Message& message);

// The state record of a `workflow` state at `version`: `stored` is the
// state serialised and, when sealing is on, sealed (what LoadState reads).
internal::StateRecord StateRecordOf(const workflow::Workflow& workflow, int64_t version,
                                    std::string stored);

// Reads `stream`'s state from the store: the stored state record, then the
// events after it (fewer than EngineOptions::state_record_interval); the
// whole stream if the record is missing or of another schema.
// `replayed_events`, if given, is increased by the events folded.
absl::StatusOr<LoadedState> LoadState(const EventStore& store,
                                      const workflow::Workflow& workflow,
                                      absl::string_view stream,
                                      uint64_t* replayed_events = nullptr);

// The state of `stream` after its first `version` events, folded from the
// log without its state record (for verification).
absl::StatusOr<std::shared_ptr<google::protobuf::Message>> FoldStream(
    const EventStore& store, const workflow::Workflow& workflow, absl::string_view stream,
    int64_t version);

class Engine {
 public:
  // Starts the writer and completion threads. `store` and `clock` must
  // outlive the engine.
  Engine(EventStore* store, const Clock* clock, EngineOptions options = {});
  // Stop()s.
  ~Engine();

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues `command`. Never blocks on disk. After Stop(), fails the command
  // with UNAVAILABLE at once.
  void Submit(Command command);
  // Queues `commands` together: they are committed in one group (one synced
  // write) when there are at most EngineOptions::max_group_commands.
  void SubmitAll(std::vector<Command> commands);
  // Queues rows for the next group (see SideWrite). After Stop(), fails them
  // with UNAVAILABLE at once.
  void SubmitSideWrite(SideWrite write);

  // Like Submit and SubmitSideWrite, for a caller with nothing else to do
  // until the answer (a unary call): when no group is being written, the
  // calling thread writes one itself (its command and whatever else is
  // queued) and then calls the group's `done`s, instead of waking the writer
  // thread and then the completion thread. It then returns after the
  // group's synced write. When a group is being written, only queues, like
  // Submit. Not for a caller that submits many commands in turn: each would
  // be written alone.
  void SubmitOrRun(Command command);
  void SubmitSideWriteOrRun(SideWrite write);

  // Finishes every queued command (and calls every `done`), then stops the
  // threads. Idempotent.
  void Stop();

  EngineStats stats() const;
  // Commands waiting for the writer now.
  size_t queued() const;

 private:
  struct Group;
  struct GroupStream;
  struct Target;
  struct CacheEntry {
    std::shared_ptr<google::protobuf::Message> state;
    int64_t version = 0;
    int64_t persisted_version = 0;  // of the stored state record
    std::vector<std::string> keys_marked;  // GroupStream::keys_marked
    size_t bytes = 0;
    std::list<std::string>::iterator lru;
  };
  // A command's outcome, for its `done`.
  struct Completion {
    std::function<void(absl::StatusOr<std::string> reply, bool replayed)> done;
    absl::StatusOr<std::string> reply;
    bool replayed = false;
  };

  // The writer thread: takes group after group while no other thread
  // writes one.
  void Run();
  // Moves the next group out of the queues and marks a group as being
  // written. REQUIRES: mu_ held, no group being written.
  void TakeGroupLocked(std::vector<Command>& group, std::vector<SideWrite>& side);
  // With `lock` on mu_: unless a group is being written, writes the next one
  // on this thread and then calls its `done`s (SubmitOrRun).
  void RunHereIfIdle(std::unique_lock<std::mutex>& lock);
  // The completion thread.
  void Complete();
  // Decides, stages and writes one group; returns every outcome (its
  // commands', then its side writes') for their `done`s.
  std::vector<Completion> CommitGroup(std::vector<Command>& commands, std::vector<SideWrite>& side);
  void HandToCompleter(std::vector<Completion> outcomes);
  // Decides one command into `group`; returns its outcome for `done`.
  absl::StatusOr<std::string> Prepare(Command& command, Group& group, bool* replayed);
  // The request record of `request_key` (the group's, else the store's).
  absl::StatusOr<std::optional<internal::RequestRecord>> FindRequest(
      const Command& command, const std::string& request_key, const Group& group);
  // The answer to a retry: the original commit, the stream's current state.
  absl::StatusOr<std::string> Replay(const Command& command, internal::RequestRecord& prior,
                                     Group& group);
  // The stream `command` goes to: by natural key, numbered, or as addressed.
  absl::StatusOr<Target> Resolve(const Command& command, const Group& group);
  // Folds `events` into `current` (a stream's state in the group, or, when
  // `fresh`, a new stream's state moved into the group) and stages them with
  // the state record, rows and timers they imply (engine_stage.cc).
  absl::StatusOr<GroupStream*> Stage(const Command& command, const std::string& stream,
                                     GroupStream* current, bool fresh,
                                     const workflow::Events& events,
                                     const google::protobuf::Timestamp& recorded, Group& group);
  // The group's copy of `stream`'s state (loaded from the cache or the store
  // on first use).
  absl::StatusOr<GroupStream*> Load(const workflow::Workflow& workflow,
                                    const std::string& stream, Group& group);
  // Keeps a written group's `state` (moved from: the group is done with it).
  void CachePut(const std::string& stream, GroupStream&& state);
  void CacheEvict(const std::string& stream);
  // After a group's write: the ranges the writer keeps take the rows it
  // wrote or deleted.
  void RowCacheWritten(const Group& g);
  // Rows under `prefix` whose remainder sorts after `after` and not after
  // `until` (empty: unbounded), the first `limit` of them if `limit` > 0:
  // the store's (what ranges_ holds of them, the rest read), with this
  // group's writes applied.
  absl::StatusOr<std::vector<workflow::Row>> ScanRows(absl::string_view prefix,
                                                      absl::string_view after,
                                                      absl::string_view until, int limit,
                                                      const Group& g);

  EventStore* const store_;
  const Clock* const clock_;
  const EngineOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Command> queue_;  // guarded by mu_
  std::vector<SideWrite> side_queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  bool writing_ = false;        // a group is being written; guarded by mu_

  // The writer's state (only the thread writing a group touches it).
  absl::flat_hash_map<std::string, CacheEntry> cache_;
  std::list<std::string> lru_;  // most recent at front
  size_t cache_bytes_ = 0;
  // The index ranges decisions scanned, opened (EngineOptions::
  // row_cache_bytes; storage/scanned_ranges.h).
  ScannedRanges ranges_;

  // Outcomes waiting for their `done`, run by the completion thread so the
  // writer never waits for a caller.
  std::mutex completion_mu_;
  std::condition_variable completion_cv_;
  std::vector<Completion> completions_;  // guarded by completion_mu_
  bool completion_stopping_ = false;     // guarded by completion_mu_

  mutable std::mutex stats_mu_;
  EngineStats stats_;

  std::thread writer_;
  std::thread completer_;
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_ENGINE_H_
