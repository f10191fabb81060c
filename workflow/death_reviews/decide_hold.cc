// Holds for parallel proceedings (a criminal trial, an inquest): every
// running clock pauses, and on resumption moves on by the days held. The
// kit has already checked the table.
#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/internal.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::death_reviews {

absl::Status DecideHold(const Review& s, const v1::PlaceOnHoldRequest& r, const DecideContext& ctx,
                        Decision& out) {
  if (s.holds_size() >= kMaxHolds) {
    return FieldError("reason", "count",
                      absl::StrCat("a review keeps at most ", kMaxHolds, " holds"));
  }
  v1::ReviewPlacedOnHold e;
  v1::Hold& hold = *e.mutable_hold();
  hold.set_reason(r.reason());
  hold.set_explanation(r.explanation());
  *hold.mutable_held_on() = ToCivilDate(ctx.today);
  *hold.mutable_expected_resume_on() = r.expected_resume_on();
  hold.set_stage(s.state());
  out.Emit(std::move(e));
  out.Emit(PauseDeadlines(*ctx.calendar, s.deadlines(), ctx.today,
                          absl::StrCat("on hold: ", r.explanation())));
  // A hold that outlasts its expected end shows in the overdue queue.
  out.Emit(SetFixedDeadline(*ctx.calendar, kResumeDeadline, ctx.today,
                            ToCivilDay(r.expected_resume_on()), out.NextVersion()));
  return absl::OkStatus();
}

absl::Status DecideResume(const Review& s, const v1::ResumeReviewRequest& r,
                          const DecideContext& ctx, Decision& out) {
  v1::ReviewResumed e;
  *e.mutable_resumed_on() = ToCivilDate(ctx.today);
  e.set_note(r.note());
  out.Emit(std::move(e));
  out.Emit(MeetDeadline(s.deadlines(), kResumeDeadline));
  out.Emit(ResumeDeadlinesByDaysHeld(s.deadlines(), ctx.today, out.NextVersion()));
  return absl::OkStatus();
}

}  // namespace casework::workflow::death_reviews
