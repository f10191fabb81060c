#include "services/deadline_service.h"

#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/call_context.h"
#include "services/command_runner.h"
#include "services/grpc_status.h"
#include "services/paging.h"
#include "workflow/calendar_stream.h"
#include "workflow/deadline.h"
#include "workflow/deadlines.h"
#include "workflow/status.h"
#include "workflow/validation.h"

namespace casework::services {
namespace {

constexpr int kDefaultHorizon = 5;
constexpr int kMaxHorizon = 60;

}  // namespace

DeadlineService::DeadlineService(const storage::EventStore* store, const Clock* clock,
                                 const CalendarProvider* calendars, absl::TimeZone london)
    : store_(store), clock_(clock), calendars_(calendars), london_(london) {}

grpc::ServerUnaryReactor* DeadlineService::ListDeadlines(grpc::CallbackServerContext* context,
                                                         const v1::ListDeadlinesRequest* request,
                                                         v1::ListDeadlinesResponse* response) {
  return FinishNow(context, List(*request, response));
}

absl::Status DeadlineService::List(const v1::ListDeadlinesRequest& request,
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
  const PageRequest page = CheckPage(request.page_size(), request.page_token(), errors);
  std::optional<absl::CivilDay> today =
      request.has_today() ? workflow::CheckDate("today", request.today(), errors)
                          : absl::ToCivilDay(clock_->Now(), london_);
  RETURN_IF_ERROR(errors.ToStatus());

  const bool due_soon = request.queue() == v1::ListDeadlinesRequest::DUE_SOON;
  const std::string prefix =
      workflow::DeadlineRowPrefix(*partnership, due_soon ? "running" : "overdue");
  // Rows sort by due date: DUE_SOON stops at the horizon.
  const int horizon = request.within_working_days() == 0 ? kDefaultHorizon
                                                         : request.within_working_days();
  const std::string limit_date = workflow::FormatDate(workflow::ToCivilDate(
      workflow::AddWorkingDays(*calendars_->Current(), *today, horizon)));
  return PageRows(
      *store_, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        if (due_soon && row.key.compare(prefix.size(), 10, limit_date) > 0) return Visit::kEnd;
        if (!response->add_items()->ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt deadline row ", row.key));
        }
        return Visit::kTaken;
      },
      response->mutable_next_page_token());
}

v1::CalendarYear DescribeYear(const workflow::Calendar& calendar, int year) {
  v1::CalendarYear out;
  out.set_year(year);
  out.set_version(calendar.version());
  out.set_data_first_year(calendar.data_years().first);
  out.set_data_last_year(calendar.data_years().second);
  for (const workflow::Holiday& h : calendar.HolidaysInYear(year)) {
    v1::CalendarHoliday* holiday = out.add_holidays();
    *holiday->mutable_date() = workflow::ToCivilDate(h.date);
    holiday->set_title(h.title);
  }
  return out;
}

CalendarService::CalendarService(storage::EventStore* store, storage::Engine* engine,
                                 CalendarProvider* calendars)
    : store_(store), engine_(engine), calendars_(calendars) {}

grpc::ServerUnaryReactor* CalendarService::GetCalendar(grpc::CallbackServerContext* context,
                                                       const v1::GetCalendarRequest* request,
                                                       v1::CalendarYear* response) {
  if (request->year() < workflow::kMinCalendarYear || request->year() > workflow::kMaxCalendarYear) {
    return FinishNow(context, FieldError("year", "range",
                                         absl::StrCat("must be between ", workflow::kMinCalendarYear,
                                                      " and ", workflow::kMaxCalendarYear)));
  }
  *response = DescribeYear(*calendars_->Current(), request->year());
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* CalendarService::AddHoliday(grpc::CallbackServerContext* context,
                                                      const v1::AddHolidayRequest* request,
                                                      v1::CalendarYear* response) {
  absl::Status validation = workflow::ValidateAddHoliday(*request);
  if (validation.ok()) {
    absl::StatusOr<v1::Actor> actor = ActorFromMetadata(*context);
    if (actor.ok() && actor->role() != "admin") {
      validation = ErrorWithReason(absl::StatusCode::kPermissionDenied, "ADMIN_ONLY",
                                   "adding a non-working day requires role \"admin\"");
    }
  }
  storage::Command c;
  c.meta.method = "casework.v1.CalendarService/AddHoliday";
  c.meta.request_id = request->request_id();
  c.meta.fingerprint = storage::Fingerprint(*request);
  c.aggregate = &workflow::CalendarAggregate();
  c.stream = std::string(workflow::kCalendarStream);
  const workflow::Calendar* base = &calendars_->base();
  const int year = request->date().year();
  c.decide = [base, request = *request](const google::protobuf::Message& state,
                                        const workflow::DecideContext&)
      -> absl::StatusOr<workflow::Events> {
    ASSIGN_OR_RETURN(workflow::Calendar current,
                     workflow::ApplyAdditions(
                         *base, static_cast<const v1::CalendarAdditions&>(state)));
    return workflow::DecideAddHoliday(current, request);
  };
  c.reply = [base, year](const google::protobuf::Message& state, const v1::CommitInfo&) {
    absl::StatusOr<workflow::Calendar> next =
        workflow::ApplyAdditions(*base, static_cast<const v1::CalendarAdditions&>(state));
    return next.ok() ? DescribeYear(*next, year).SerializeAsString() : std::string();
  };
  // Once the addition is durable, commands built from then on use the new
  // calendar.
  return RunCommand(context, *engine_, validation, std::move(c), response,
                    [calendars = calendars_, store = store_] {
                      absl::Status refreshed = calendars->Refresh(*store);
                      if (!refreshed.ok()) {
                        std::fprintf(stderr, "caseworkd: reloading the calendar failed: %s\n",
                                     std::string(refreshed.ToString()).c_str());
                      }
                    });
}

}  // namespace casework::services
