// Table examples of the calendar workflow.
#include "tests/workflow/examples.h"
#include "workflow/time/calendar_workflow.h"

namespace casework::testing {

WorkflowExamples CalendarExamples() {
  v1::AddHolidayRequest first;
  first.set_request_id("ex-holiday-1");
  first.mutable_date()->set_year(2026);
  first.mutable_date()->set_month(12);
  first.mutable_date()->set_day(29);
  first.set_title("A one-off closure day");
  v1::AddHolidayRequest second = first;
  second.set_request_id("ex-holiday-2");
  second.mutable_date()->set_day(30);
  const std::string kAdd(workflow::kAddHoliday.name);
  WorkflowExamples ex;
  ex.new_stream = std::string(workflow::kCalendarStream);
  ex.requests[kAdd] = Fixed(second);
  ex.paths["ACTIVE"] = {{kAdd, Fixed(first)}};
  return ex;
}

}  // namespace casework::testing
