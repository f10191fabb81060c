// The read side of a workflow's ReadAccess (workflow/kernel/workflow.h):
// who may read a stream of a restricted workflow (a death review before
// publication). Commands are checked by the kit itself; reads that cross
// streams (the event log, the deadline queues) ask a ReadFilter.
#ifndef CASEWORK_SERVICES_ACCESS_H_
#define CASEWORK_SERVICES_ACCESS_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "casework/v1/common.pb.h"
#include "services/service_deps.h"

namespace casework::services {

// Answers "may this caller read stream S?" for one call, remembering each
// stream's answer.
class ReadFilter {
 public:
  // `actor` is the caller's identity.
  ReadFilter(const ServiceDeps& deps, v1::Actor actor)
      : deps_(deps), actor_(std::move(actor)) {}

  // True for a stream of a workflow without ReadAccess (or of none), and
  // for a stream of a restricted workflow whose current state the caller
  // may read; false for one without events.
  absl::StatusOr<bool> MayRead(absl::string_view stream);

 private:
  const ServiceDeps& deps_;
  const v1::Actor actor_;
  absl::flat_hash_map<std::string, bool> verdicts_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_ACCESS_H_
