// Per-identity rate limits: a token bucket for each calling person or
// system (agency and user), refilled at `per_second` up to `burst`. A call
// that finds its bucket empty is refused RESOURCE_EXHAUSTED (reason
// RATE_LIMITED) with a RetryInfo saying when a token will be there
// (services/call_context.h); the call guard takes the token
// (services/request_log.h).
//
// Memory is bounded: at most kMaxIdentities buckets are kept; when that is
// reached, the buckets that have refilled completely (idle callers, who lose
// nothing by being forgotten) are dropped first.
#ifndef CASEWORK_SERVICES_RATE_LIMIT_H_
#define CASEWORK_SERVICES_RATE_LIMIT_H_

#include <cstddef>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/clock.h"

namespace casework::services {

class RateLimiter {
 public:
  static constexpr size_t kMaxIdentities = 100000;

  // `clock` must outlive the limiter. per_second > 0, burst >= 1.
  RateLimiter(double per_second, double burst, const Clock* clock)
      : per_second_(per_second), burst_(burst), clock_(clock) {}

  // Takes a token from `identity`'s bucket: zero if there was one, else how
  // long until there will be (and nothing is taken).
  absl::Duration Take(absl::string_view identity);

  // Buckets kept (for tests).
  size_t size() const;

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  void Refill(Bucket& bucket, absl::Time now) const;
  void Forget(absl::Time now);  // needs mu_

  const double per_second_;
  const double burst_;
  const Clock* const clock_;
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_RATE_LIMIT_H_
