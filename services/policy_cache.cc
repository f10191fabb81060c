#include "services/policy_cache.h"

#include "services/policy_service.h"
#include "workflow/common/status.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::services {

absl::StatusOr<workflow::PolicyRef> PolicyCache::InForce(
    const std::string& partnership) {
  ASSIGN_OR_RETURN(const int64_t version,
                   store_->StreamVersion(workflow::PolicyStream(partnership)));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(partnership);
    if (it != entries_.end() && it->second.stream_version == version) return it->second.policy;
  }
  Entry read;
  read.stream_version = version;
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
