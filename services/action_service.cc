#include "services/action_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/paging.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {

grpc::ServerUnaryReactor* ActionService::GetAction(grpc::CallbackServerContext* context,
                                                   const v1::GetActionRequest* request,
                                                   v1::Action* response) {
  return FinishGet(deps_, context, workflow_, request->name(), response);
}

grpc::ServerUnaryReactor* ActionService::ListActions(grpc::CallbackServerContext* context,
                                                     const v1::ListActionsRequest* request,
                                                     v1::ListActionsResponse* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  return FinishNow(context, List(filter, *request, response));
}

absl::Status ActionService::List(ReadFilter& filter, const v1::ListActionsRequest& request,
                                 v1::ListActionsResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  if (!request.owner_agency().empty()) workflow::CheckId("owner_agency", request.owner_agency(), errors);
  const PageRequest page = CheckPage(request, errors);
  std::optional<absl::CivilDay> today =
      request.has_today() ? workflow::CheckDate("today", request.today(), errors)
                          : deps_.Today();
  RETURN_IF_ERROR(errors.ToStatus());

  // Walk the most selective index; check the other filters on each action.
  std::string prefix;
  if (request.overdue_only()) {
    prefix = workflow::actions::ActionRowPrefix(*partnership, "due");
  } else if (!request.owner_agency().empty()) {
    prefix = absl::StrCat(workflow::actions::ActionRowPrefix(*partnership, "owner"), request.owner_agency(), "/");
  } else if (request.state() != v1::Action::STATE_UNSPECIFIED) {
    prefix = absl::StrCat(workflow::actions::ActionRowPrefix(*partnership, "state"),
                          v1::Action::State_Name(request.state()), "/");
  } else {
    prefix = workflow::actions::ActionRowPrefix(*partnership, "all");
  }
  const bool all = !request.overdue_only() && request.owner_agency().empty() &&
                   request.state() == v1::Action::STATE_UNSPECIFIED;
  const std::string today_key = workflow::FormatDate(workflow::ToCivilDate(*today));
  return PageRows(
      *deps_.store, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        absl::string_view rest = absl::string_view(row.key).substr(prefix.size());
        // The due index sorts by date: nothing after today is overdue.
        if (request.overdue_only() && rest.substr(0, 10) >= today_key) return Visit::kEnd;
        ASSIGN_OR_RETURN(const int64_t n, NumberAtEnd(row.key));
        // The "all" index is the summary row itself; the others point at it.
        v1::Action action;
        if (all) {
          // The row is the summary itself: a parsed copy kept since its last
          // change (storage/parsed_rows.h) saves parsing it.
          if (std::optional<std::shared_ptr<const google::protobuf::Message>> kept =
                  deps_.store->parsed_rows().Find(row.key)) {
            action = workflow::kernel_internal::As<v1::Action>(**kept);
          } else if (!action.ParseFromString(row.value)) {
            return absl::DataLossError(absl::StrCat("corrupt action row ", row.key));
          }
        } else {
          ASSIGN_OR_RETURN(action,
                           ReadState<v1::Action>(*deps_.store, workflow_,
                                                 workflow::actions::ActionStream(*partnership, n)));
        }
        if (request.state() != v1::Action::STATE_UNSPECIFIED && action.state() != request.state()) {
          return Visit::kSkipped;
        }
        if (!request.owner_agency().empty() && action.owner_agency() != request.owner_agency()) {
          return Visit::kSkipped;
        }
        ASSIGN_OR_RETURN(const bool may_read, filter.MayReadState(workflow_, action.name(), action));
        if (!may_read) return Visit::kSkipped;
        *response->add_actions() = std::move(action);
        return Visit::kTaken;
      },
      response);
}

grpc::ServerUnaryReactor* ActionService::ListActionNotes(
    grpc::CallbackServerContext* context, const v1::ListActionNotesRequest* request,
    v1::ListActionNotesResponse* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  return FinishRead(deps_, context, ListNotes(filter, *request, response));
}

absl::Status ActionService::ListNotes(ReadFilter& filter, const v1::ListActionNotesRequest& request,
                                      v1::ListActionNotesResponse* response) const {
  FieldErrors errors;
  std::optional<workflow::ResourceName> name =
      workflow::ParseResourceName("name", request.name(), workflow_.collection(), errors);
  const PageRequest page = CheckPage(request, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  // NOT_FOUND for an action that does not exist or the caller may not read
  // (not an empty page).
  RETURN_IF_ERROR(ReadVisibleState<v1::Action>(deps_, filter, workflow_, request.name()).status());
  return PageRows(
      *deps_.store, workflow::actions::ActionNotesPrefix(name->partnership, name->number), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        if (!response->add_notes()->ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt note row ", row.key));
        }
        return Visit::kTaken;
      },
      response);
}

}  // namespace casework::services
