// Erasure by crypto-shredding: destroying data subjects' keys and deriving
// again what was derived from the fields they sealed (docs/data-protection.md).
//
// An erasure is an event of the partnership's erasure log (casework.v1.
// SubjectErased). The engine stages, with it, one pending row per live key it
// destroys; once the group is durable it runs ApplyErasure on its writer
// thread: it folds every stream that used the keys (the "privacy/uses/"
// rows), destroys the keys, folds them again — now reading "[erased]" — and
// writes the difference of their read-model rows (so no index key keeps a
// person's reference), with an "erased" marker for each key in place of the
// pending row. Each key destroyed empties the store's cache of opened rows.
//
// Data rows (family "rows", outside every workflow's namespaces):
//   privacy/uses/{key id}/{stream} -> ""                (storage/keys.h)
//   privacy/pending/{key id}       -> casework.internal.ErasureRecord
//   privacy/erased/{key id}        -> casework.internal.ErasureRecord
//
// ReconcileErasures, at start-up before the engine runs, brings the data
// directory and the key store back in step: an erasure left pending (the
// server stopped before applying it) is applied; a key the data directory
// marks erased but the key store still holds (the key store was restored
// from an older backup) is destroyed; a key the key store erased that the
// data directory still uses without a marker (the data directory was
// restored from a backup taken before the erasure) has its read models
// rebuilt from the log and is returned, for the server to record it in the
// erasure log again.
#ifndef CASEWORK_STORAGE_ERASURE_H_
#define CASEWORK_STORAGE_ERASURE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "casework/internal/keys.pb.h"
#include "casework/v1/data_protection.pb.h"
#include "storage/event_store.h"
#include "workflow/kernel/registry.h"

namespace casework::storage {

// The names of the keys `erasure` destroys (privacy/sealer.h): a person's
// key, or every record key of the record (one per sealed subject).
std::vector<std::string> ErasureKeyNames(absl::string_view partnership,
                                         const v1::Erasure& erasure);

// The erasure record of the key store for `erasure`, issued by `actor`.
internal::ErasureRecord ErasureRecordOf(const v1::Erasure& erasure);

struct ErasureOutcome {
  std::vector<std::string> key_ids;  // destroyed
  std::vector<std::string> streams;  // derived again
};

// Destroys the keys of the pending rows `key_ids` and derives again the read
// models of every stream that used them, in one synced write that also
// replaces the pending rows by markers. REQUIRES: `store` has a sealer and
// nothing else writes to it meanwhile (the engine's writer, or start-up).
absl::StatusOr<ErasureOutcome> ApplyErasure(EventStore& store, const workflow::Registry& registry,
                                            const std::vector<std::string>& key_ids);

struct ReconcileReport {
  int applied = 0;     // pending erasures applied
  int redestroyed = 0; // keys the data directory marks erased, destroyed again
  bool rebuilt = false;
  // Erasures of the key store this data directory had not recorded (it
  // was restored from an older backup): the server records each in the
  // erasure log of the partnership of the first stream that used the key.
  struct Missing {
    internal::ErasureRecord record;
    std::string partnership;
  };
  std::vector<Missing> missing;
};

// See the file comment. REQUIRES: no engine is writing to `store`.
absl::StatusOr<ReconcileReport> ReconcileErasures(EventStore& store,
                                                  const absl::TimeZone& time_zone,
                                                  const workflow::Registry& registry);

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_ERASURE_H_
