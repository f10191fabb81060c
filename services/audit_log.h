// The audit log's writer and its indexes (proto/casework/v1/audit.proto).
//
// Entries are rows of the data directory outside every workflow's prefixes,
// so rebuilding read models never touches them, and nothing but this class
// writes them. A thread of its own takes every entry queued since its last
// write and writes them in one batch (synced like the engine's, and beside
// it: EventStore::WriteAlongside, so RocksDB can share one WAL sync between
// the two), then tells each caller; a read is answered only after that. Each entry is written
// under three keys, all in time order:
//   audit/{p}/t/{time}{id}                        every entry
//   audit/{p}/r/{resource}/{time}{id}             by the record read
//   audit/{p}/u/{agency}/{user}/{time}{id}        by the person
// where {time} is the read's time in microseconds since 1970 and {id} the
// entry's number, each as 16 hex digits.
#ifndef CASEWORK_SERVICES_AUDIT_LOG_H_
#define CASEWORK_SERVICES_AUDIT_LOG_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "casework/v1/audit.pb.h"
#include "storage/clock.h"
#include "storage/event_store.h"

namespace casework::services {

class AuditLog {
 public:
  // Reads the last entry number from `store`. Both pointers must outlive
  // the log.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(storage::EventStore* store,
                                                        const Clock* clock);
  // Writes what is queued, then stops.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Records `entry` for partnership `partnership`, setting its name and
  // read_time; `done` runs once the entry is durable, or with the write's
  // error, on the log's own thread (it must not block).
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
  struct Pending {
    std::string partnership;
    v1::AuditEntry entry;
    std::function<void(absl::Status)> done;
  };

  AuditLog(storage::EventStore* store, const Clock* clock, int64_t last_id);
  void Run();

  storage::EventStore* const store_;
  const Clock* const clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  int64_t last_id_;            // only the thread
  std::thread thread_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_AUDIT_LOG_H_
