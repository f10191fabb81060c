// The audit log's writer and its indexes (proto/casework/v1/audit.proto).
//
// Entries are rows of the data directory outside every workflow's prefixes,
// so rebuilding read models never touches them, and nothing but this class
// writes them. Each entry rides with the engine's next group of commands, in
// its batch (storage::SideWrite: one synced write for both); the caller is
// told once it is durable, and a read is answered only after that. Each
// entry is written under three keys, all in time order:
//   audit/{p}/t/{time}{id}                        every entry
//   audit/{p}/r/{resource}/{time}{id}             by the record read
//   audit/{p}/u/{agency}/{user}/{time}{id}        by the person
// where {time} is the read's time in microseconds since 1970 and {id} the
// entry's number, each as 16 hex digits.
#ifndef CASEWORK_SERVICES_AUDIT_LOG_H_
#define CASEWORK_SERVICES_AUDIT_LOG_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "casework/v1/audit.pb.h"
#include "storage/engine.h"
#include "storage/event_store.h"

namespace casework::services {

class AuditLog {
 public:
  // Reads the last entry number from `store`. Every pointer must outlive
  // the log; entries are written until the engine stops.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(storage::EventStore* store,
                                                        storage::Engine* engine);
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Records `entry` for partnership `partnership`, setting its name and
  // read_time; `done` runs once the entry is durable, or with the write's
  // error, where an engine command's would (storage::Command::done; it must
  // not block). When no group is being written, the calling thread writes
  // the entry's group itself (storage::Engine::SubmitSideWriteOrRun).
  void Record(std::string partnership, v1::AuditEntry entry,
              std::function<void(absl::Status)> done);

  // The key prefixes of the three indexes, and the key part of a time
  // (what a scan from that time starts after).
  static std::string AllPrefix(absl::string_view partnership);
  static std::string ResourcePrefix(absl::string_view partnership, absl::string_view resource);
  static std::string PersonPrefix(absl::string_view partnership, absl::string_view agency,
                                  absl::string_view user);
  static std::string TimeKey(absl::Time time);
  // The read time a key of any index was written for.
  static absl::StatusOr<absl::Time> TimeOfKey(absl::string_view key);

 private:
  AuditLog(storage::Engine* engine, int64_t last_id) : engine_(engine), last_id_(last_id) {}
  // Adds `entry`'s rows to `batch` as read at `now`.
  void Stage(const std::string& partnership, v1::AuditEntry& entry, storage::StoreBatch& batch,
             absl::Time now);

  storage::Engine* const engine_;
  int64_t last_id_;  // only the engine's writer, in Stage (one group at a time)
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_AUDIT_LOG_H_
