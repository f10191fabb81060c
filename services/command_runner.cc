#include "services/command_runner.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/audit_log.h"
#include "services/placement.h"
#include "services/call_context.h"
#include "services/grpc_status.h"
#include "services/policy_cache.h"
#include "services/roles.h"

namespace casework::services {

grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* RefuseUnlessAllowed(grpc::CallbackServerContext* context,
                                              v1::Actor* actor) {
  absl::StatusOr<v1::Actor> caller = ActorFromMetadata(*context);
  if (!caller.ok()) return FinishNow(context, caller.status());
  if (actor != nullptr) *actor = *std::move(caller);
  return nullptr;
}

grpc::ServerUnaryReactor* FinishRead(const ServiceDeps& deps, grpc::CallbackServerContext* context,
                                     const absl::Status& status) {
  if (deps.audit == nullptr) return FinishNow(context, status);
  const std::string method = MetadataValue(*context, kMethodKey);
  const v1::MethodAccess* rule = AccessOf(method);
  if (rule == nullptr || rule->audit_resource().empty()) return FinishNow(context, status);
  // The call was allowed when it started (RefuseUnlessAllowed or the like).
  absl::StatusOr<v1::Actor> actor = IdentityFromMetadata(*context);
  if (!actor.ok() || !IsPerson(*actor)) return FinishNow(context, status);
  v1::AuditEntry entry;
  entry.set_resource(MetadataValue(*context, kResourceKey));
  absl::string_view rest = entry.resource();
  if (!absl::ConsumePrefix(&rest, "partnerships/")) return FinishNow(context, status);
  const std::string partnership(rest.substr(0, rest.find('/')));
  if (!workflow::IsValidId(partnership)) return FinishNow(context, status);
  *entry.mutable_actor() = *std::move(actor);
  entry.set_method(method.substr(method.empty() ? 0 : 1));
  entry.set_purpose(MetadataValue(*context, kPurposeHeader));
  // The partnership may list the purposes it accepts (Policy.audit).
  absl::StatusOr<workflow::PolicyRef> policy = deps.policies->InForce(partnership);
  if (!policy.ok()) return FinishNow(context, policy.status());
  const auto& allowed = (*policy)->audit().purposes();
  if (!allowed.empty() &&
      std::find(allowed.begin(), allowed.end(), entry.purpose()) == allowed.end()) {
    return FinishNow(context,
                     FieldError(kPurposeHeader, "allowed",
                                absl::StrCat("partnership ", partnership,
                                             " accepts these purposes only: \"",
                                             absl::StrJoin(allowed, "\", \""), "\"")));
  }
  entry.set_outcome(absl::StatusCodeToString(status.code()));
  entry.set_correlation_id(MetadataValue(*context, kCorrelationHeader).substr(0, 128));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  deps.audit->Record(partnership, std::move(entry), [reactor, status](absl::Status written) {
    reactor->Finish(ToGrpcStatus(written.ok() ? status : written));
  });
  return reactor;
}

absl::StatusOr<storage::Command> BuildCommand(
    const ServiceDeps& deps, const workflow::CommandType& type,
    std::shared_ptr<const google::protobuf::Message> request) {
  // Fields this build does not know are dropped before anything reads the
  // request: they are never stored, and a retry that differs only in them is
  // the same request.
  {
    std::shared_ptr<google::protobuf::Message> known(request->New());
    known->CopyFrom(*request);
    known->DiscardUnknownFields();
    request = std::move(known);
  }
  // A partnership another instance holds (services/placement.h): streamed
  // intake's items come here without passing the call guard's check.
  if (deps.placement != nullptr) {
    if (const std::string partnership = PartnershipOfRequest(*request); !partnership.empty()) {
      RETURN_IF_ERROR(deps.placement->Check(partnership));
    }
  }
  workflow::ValidateContext validate;
  validate.today = deps.Today();
  validate.registry = deps.registry;
  RETURN_IF_ERROR(type.Validate(*request, validate));
  return storage::MakeCommand(type, std::move(request), deps.calendars->Current());
}

grpc::ServerUnaryReactor* RunCommand(const ServiceDeps& deps, grpc::CallbackServerContext* context,
                                     const workflow::CommandType& type,
                                     std::shared_ptr<const google::protobuf::Message> request,
                                     google::protobuf::Message* response,
                                     std::function<void()> on_committed, CompleteReply complete) {
  absl::StatusOr<v1::Actor> actor = ActorFromMetadata(*context);
  if (!actor.ok()) return FinishNow(context, actor.status());
  absl::StatusOr<storage::Command> command = BuildCommand(deps, type, std::move(request));
  if (!command.ok()) return FinishNow(context, command.status());
  command->meta.actor = *std::move(actor);
  command->meta.correlation_id = MetadataValue(*context, kCorrelationHeader);
  if (command->meta.correlation_id.size() > 128) command->meta.correlation_id.resize(128);

  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  command->done = [context, reactor, response, on_committed = std::move(on_committed),
                   complete = std::move(complete)](absl::StatusOr<std::string> reply,
                                                   bool replayed) {
    if (!reply.ok()) {
      reactor->Finish(ToGrpcStatus(reply.status()));
      return;
    }
    if (!response->ParseFromString(*reply)) {
      reactor->Finish(ToGrpcStatus(absl::DataLossError(
          absl::StrCat("stored reply does not parse as ", response->GetTypeName()))));
      return;
    }
    if (!replayed && on_committed) on_committed();
    if (complete) {
      if (absl::Status completed = complete(response); !completed.ok()) {
        reactor->Finish(ToGrpcStatus(completed));
        return;
      }
    }
    if (replayed) context->AddTrailingMetadata(kReplayedTrailer, "true");
    reactor->Finish(grpc::Status::OK);
  };
  deps.engine->SubmitOrRun(*std::move(command));
  return reactor;
}

}  // namespace casework::services
