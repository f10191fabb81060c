#include "services/policy_cache.h"

#include "services/policy_service.h"
#include "workflow/common/status.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::services {

PolicyCache::PolicyCache(storage::EventStore* store)
    : store_(store), policies_(store->WatchStreams(workflow::IsPolicyStream)) {}

absl::StatusOr<workflow::PolicyRef> PolicyCache::InForce(
    const std::string& partnership) {
  const uint64_t generation = policies_->generation();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(partnership);
    if (it != entries_.end() && it->second.generation == generation) return it->second.policy;
  }
  // Read again, document and all: the watch was raised by a publication,
  // maybe in another partnership, or by an erasure, after which the same
  // version may open to something else.
  ASSIGN_OR_RETURN(const int64_t version,
                   store_->StreamVersion(workflow::PolicyStream(partnership)));
  Entry read;
  read.generation = generation;
  auto policy = std::make_shared<v1::Policy>();  // empty until one is published
  if (version > 0) {
    absl::StatusOr<v1::Policy> published = ReadPolicy(*store_, partnership, 0);
    if (published.ok()) {
      *policy = *std::move(published);
    } else if (!absl::IsNotFound(published.status())) {
      return published.status();
    }
  }
  read.policy = std::move(policy);
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kMaxPartnerships) entries_.clear();
  entries_[partnership] = read;
  return read.policy;
}

}  // namespace casework::services
