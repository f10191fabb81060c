#include "services/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace casework::services {

void RateLimiter::Refill(Bucket& bucket, absl::Time now) const {
  if (now > bucket.updated) {
    bucket.tokens = std::min(
        burst_, bucket.tokens + absl::ToDoubleSeconds(now - bucket.updated) * per_second_);
  }
  bucket.updated = std::max(bucket.updated, now);
}

void RateLimiter::Forget(absl::Time now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now);
    if (it->second.tokens >= burst_) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
  // Every caller busy at once: start afresh rather than grow.
  if (buckets_.size() >= kMaxIdentities) buckets_.clear();
}

absl::Duration RateLimiter::Take(absl::string_view identity) {
  const absl::Time now = clock_->Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(identity);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxIdentities) Forget(now);
    it = buckets_.emplace(std::string(identity), Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  Refill(bucket, now);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return absl::ZeroDuration();
  }
  return absl::Seconds((1.0 - bucket.tokens) / per_second_);
}

size_t RateLimiter::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

}  // namespace casework::services
