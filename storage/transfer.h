// Moving a partnership from one data directory to another (docs/scaling.md,
// "Moving a partnership between instances").
//
// A partnership's data is independent of every other's: its streams
// ("partnerships/{p}/..."), their sequences, the idempotency records of the
// commands on them and its audit log. ExportPartnership writes them to a
// file; ImportPartnership appends them to another directory in the same
// order, at that directory's next global positions (stream versions, event
// ids, recorded times and actors are kept; only positions change), derives
// everything else again (a fold of the whole log) and compares the
// directory with the file, event by event (VerifyImport).
//
// The file holds personal data open (a directory's keys never leave it): the
// target seals it again with its own keys. So every item is sealed with a
// transfer key both operators hold (AES-256-GCM, the key file format of
// --master_key_file), bound to the export's id and the item's place: a
// changed, reordered, cut-short or mixed-up file is refused. Personal data
// erased at the source moves as "[erased]".
//
// Both run with no engine writing to the directory (caseworkd's offline
// modes). An import is one atomic write: it happens whole or not at all.
#ifndef CASEWORK_STORAGE_TRANSFER_H_
#define CASEWORK_STORAGE_TRANSFER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "privacy/cipher.h"
#include "storage/event_store.h"
#include "workflow/registry.h"

namespace casework::storage {

struct TransferReport {
  std::string partnership;
  uint64_t events = 0;
  uint64_t streams = 0;
  uint64_t sequences = 0;
  // Idempotency records moved, and those left behind because the target
  // already had a record under the same key (the same agency used the
  // request id for another partnership there): a retry of those commands
  // is answered by the target's own record.
  uint64_t requests = 0;
  uint64_t requests_conflicting = 0;
  uint64_t rows = 0;  // audit log rows
  // The partnership's events' global positions at the source, first and
  // last, and the source log's head when it was exported.
  uint64_t source_first_position = 0;
  uint64_t source_last_position = 0;
  uint64_t source_head = 0;
  // Import: where they are now (consecutive, in the same order).
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  absl::Duration took;
};

// Writes `partnership`'s data in `store` to `file` (mode 0600), sealed with
// `transfer_key`. Refuses (ALREADY_EXISTS) to overwrite a file; NOT_FOUND
// (PARTNERSHIP_NOT_FOUND) when the store holds nothing of the partnership.
// A failed export leaves no file.
absl::StatusOr<TransferReport> ExportPartnership(const EventStore& store,
                                                 absl::string_view partnership,
                                                 const privacy::Key256& transfer_key,
                                                 const std::string& file);

// Appends what `file` holds to `store` (sealing personal fields with its
// keys when it seals), then rebuilds everything derived and checks the
// import (VerifyImport). Refusals, nothing written:
// FAILED_PRECONDITION PARTNERSHIP_ALREADY_HERE when `store` holds any
// stream or sequence of the partnership; DATA_LOSS TRANSFER_FILE_DAMAGED
// when the file does not open with `transfer_key` or is changed or cut
// short. Should the process stop after the events are written, the next
// start rebuilds what is derived. REQUIRES: no engine is writing to `store`.
// `partnership` must be the one the file holds (FAILED_PRECONDITION
// TRANSFER_WRONG_PARTNERSHIP otherwise).
absl::StatusOr<TransferReport> ImportPartnership(
    EventStore& store, absl::string_view partnership, const privacy::Key256& transfer_key,
    const std::string& file, const absl::TimeZone& time_zone,
    const workflow::Registry& registry = workflow::Workflows());

// Checks `store` against `file`: every event at its stream version, equal
// but for its global position; every sequence and moved request record
// (positions mapped). DATA_LOSS naming the first difference.
absl::StatusOr<TransferReport> VerifyImport(const EventStore& store,
                                            const privacy::Key256& transfer_key,
                                            const std::string& file);

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_TRANSFER_H_
