// Rebuilding and verifying what the store derives from the log.
//
// The log is the truth; stream index, state records and read-model rows are
// derived from it in the same batch as the events. ComputeDerived folds the
// whole log once with the workflows' own Apply and Rows; VerifyStore compares
// the result with what is stored, and RebuildDerived overwrites the stored
// copies with it (an operator's repair, run while no engine is writing).
#ifndef CASEWORK_STORAGE_REBUILD_H_
#define CASEWORK_STORAGE_REBUILD_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/event_store.h"
#include "workflow/registry.h"

namespace casework::storage {

// Everything derived from the log, as a fold of it.
struct Derived {
  struct StreamState {
    const workflow::Workflow* workflow = nullptr;
    std::shared_ptr<google::protobuf::Message> state;
    int64_t version = 0;
    // True once an event of the stream recorded a policy version.
    bool policy_versions_recorded = false;
  };
  // A read-model row: its key, its value and, when it holds a message which
  // may hold personal data, the message's type and the stream that implied
  // it (a key of `streams`): what sealing it needs. Both null for any other
  // row.
  struct Row {
    std::string key;
    std::string value;
    const google::protobuf::Descriptor* type = nullptr;
    const std::string* stream = nullptr;
  };
  // Keyed by stream name; a node map, so `Row::stream` stays valid.
  absl::node_hash_map<std::string, StreamState> streams;
  // Read-model rows of every registered workflow in key order, one per key:
  // where the log implies a key more than once, a later event's row wins
  // over an earlier one's, and a final state's row over any event's.
  std::vector<Row> rows;
  // Timers implied by the final states, by key.
  std::map<std::string, internal::TimerRecord> timers;
  uint64_t events = 0;
  // Events whose envelope disagrees with the fold (a policy version other
  // than the one the case is pinned to), one line each.
  std::vector<std::string> event_problems;
};

// Folds the whole log with the workflows of `registry`. DATA_LOSS if
// positions or stream versions have gaps or an event is of a stream no
// workflow owns. `time_zone` places timers (EngineOptions::time_zone).
absl::StatusOr<Derived> ComputeDerived(
    const EventStore& store, const absl::TimeZone& time_zone,
    const workflow::Registry& registry = workflow::Workflows());

struct VerifyReport {
  uint64_t events = 0;
  uint64_t streams = 0;
  uint64_t rows = 0;
  uint64_t timers = 0;
  // One line per difference, e.g. "row missing: actions/eastbrook/all/000000000003".
  std::vector<std::string> problems;
};

// Compares stored state records, stream index, read-model rows (under every
// row namespace of `registry`) and timers with a fold of the log.
absl::StatusOr<VerifyReport> VerifyStore(
    const EventStore& store, const absl::TimeZone& time_zone,
    const workflow::Registry& registry = workflow::Workflows());

// The shape of everything derived from the log (state records, rows,
// timers). Bumped by a change that derives differently from the same events
// (a new row key, a summary row, a state schema); a data directory derived
// by an older build is rebuilt once, when it is opened to serve.
//   1: the first release.
//   2: action notes as rows, summary rows, case review appeals, ledger keys
//      by reported date.
//   3: actions indexed by their source (a panel meeting's minutes).
//   4: the parties on each case (receiving, raising, recording and
//      organising agencies; a panel case's member agencies).
//   5: closed cases indexed for their retention review.
//   6: the complaints a case review's threshold weighed as a row of their
//      own, out of the review's state.
inline constexpr int kDerivedFormat = 6;

// The derived format of `store`: 1 for a directory that never recorded one.
absl::StatusOr<int> DerivedFormat(const EventStore& store);
// Records kDerivedFormat: what is derived in `store` is this build's.
absl::Status RecordDerivedFormat(EventStore& store);
// Records format 0: what is derived in `store` is about to be rewritten in
// more than one write, and the next start is to rebuild it should this
// process stop before RecordDerivedFormat.
absl::Status MarkDerivedStale(EventStore& store);

// If `store` was derived by an older format, rebuilds everything derived
// (RebuildDerived) and records kDerivedFormat; returns whether it rebuilt.
// REQUIRES: no engine is writing to `store`.
absl::StatusOr<bool> UpgradeDerived(EventStore& store, const absl::TimeZone& time_zone,
                                    const workflow::Registry& registry = workflow::Workflows());

// Replaces state records, read-model rows and timers with a fold of the log,
// in batches (EventStore::ReplaceRows), and records kDerivedFormat. Until it
// has, the directory's derived format reads 0: a start after a crash in the
// middle rebuilds again (UpgradeDerived).
// REQUIRES: no engine is writing to `store`.
absl::Status RebuildDerived(EventStore& store, const absl::TimeZone& time_zone,
                            const workflow::Registry& registry = workflow::Workflows());

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_REBUILD_H_
