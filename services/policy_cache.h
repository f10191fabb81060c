// The policy in force of each partnership, read once and again only after a
// publication, for the rules the services apply on every call (the audit
// log's purposes, the access shares).
#ifndef CASEWORK_SERVICES_POLICY_CACHE_H_
#define CASEWORK_SERVICES_POLICY_CACHE_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "casework/v1/policy.pb.h"
#include "storage/event_store.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::services {

class PolicyCache {
 public:
  // `store` must outlive the cache.
  explicit PolicyCache(storage::EventStore* store);
  PolicyCache(const PolicyCache&) = delete;
  PolicyCache& operator=(const PolicyCache&) = delete;

  // The policy in force of `partnership`; an empty policy when it has
  // published none. Read once, and again only after a watch over the
  // policy streams was raised (storage/stream_watch.h): a publication in
  // any partnership, an erasure. Thread-safe.
  absl::StatusOr<workflow::PolicyRef> InForce(const std::string& partnership);

 private:
  struct Entry {
    // The watch's generation noted before the policy was read.
    uint64_t generation = 0;
    workflow::PolicyRef policy;
  };
  // Partnerships are few; past this many the cache starts again.
  static constexpr size_t kMaxPartnerships = 10000;

  const storage::EventStore* const store_;
  const std::shared_ptr<const storage::StreamWatch> policies_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_POLICY_CACHE_H_
