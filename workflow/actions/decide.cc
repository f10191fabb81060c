// The action commands' decisions. The kit has already checked the table.
#include "absl/strings/str_cat.h"
#include "workflow/actions/internal.h"
#include "workflow/common/validation.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::actions {

absl::Status DecideCreate(const State&, const v1::CreateActionRequest& r,
                          const DecideContext& ctx, Decision& out) {
  v1::ActionCreated e;
  e.set_partnership(std::string(ctx.partnership));
  e.set_number(ctx.number);
  e.set_title(r.title());
  e.set_owner_agency(r.owner_agency());
  *e.mutable_due_date() = r.due_date();
  e.set_source(r.source());
  out.Emit(std::move(e));
  out.Emit(SetFixedDeadline(*ctx.calendar, kCompleteBy, ctx.today, ToCivilDay(r.due_date()),
                            out.NextVersion()));
  return absl::OkStatus();
}

absl::Status DecideProgress(const State&, const v1::RecordProgressRequest& r,
                            const DecideContext&, Decision& out) {
  v1::ActionProgressRecorded e;
  e.set_note(r.note());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideDueDate(const State& s, const v1::ChangeDueDateRequest& r,
                           const DecideContext& ctx, Decision& out) {
  if (ToCivilDay(r.due_date()) == ToCivilDay(s.due_date())) {
    return FieldError("due_date", "unchanged", absl::StrCat("is already ", FormatDate(s.due_date())));
  }
  v1::ActionDueDateChanged e;
  *e.mutable_previous_due_date() = s.due_date();
  *e.mutable_due_date() = r.due_date();
  e.set_reason(r.reason());
  out.Emit(std::move(e));
  out.Emit(SetFixedDeadline(*ctx.calendar, kCompleteBy, ctx.today, ToCivilDay(r.due_date()),
                            out.NextVersion()));
  return absl::OkStatus();
}

absl::Status DecideComplete(const State& s, const v1::CompleteActionRequest& r,
                            const DecideContext&, Decision& out) {
  v1::ActionCompleted e;
  e.set_note(r.note());
  out.Emit(std::move(e));
  out.Emit(MeetDeadline(s.deadlines(), kCompleteBy));
  return absl::OkStatus();
}

absl::Status DecideCancel(const State& s, const v1::CancelActionRequest& r, const DecideContext&,
                          Decision& out) {
  v1::ActionCancelled e;
  e.set_reason(r.reason());
  out.Emit(std::move(e));
  out.EmitAll(CancelOpenDeadlines(s.deadlines(), r.reason()));
  return absl::OkStatus();
}

absl::Status DecideReopen(const State& s, const v1::ReopenActionRequest& r,
                          const DecideContext& ctx, Decision& out) {
  v1::ActionReopened e;
  e.set_reason(r.reason());
  out.Emit(std::move(e));
  out.Emit(SetFixedDeadline(*ctx.calendar, kCompleteBy, ctx.today, ToCivilDay(s.due_date()),
                            out.NextVersion()));
  return absl::OkStatus();
}

absl::Status DecideHold(const State& s, const v1::PutActionOnHoldRequest& r,
                        const DecideContext& ctx, Decision& out) {
  v1::ActionPutOnHold e;
  e.set_reason(r.reason());
  out.Emit(std::move(e));
  out.Emit(PauseDeadlines(*ctx.calendar, s.deadlines(), ctx.today, r.reason()));
  return absl::OkStatus();
}

absl::Status DecideResume(const State& s, const v1::ResumeActionRequest& r,
                          const DecideContext& ctx, Decision& out) {
  v1::ActionResumed e;
  e.set_note(r.note());
  out.Emit(std::move(e));
  out.Emit(ResumeDeadlines(*ctx.calendar, s.deadlines(), ctx.today, out.NextVersion()));
  return absl::OkStatus();
}

}  // namespace casework::workflow::actions
