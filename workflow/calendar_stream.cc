#include "workflow/calendar_stream.h"

#include "absl/strings/str_cat.h"
#include "workflow/status.h"
#include "workflow/validation.h"

namespace casework::workflow {
namespace {

class CalendarAggregateImpl final : public TypedAggregate<v1::CalendarAdditions> {
 public:
  absl::string_view Name() const override { return "calendar"; }
  int StateSchema() const override { return 1; }

 protected:
  absl::Status ApplyTyped(v1::CalendarAdditions& state, const v1::EventEnvelope& envelope,
                          const google::protobuf::Message& payload) const override {
    if (ShortTypeName(payload) != "CalendarHolidayAdded") {
      return absl::InternalError(
          absl::StrCat("calendar stream cannot apply event type ", ShortTypeName(payload)));
    }
    *state.add_additions() = static_cast<const v1::CalendarHolidayAdded&>(payload);
    return absl::OkStatus();
  }
  void RowsTyped(absl::string_view, const v1::CalendarAdditions&,
                 std::vector<Row>*) const override {}
  std::string StateNameTyped(const v1::CalendarAdditions& state) const override {
    return state.additions().empty() ? "NEW" : "ACTIVE";
  }
};

}  // namespace

const TypedAggregate<v1::CalendarAdditions>& CalendarAggregate() {
  static const CalendarAggregateImpl* aggregate = new CalendarAggregateImpl();
  return *aggregate;
}

absl::Status ValidateAddHoliday(const v1::AddHolidayRequest& request) {
  FieldErrors errors;
  CheckRequestId(request.request_id(), errors);
  CheckDate("date", request.date(), errors);
  CheckText("title", request.title(), true, 200, errors);
  return errors.ToStatus();
}

absl::StatusOr<Events> DecideAddHoliday(const Calendar& current,
                                        const v1::AddHolidayRequest& request) {
  ASSIGN_OR_RETURN(Calendar next,
                   current.WithAddedHoliday(ToCivilDay(request.date()), request.title()));
  v1::CalendarHolidayAdded added;
  *added.mutable_date() = request.date();
  added.set_title(request.title());
  added.set_version(next.version());
  return MakeEvents(std::move(added));
}

absl::StatusOr<Calendar> ApplyAdditions(const Calendar& base,
                                        const v1::CalendarAdditions& additions) {
  Calendar calendar = base;
  for (const v1::CalendarHolidayAdded& added : additions.additions()) {
    ASSIGN_OR_RETURN(calendar, calendar.WithAddedHoliday(ToCivilDay(added.date()), added.title()));
  }
  return calendar;
}

}  // namespace casework::workflow
