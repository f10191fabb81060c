#include "services/calendar_service.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/policy_service.h"
#include "workflow/common/status.h"

namespace casework::services {

grpc::ServerUnaryReactor* CalendarService::GetCalendar(grpc::CallbackServerContext* context,
                                                       const v1::GetCalendarRequest* request,
                                                       v1::CalendarYear* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  if (request->year() < workflow::kMinCalendarYear || request->year() > workflow::kMaxCalendarYear) {
    return FinishNow(context, FieldError("year", "range",
                                         absl::StrCat("must be between ", workflow::kMinCalendarYear,
                                                      " and ", workflow::kMaxCalendarYear)));
  }
  *response = workflow::DescribeYear(*deps_.calendars->Current(), request->year());
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* CalendarService::AddHoliday(grpc::CallbackServerContext* context,
                                                      const v1::AddHolidayRequest* request,
                                                      v1::CalendarYear* response) {
  // Once the addition is durable, commands built from then on use the new
  // calendar.
  return RunCommand(deps_, context, workflow_, workflow::kAddHoliday, *request, response,
                    [calendars = deps_.calendars, store = deps_.store] {
                      absl::Status refreshed = calendars->Refresh(*store);
                      if (!refreshed.ok()) {
                        std::fprintf(stderr, "caseworkd: reloading the calendar failed: %s\n",
                                     std::string(refreshed.ToString()).c_str());
                      }
                    });
}

}  // namespace casework::services
