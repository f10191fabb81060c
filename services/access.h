// The read side of a workflow's ReadAccess (workflow/kernel/workflow.h):
// who may read a stream of a restricted workflow (a death review before
// publication). Commands are checked by the kit itself; reads that cross
// streams (the event log, the deadline queues) ask a ReadFilter.
#ifndef CASEWORK_SERVICES_ACCESS_H_
#define CASEWORK_SERVICES_ACCESS_H_

#include <grpcpp/grpcpp.h>

#include <optional>
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
  // `actor` is the caller's identity, or nullopt for a call without one (it
  // may read no stream of a restricted workflow).
  ReadFilter(const ServiceDeps& deps, std::optional<v1::Actor> actor)
      : deps_(deps), actor_(std::move(actor)) {}

  // True for a stream of a workflow without ReadAccess (or of none), and
  // for a stream of a restricted workflow whose current state the caller
  // may read; false for one without events.
  absl::StatusOr<bool> MayRead(absl::string_view stream);

 private:
  const ServiceDeps& deps_;
  const std::optional<v1::Actor> actor_;
  absl::flat_hash_map<std::string, bool> verdicts_;
};

// The caller's identity from the call's metadata, or nullopt if it has none
// (or an invalid one).
std::optional<v1::Actor> OptionalActor(const grpc::ServerContextBase& context);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_ACCESS_H_
