// The policy in force of each partnership, read once per published version,
// for the rules the services apply on every call (the audit log's purposes,
// the access shares).
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
  explicit PolicyCache(const storage::EventStore* store) : store_(store) {}
  PolicyCache(const PolicyCache&) = delete;
  PolicyCache& operator=(const PolicyCache&) = delete;

  // The policy in force of `partnership`; an empty policy when it has
  // published none. One read of the policy stream's version per call; the
  // document itself only when a new version was published. Thread-safe.
  absl::StatusOr<workflow::PolicyRef> InForce(const std::string& partnership);

 private:
  struct Entry {
    int64_t stream_version = -1;
    workflow::PolicyRef policy;
  };
  // Partnerships are few; past this many the cache starts again.
  static constexpr size_t kMaxPartnerships = 10000;

  const storage::EventStore* const store_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_POLICY_CACHE_H_
