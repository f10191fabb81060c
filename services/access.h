// Who may read a case: its parties (the workflow's ReadAccess,
// workflow/kernel/workflow.h) and, for a workflow the policy may share, the
// agencies the partnership's policy in force shares its case type with
// (Policy.access). Every read applies it: a Get of a case the caller may
// not read answers the NOT_FOUND a missing case gets; lists, the event log
// and the deadline queues leave such cases out.
#ifndef CASEWORK_SERVICES_ACCESS_H_
#define CASEWORK_SERVICES_ACCESS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "casework/v1/common.pb.h"
#include "services/service_deps.h"
#include "workflow/common/status.h"
#include "workflow/kernel/workflow.h"

namespace casework::services {

// Answers "may this caller read stream S?" for one call, remembering each
// stream's answer and each partnership's shares.
class ReadFilter {
 public:
  // `actor` is the caller's identity.
  ReadFilter(const ServiceDeps& deps, v1::Actor actor) : deps_(deps), actor_(std::move(actor)) {}

  // True for a stream of a workflow without ReadAccess (or of none), and
  // for a stream of a restricted workflow the caller may read (loading its
  // current state); false for one without events.
  absl::StatusOr<bool> MayRead(absl::string_view stream);

  // True if the caller may read `state`, the current state of stream
  // `stream` of `workflow` (a Get's, or a list's row).
  absl::StatusOr<bool> MayReadState(const workflow::Workflow& workflow, absl::string_view stream,
                                    const google::protobuf::Message& state);

  const v1::Actor& actor() const { return actor_; }

 private:
  // True if the policy in force of `stream`'s partnership shares
  // `workflow`'s case type with the caller's agency.
  absl::StatusOr<bool> Shared(const workflow::Workflow& workflow, absl::string_view stream);

  const ServiceDeps& deps_;
  const v1::Actor actor_;
  absl::flat_hash_map<std::string, bool> verdicts_;
  // By partnership and case type.
  absl::flat_hash_map<std::string, bool> shared_;
};

// The state of `name` of `workflow` as message T if the caller `filter`
// serves may read it; NOT_FOUND "NAME does not exist" both when it has no
// events and when the caller may not read it.
template <typename T>
absl::StatusOr<T> ReadVisibleState(const ServiceDeps& deps, ReadFilter& filter,
                                   const workflow::Workflow& workflow, const std::string& name) {
  absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> state =
      ReadStateMessage(*deps.store, workflow, name);
  if (!state.ok()) return state.status();
  absl::StatusOr<bool> may = filter.MayReadState(workflow, name, **state);
  if (!may.ok()) return may.status();
  if (!*may) return NotFoundFor(name);
  return workflow::kernel_internal::As<T>(**state);
}

// Sets `resource`'s `next_steps` (a repeated string field; nothing when the
// message has none): the commands `workflow`'s transition table allows in
// `resource`'s state that `actor`'s role may call on the workflow's
// service, and none when `actor` is not a party (reads only by the
// policy's sharing).
void SetNextSteps(const workflow::Workflow& workflow, const v1::Actor& actor,
                  google::protobuf::Message& resource);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_ACCESS_H_
