// The calendar stream "calendars/england-and-wales": one-off non-working
// days an administrator adds on top of the bundled bank-holiday data. The
// calendar in force is the bundled data (version 1) with every addition
// folded in, each addition making the next version.
#ifndef CASEWORK_WORKFLOW_CALENDAR_STREAM_H_
#define CASEWORK_WORKFLOW_CALENDAR_STREAM_H_

#include "absl/status/statusor.h"
#include "casework/v1/deadlines.pb.h"
#include "workflow/calendar.h"
#include "workflow/kernel.h"

namespace casework::workflow {

inline constexpr absl::string_view kCalendarStream = "calendars/england-and-wales";

// The calendar aggregate (state: casework.v1.CalendarAdditions).
const TypedAggregate<v1::CalendarAdditions>& CalendarAggregate();

// Field checks of AddHoliday. INVALID_ARGUMENT with every broken rule.
absl::Status ValidateAddHoliday(const v1::AddHolidayRequest& request);

// Decides an addition on top of `current` (the calendar in force, whose
// version the event's version follows). ALREADY_EXISTS if the day is already
// a weekend or holiday.
absl::StatusOr<Events> DecideAddHoliday(const Calendar& current,
                                        const v1::AddHolidayRequest& request);

// `base` with every addition of `additions` applied in order.
absl::StatusOr<Calendar> ApplyAdditions(const Calendar& base,
                                        const v1::CalendarAdditions& additions);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_CALENDAR_STREAM_H_
