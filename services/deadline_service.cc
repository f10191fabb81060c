#include "services/deadline_service.h"

#include "absl/strings/str_cat.h"
#include "services/access.h"
#include "services/call_context.h"
#include "services/command_runner.h"
#include "services/paging.h"
#include "workflow/time/deadline_rules.h"
#include "workflow/time/case_deadlines.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

constexpr int kDefaultHorizon = 5;
constexpr int kMaxHorizon = 60;

}  // namespace

grpc::ServerUnaryReactor* DeadlineService::ListDeadlines(grpc::CallbackServerContext* context,
                                                         const v1::ListDeadlinesRequest* request,
                                                         v1::ListDeadlinesResponse* response) {
  absl::StatusOr<v1::Actor> actor = ActorFromMetadata(*context);
  if (!actor.ok()) return FinishNow(context, actor.status());
  ReadFilter filter(deps_, *std::move(actor));
  return FinishNow(context, List(*request, filter, response));
}

absl::Status DeadlineService::List(const v1::ListDeadlinesRequest& request, ReadFilter& filter,
                                   v1::ListDeadlinesResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  if (request.queue() == v1::ListDeadlinesRequest::QUEUE_UNSPECIFIED) {
    errors.Add("queue", "required", "is required: DUE_SOON or OVERDUE");
  }
  if (request.within_working_days() < 0 || request.within_working_days() > kMaxHorizon) {
    errors.Add("within_working_days", "range", absl::StrCat("must be between 0 and ", kMaxHorizon));
  }
  const PageRequest page = CheckPage(request, errors);
  std::optional<absl::CivilDay> today =
      request.has_today() ? workflow::CheckDate("today", request.today(), errors)
                          : deps_.Today();
  RETURN_IF_ERROR(errors.ToStatus());

  const bool due_soon = request.queue() == v1::ListDeadlinesRequest::DUE_SOON;
  const std::string prefix =
      workflow::DeadlineRowPrefix(*partnership, due_soon ? "running" : "overdue");
  // Rows sort by due date: DUE_SOON stops at the horizon.
  const int horizon = request.within_working_days() == 0 ? kDefaultHorizon
                                                         : request.within_working_days();
  const std::string limit_date = workflow::FormatDate(workflow::ToCivilDate(
      workflow::AddWorkingDays(*deps_.calendars->Current(), *today, horizon)));
  return PageRows(
      *deps_.store, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        if (due_soon && row.key.compare(prefix.size(), 10, limit_date) > 0) return Visit::kEnd;
        v1::DeadlineItem item;
        if (!item.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt deadline row ", row.key));
        }
        if (deps_.hosted) {
          const workflow::Workflow* w = deps_.registry->ForStream(item.stream());
          if (w != nullptr && !deps_.hosted(w->service())) return Visit::kSkipped;
        }
        ASSIGN_OR_RETURN(bool may_read, filter.MayRead(item.stream()));
        if (!may_read) return Visit::kSkipped;
        *response->add_items() = std::move(item);
        return Visit::kTaken;
      },
      response);
}

}  // namespace casework::services
