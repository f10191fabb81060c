// Runs workflow commands for the gRPC services: checks the caller's identity,
// validates the request, builds the engine command, submits it and finishes
// the call when the engine reports the outcome. The handler thread never
// waits for the disk, and no service builds an engine command by hand.
//
// A service defines each command method with one line:
//
//   CASEWORK_COMMAND_METHOD(case_review, LodgeAppeal, v1::CaseReviewResponse)
//
// which overrides the generated gRPC method LodgeAppeal to run
// case_review::kLodgeAppeal of the service's `workflow_` with its `deps_`. It
// does not compile if the method's request type is not the command's.
#ifndef CASEWORK_SERVICES_COMMAND_RUNNER_H_
#define CASEWORK_SERVICES_COMMAND_RUNNER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <type_traits>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "services/access.h"
#include "services/service_deps.h"
#include "storage/engine.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/workflow.h"

namespace casework::services {

// Validates `request` as command `type` (against today in London) and builds
// its engine command with the calendar in force. The actor, correlation id
// and `done` are left to the caller.
absl::StatusOr<storage::Command> BuildCommand(
    const ServiceDeps& deps, const workflow::CommandType& type,
    std::shared_ptr<const google::protobuf::Message> request);

// What a service adds to a reply the engine built from the state, read from
// rows the state leaves out (e.g. a case review's considered complaints):
// called with the parsed reply before the call finishes, where the
// command's `done` runs (storage::Command::done), so it may make a point
// read of the store but must not wait on anything else. An error finishes
// the call with it instead of the reply.
using CompleteReply = std::function<absl::Status(google::protobuf::Message* response)>;

// If the caller's identity is missing or the request is invalid, finishes the
// call with that error. Otherwise submits the command; once it is durable (or
// fails) parses the reply into `response`, completes it (`complete`, if set,
// for first and retried replies alike), adds the x-casework-replayed
// trailer to retried replies and finishes the call. `on_committed`, if set,
// runs once the command is durable and before the call finishes (not for
// retried replies), where the command's `done` runs: it must not block.
// When no group is being written, the calling thread writes the command's
// group itself (storage::Engine::SubmitOrRun).
grpc::ServerUnaryReactor* RunCommand(const ServiceDeps& deps, grpc::CallbackServerContext* context,
                                     const workflow::CommandType& type,
                                     std::shared_ptr<const google::protobuf::Message> request,
                                     google::protobuf::Message* response,
                                     std::function<void()> on_committed = nullptr,
                                     CompleteReply complete = nullptr);

// The same, for command `name` of `workflow` (checked at compile time to take
// `request`'s type).
template <typename Request>
grpc::ServerUnaryReactor* RunCommand(const ServiceDeps& deps, grpc::CallbackServerContext* context,
                                     const workflow::Workflow& workflow,
                                     workflow::CommandName<Request> name, const Request& request,
                                     google::protobuf::Message* response,
                                     std::function<void()> on_committed = nullptr,
                                     CompleteReply complete = nullptr) {
  return RunCommand(deps, context, workflow.Command(name), std::make_shared<const Request>(request),
                    response, std::move(on_committed), std::move(complete));
}

// Finishes a call at once with `status` (OK or an error).
grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const absl::Status& status);

// Null if the caller may make this call (ActorFromMetadata), setting
// `*actor` (when not null) to the caller; otherwise the call, finished with
// the refusal. Every read handler starts with
//   v1::Actor actor;
//   if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
// and reads what the caller may see (services/access.h).
grpc::ServerUnaryReactor* RefuseUnlessAllowed(grpc::CallbackServerContext* context,
                                              v1::Actor* actor = nullptr);

// Finishes a read with `status`. When the call's method is a detail read
// (its access rule names audit_resource), the caller a person (any role
// but "integration") and the record read one of a partnership, the call is
// first recorded in the audit log (services/audit_log.h), and answered only
// once the entry is durable: UNAVAILABLE AUDIT_UNAVAILABLE, without the
// reply, if it cannot be written. Any other call finishes at once.
grpc::ServerUnaryReactor* FinishRead(const ServiceDeps& deps, grpc::CallbackServerContext* context,
                                     const absl::Status& status);

// Answers a Get method for an allowed caller: `name` must be a resource
// name of `workflow`'s collection (INVALID_ARGUMENT otherwise); its state
// into `response`, completed by `complete` if set (what the state leaves
// out, read from its rows), or NOT_FOUND when it does not exist or the
// caller may not read it (services/access.h).
template <typename State>
grpc::ServerUnaryReactor* FinishGet(const ServiceDeps& deps, grpc::CallbackServerContext* context,
                                    const workflow::Workflow& workflow, const std::string& name,
                                    State* response,
                                    absl::Status (*complete)(const ServiceDeps&,
                                                             State*) = nullptr) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  FieldErrors errors;
  workflow::ParseResourceName("name", name, workflow.collection(), errors);
  if (!errors.empty()) return FinishRead(deps, context, errors.ToStatus());
  ReadFilter filter(deps, std::move(actor));
  absl::StatusOr<State> state = ReadVisibleState<State>(deps, filter, workflow, name);
  if (!state.ok()) return FinishRead(deps, context, state.status());
  *response = *std::move(state);
  if (complete != nullptr) {
    if (absl::Status completed = complete(deps, response); !completed.ok()) {
      return FinishRead(deps, context, completed);
    }
  }
  SetNextSteps(workflow, filter.actor(), *response);
  return FinishRead(deps, context, absl::OkStatus());
}

template <typename Command>
using RequestOf = typename std::decay_t<Command>::Request;

}  // namespace casework::services

// Overrides gRPC method `Method` of the enclosing service class to run
// command `ns::k##Method` of its `workflow_`, with its `deps_`.
#define CASEWORK_COMMAND_METHOD(ns, Method, Response)                                              \
  grpc::ServerUnaryReactor* Method(                                                                \
      grpc::CallbackServerContext* context,                                                        \
      const ::casework::services::RequestOf<decltype(ns::k##Method)>* request, Response* response) \
      override {                                                                                   \
    return ::casework::services::RunCommand(deps_, context, workflow_, ns::k##Method, *request,    \
                                            response);                                             \
  }

#endif  // CASEWORK_SERVICES_COMMAND_RUNNER_H_
