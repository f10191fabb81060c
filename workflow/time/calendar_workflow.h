// The calendar workflow: one stream, "calendars/england-and-wales", of
// one-off non-working days an administrator adds on top of the bundled
// bank-holiday data. The calendar in force is the bundled data (version 1)
// with every addition folded in, each addition making the next version.
#ifndef CASEWORK_WORKFLOW_TIME_CALENDAR_WORKFLOW_H_
#define CASEWORK_WORKFLOW_TIME_CALENDAR_WORKFLOW_H_

#include "absl/status/statusor.h"
#include "casework/v1/deadlines.pb.h"
#include "workflow/kernel/workflow.h"
#include "workflow/time/calendar.h"

namespace casework::workflow {

inline constexpr absl::string_view kCalendarStream = "calendars/england-and-wales";

// Adds a one-off non-working day. ALREADY_EXISTS if the day is already a
// weekend or holiday.
inline constexpr CommandName<v1::AddHolidayRequest> kAddHoliday{"AddHoliday"};

// The calendar workflow (state: casework.v1.CalendarAdditions).
const Workflow& CalendarWorkflow();

// The bundled England and Wales calendar (version 1), parsed once.
// FAILED_PRECONDITION if the data shipped with the release does not parse.
absl::StatusOr<const Calendar*> BundledCalendar();

// `base` with every addition of `additions` applied in order.
absl::StatusOr<Calendar> ApplyAdditions(const Calendar& base,
                                        const v1::CalendarAdditions& additions);

// The holidays of `year` in `calendar`, as CalendarService answers them.
v1::CalendarYear DescribeYear(const Calendar& calendar, int year);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_TIME_CALENDAR_WORKFLOW_H_
