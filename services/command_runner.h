// Glue between a unary callback handler and the engine: validates, attaches
// the caller's identity, submits the command and finishes the call when the
// engine reports the outcome. The handler thread never waits for the disk.
#ifndef CASEWORK_SERVICES_COMMAND_RUNNER_H_
#define CASEWORK_SERVICES_COMMAND_RUNNER_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "storage/engine.h"

namespace casework::services {

// If `validation` is not OK, or the caller's identity is missing, finishes
// the call with that error. Otherwise fills `command.meta.actor`,
// `correlation_id` and `done`, and submits it; `done` parses the reply into
// `response`, adds the x-casework-replayed trailer to retried replies and
// finishes the call. `on_committed`, if set, runs once the command is durable
// and before the call finishes (not for retried replies). Returns the call's
// reactor.
grpc::ServerUnaryReactor* RunCommand(grpc::CallbackServerContext* context,
                                     storage::Engine& engine, const absl::Status& validation,
                                     storage::Command command,
                                     google::protobuf::Message* response,
                                     std::function<void()> on_committed = nullptr);

// Finishes a call at once with `status` (OK or an error).
grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const absl::Status& status);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_COMMAND_RUNNER_H_
