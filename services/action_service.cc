#include "services/action_service.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/command_runner.h"
#include "services/paging.h"
#include "workflow/actions.h"
#include "workflow/status.h"
#include "workflow/validation.h"

namespace casework::services {
namespace {

constexpr absl::string_view kMethodPrefix = "casework.v1.ActionService/";

}  // namespace

ActionService::ActionService(const storage::EventStore* store, storage::Engine* engine,
                             const Clock* clock, const CalendarProvider* calendars,
                             absl::TimeZone london)
    : store_(store), engine_(engine), clock_(clock), calendars_(calendars), london_(london) {}

storage::Command BuildActionCommand(workflow::ActionCommand command,
                                    std::shared_ptr<const workflow::Calendar> calendar) {
  storage::Command c;
  c.calendar = std::move(calendar);
  c.meta.method = absl::StrCat(kMethodPrefix, workflow::CommandName(command));
  c.aggregate = &workflow::ActionAggregate();
  std::visit(
      [&c](const auto& request) {
        using Request = std::decay_t<decltype(request)>;
        c.meta.request_id = request.request_id();
        c.meta.fingerprint = storage::Fingerprint(request);
        if constexpr (std::is_same_v<Request, v1::CreateActionRequest>) {
          c.stream = absl::StrCat(request.parent(), "/actions/");
          c.numbered = true;
        } else {
          c.stream = request.name();
          if (request.has_expected_version()) c.meta.expected_version = request.expected_version();
        }
      },
      command);
  c.decide = [command = std::move(command)](const google::protobuf::Message& state,
                                            const workflow::DecideContext& ctx) {
    return workflow::DecideAction(static_cast<const v1::Action&>(state), command, ctx);
  };
  c.reply = [](const google::protobuf::Message& state, const v1::CommitInfo& commit) {
    v1::ActionResponse reply;
    *reply.mutable_action() = static_cast<const v1::Action&>(state);
    *reply.mutable_commit() = commit;
    return reply.SerializeAsString();
  };
  return c;
}

template <typename Request>
grpc::ServerUnaryReactor* ActionService::Mutate(grpc::CallbackServerContext* context,
                                                const Request& request,
                                                v1::ActionResponse* response) {
  absl::Status validation = workflow::ValidateActionCommand(request);
  return RunCommand(context, *engine_, validation,
                    BuildActionCommand(request, calendars_->Current()), response);
}

grpc::ServerUnaryReactor* ActionService::CreateAction(grpc::CallbackServerContext* context,
                                                      const v1::CreateActionRequest* request,
                                                      v1::ActionResponse* response) {
  return Mutate(context, *request, response);
}
grpc::ServerUnaryReactor* ActionService::RecordProgress(grpc::CallbackServerContext* context,
                                                        const v1::RecordProgressRequest* request,
                                                        v1::ActionResponse* response) {
  return Mutate(context, *request, response);
}
grpc::ServerUnaryReactor* ActionService::ChangeDueDate(grpc::CallbackServerContext* context,
                                                       const v1::ChangeDueDateRequest* request,
                                                       v1::ActionResponse* response) {
  return Mutate(context, *request, response);
}
grpc::ServerUnaryReactor* ActionService::CompleteAction(grpc::CallbackServerContext* context,
                                                        const v1::CompleteActionRequest* request,
                                                        v1::ActionResponse* response) {
  return Mutate(context, *request, response);
}
grpc::ServerUnaryReactor* ActionService::CancelAction(grpc::CallbackServerContext* context,
                                                      const v1::CancelActionRequest* request,
                                                      v1::ActionResponse* response) {
  return Mutate(context, *request, response);
}
grpc::ServerUnaryReactor* ActionService::ReopenAction(grpc::CallbackServerContext* context,
                                                      const v1::ReopenActionRequest* request,
                                                      v1::ActionResponse* response) {
  return Mutate(context, *request, response);
}

grpc::ServerUnaryReactor* ActionService::PutActionOnHold(grpc::CallbackServerContext* context,
                                                         const v1::PutActionOnHoldRequest* request,
                                                         v1::ActionResponse* response) {
  return Mutate(context, *request, response);
}
grpc::ServerUnaryReactor* ActionService::ResumeAction(grpc::CallbackServerContext* context,
                                                      const v1::ResumeActionRequest* request,
                                                      v1::ActionResponse* response) {
  return Mutate(context, *request, response);
}

grpc::ServerUnaryReactor* ActionService::GetAction(grpc::CallbackServerContext* context,
                                                   const v1::GetActionRequest* request,
                                                   v1::Action* response) {
  FieldErrors errors;
  workflow::ParseResourceName("name", request->name(), "actions", errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::StatusOr<storage::LoadedState> loaded =
      storage::LoadState(*store_, workflow::ActionAggregate(), request->name());
  if (!loaded.ok()) return FinishNow(context, loaded.status());
  if (loaded->version == 0) {
    return FinishNow(context, absl::NotFoundError(absl::StrCat(request->name(), " does not exist")));
  }
  *response = static_cast<const v1::Action&>(*loaded->state);
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ActionService::ListActions(grpc::CallbackServerContext* context,
                                                     const v1::ListActionsRequest* request,
                                                     v1::ListActionsResponse* response) {
  return FinishNow(context, List(*request, response));
}

absl::Status ActionService::List(const v1::ListActionsRequest& request,
                                 v1::ListActionsResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  if (!request.owner_agency().empty()) workflow::CheckId("owner_agency", request.owner_agency(), errors);
  const PageRequest page = CheckPage(request.page_size(), request.page_token(), errors);
  std::optional<absl::CivilDay> today =
      request.has_today() ? workflow::CheckDate("today", request.today(), errors)
                          : absl::ToCivilDay(clock_->Now(), london_);
  RETURN_IF_ERROR(errors.ToStatus());

  // Walk the most selective index; check the other filters on each action.
  std::string prefix;
  if (request.overdue_only()) {
    prefix = workflow::ActionRowPrefix(*partnership, "due");
  } else if (!request.owner_agency().empty()) {
    prefix = absl::StrCat(workflow::ActionRowPrefix(*partnership, "owner"), request.owner_agency(), "/");
  } else if (request.state() != v1::Action::STATE_UNSPECIFIED) {
    prefix = absl::StrCat(workflow::ActionRowPrefix(*partnership, "state"),
                          v1::Action::State_Name(request.state()), "/");
  } else {
    prefix = workflow::ActionRowPrefix(*partnership, "all");
  }
  const std::string today_key = workflow::FormatDate(workflow::ToCivilDate(*today));
  return PageRows(
      *store_, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        absl::string_view rest = absl::string_view(row.key).substr(prefix.size());
        // The due index sorts by date: nothing after today is overdue.
        if (request.overdue_only() && rest.substr(0, 10) >= today_key) return Visit::kEnd;
        int64_t n = 0;
        if (!absl::SimpleAtoi(rest.substr(rest.rfind('/') + 1), &n)) {
          return absl::DataLossError(absl::StrCat("malformed action index key ", row.key));
        }
        ASSIGN_OR_RETURN(storage::LoadedState loaded,
                         storage::LoadState(*store_, workflow::ActionAggregate(),
                                            workflow::ActionStream(*partnership, n)));
        const auto& action = static_cast<const v1::Action&>(*loaded.state);
        if (request.state() != v1::Action::STATE_UNSPECIFIED && action.state() != request.state()) {
          return Visit::kSkipped;
        }
        if (!request.owner_agency().empty() && action.owner_agency() != request.owner_agency()) {
          return Visit::kSkipped;
        }
        *response->add_actions() = action;
        return Visit::kTaken;
      },
      response->mutable_next_page_token());
}

}  // namespace casework::services
