#include "workflow/time/calendar_workflow.h"

#include "absl/strings/str_cat.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/definition.h"

namespace casework::workflow {
namespace {

using State = v1::CalendarAdditions;

std::string StateName(const State& state) {
  return state.additions().empty() ? std::string(kNewState) : "ACTIVE";
}

std::string CalendarStreamOf(const v1::AddHolidayRequest&) { return std::string(kCalendarStream); }

void ValidateAddHoliday(const v1::AddHolidayRequest& r, const ValidateContext&,
                        FieldErrors& errors) {
  CheckDate("date", r.date(), errors);
  CheckText("title", r.title(), true, 200, errors);
}

// The addition on top of the calendar in force (bundled data plus every
// earlier addition of this stream), whose version the event's follows.
absl::Status DecideAddHoliday(const State& state, const v1::AddHolidayRequest& r,
                              const DecideContext&, Decision& out) {
  ASSIGN_OR_RETURN(const Calendar* base, BundledCalendar());
  ASSIGN_OR_RETURN(Calendar current, ApplyAdditions(*base, state));
  ASSIGN_OR_RETURN(Calendar next, current.WithAddedHoliday(ToCivilDay(r.date()), r.title()));
  v1::CalendarHolidayAdded added;
  *added.mutable_date() = r.date();
  added.set_title(r.title());
  added.set_version(next.version());
  out.Emit(std::move(added));
  return absl::OkStatus();
}

void ApplyHolidayAdded(State& state, const v1::CalendarHolidayAdded& e) {
  *state.add_additions() = e;
}

// The year of the added day, as it now stands.
v1::CalendarYear AddHolidayReply(const State& state, const v1::AddHolidayRequest& r,
                                 const v1::CommitInfo&) {
  absl::StatusOr<const Calendar*> base = BundledCalendar();
  if (!base.ok()) return v1::CalendarYear();
  absl::StatusOr<Calendar> calendar = ApplyAdditions(**base, state);
  return calendar.ok() ? DescribeYear(*calendar, r.date().year()) : v1::CalendarYear();
}

}  // namespace

const Workflow& CalendarWorkflow() {
  static const Workflow* workflow = [] {
    Definition<State> d({"calendar", "calendars", 1, "casework.v1.CalendarService", ""});
    d.States(StateName, {std::string(kNewState), "ACTIVE"});
    d.Transitions({
        {kNewState, kAddHoliday.name, {"ACTIVE"}},
        {"ACTIVE", kAddHoliday.name, {"ACTIVE"}},
    });
    d.OnDerivedStream(kAddHoliday, CalendarStreamOf, DecideAddHoliday, ValidateAddHoliday)
        .Reply(AddHolidayReply);
    d.On<v1::CalendarHolidayAdded>(ApplyHolidayAdded);
    return std::move(d).Build();
  }();
  return *workflow;
}

absl::StatusOr<const Calendar*> BundledCalendar() {
  static const auto* bundled = new absl::StatusOr<Calendar>(
      Calendar::FromBankHolidaysJson(BundledBankHolidaysJson(), 1));
  if (!bundled->ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("bundled bank-holiday data is invalid: ", bundled->status().message()));
  }
  return &**bundled;
}

absl::StatusOr<Calendar> ApplyAdditions(const Calendar& base,
                                        const v1::CalendarAdditions& additions) {
  Calendar calendar = base;
  for (const v1::CalendarHolidayAdded& added : additions.additions()) {
    ASSIGN_OR_RETURN(calendar, calendar.WithAddedHoliday(ToCivilDay(added.date()), added.title()));
  }
  return calendar;
}

v1::CalendarYear DescribeYear(const Calendar& calendar, int year) {
  v1::CalendarYear out;
  out.set_year(year);
  out.set_version(calendar.version());
  out.set_data_first_year(calendar.data_years().first);
  out.set_data_last_year(calendar.data_years().second);
  for (const Holiday& h : calendar.HolidaysInYear(year)) {
    v1::CalendarHoliday* holiday = out.add_holidays();
    *holiday->mutable_date() = ToCivilDate(h.date);
    holiday->set_title(h.title);
  }
  return out;
}

}  // namespace casework::workflow
