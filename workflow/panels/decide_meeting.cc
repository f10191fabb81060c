// Decisions taken at a panel meeting (review, move, close), which need the
// meeting to be quorate, and the meeting's own commands.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow/common/validation.h"
#include "workflow/panels/internal.h"
#include "workflow/panels/policy_section.h"
#include "workflow/panels/rules.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::workflow::panels {
absl::StatusOr<Meeting> QuorateMeeting(const Case& s, absl::string_view name,
                                       const DecideContext& ctx) {
  if (PartnershipOfStream(name) != ctx.partnership) {
    return FieldError("meeting", "other_partnership",
                      absl::StrCat("must be a meeting of partnership ", ctx.partnership));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const google::protobuf::Message> state,
                   ctx.read_state(PanelMeetingWorkflow(), name));
  const Meeting& meeting = static_cast<const Meeting&>(*state);
  if (meeting.state() == Meeting::STATE_UNSPECIFIED) {
    return FieldError("meeting", "not_found", absl::StrCat(Quoted(name), " does not exist"));
  }
  if (meeting.panel() != s.panel()) {
    return FieldError("meeting", "other_panel",
                      absl::StrCat(name, " is a meeting of ", meeting.panel(), ", not of ",
                                   s.panel(), " where the case is"));
  }
  if (ToCivilDay(meeting.date()) > ctx.today) {
    return FieldError("meeting", "not_yet_held",
                      absl::StrCat(name, " is on ", FormatDate(meeting.date()),
                                   ": decisions are recorded once it has met"));
  }
  if (meeting.state() == Meeting::CLOSED) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "MEETING_CLOSED",
                           absl::StrCat(name, " is closed: no more decisions are recorded at it"));
  }
  ASSIGN_OR_RETURN(PolicyPanel pinned, PinnedPanel(ctx, meeting.policy_version(), meeting.panel()));
  const v1::Quorum quorum = QuorumOf(pinned.panel, meeting);
  if (!quorum.quorate()) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "QUORUM_NOT_MET",
                           absl::StrCat(name, " is not quorate: ", quorum.missing()));
  }
  return meeting;
}

void AssignAgencies(std::vector<std::string> agencies,
                    google::protobuf::RepeatedPtrField<std::string>* out) {
  std::sort(agencies.begin(), agencies.end());
  agencies.erase(std::unique(agencies.begin(), agencies.end()), agencies.end());
  out->Assign(agencies.begin(), agencies.end());
}

void SetPresentAgencies(const Meeting& meeting,
                        google::protobuf::RepeatedPtrField<std::string>* present) {
  std::vector<std::string> agencies;
  for (const v1::Attendee& a : meeting.attendees()) agencies.push_back(a.agency());
  AssignAgencies(std::move(agencies), present);
}

absl::Status DecideReview(const Case& s, const v1::ReviewCaseRequest& r, const DecideContext& ctx,
                          Decision& out) {
  ASSIGN_OR_RETURN(Meeting meeting, QuorateMeeting(s, r.meeting(), ctx));
  ASSIGN_OR_RETURN(PolicyPanel pinned, PinnedPanel(ctx, s.policy_version(), s.panel()));
  v1::PanelCaseReviewed e;
  e.set_meeting(r.meeting());
  *e.mutable_meeting_date() = meeting.date();
  e.set_summary(r.summary());
  SetPresentAgencies(meeting, e.mutable_present_agencies());
  *e.mutable_next_review_due() =
      ToCivilDate(NextReview(*ctx.calendar, pinned.panel, ToCivilDay(meeting.date())));
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideMove(const Case& s, const v1::MoveCaseRequest& r, const DecideContext& ctx,
                        Decision& out) {
  if (r.to() == s.state()) {
    return FieldError("to", "unchanged",
                      absl::StrCat("the case is already in ", v1::PanelCase::State_Name(s.state())));
  }
  ASSIGN_OR_RETURN(Meeting meeting, QuorateMeeting(s, r.meeting(), ctx));
  ASSIGN_OR_RETURN(PolicyPanel pinned, PinnedPanel(ctx, s.policy_version(), s.panel()));
  v1::PanelCasePlaced e;
  e.set_state(r.to());
  *e.mutable_on() = meeting.date();
  *e.mutable_next_review_due() =
      ToCivilDate(NextReview(*ctx.calendar, pinned.panel, ToCivilDay(meeting.date())));
  e.set_reason(r.reason());
  e.set_meeting(r.meeting());
  SetPresentAgencies(meeting, e.mutable_present_agencies());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideClose(const Case& s, const v1::CloseCaseRequest& r, const DecideContext& ctx,
                         Decision& out) {
  ASSIGN_OR_RETURN(PolicyPanel pinned, PinnedPanel(ctx, s.policy_version(), s.panel()));
  const auto& reasons = pinned.panel.closure_reasons();
  if (std::find(reasons.begin(), reasons.end(), r.reason()) == reasons.end()) {
    return FieldError("reason", "unknown",
                      absl::StrCat(Quoted(r.reason()), " is not a closure reason of panel ",
                                   s.panel(), " (", absl::StrJoin(reasons, "; "), ")"));
  }
  ASSIGN_OR_RETURN(Meeting meeting, QuorateMeeting(s, r.meeting(), ctx));
  v1::PanelCaseClosed e;
  e.set_meeting(r.meeting());
  *e.mutable_on() = meeting.date();
  e.set_reason(r.reason());
  e.set_note(r.note());
  SetPresentAgencies(meeting, e.mutable_present_agencies());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideSchedule(const Meeting&, const v1::ScheduleMeetingRequest& r,
                            const DecideContext& ctx, Decision& out) {
  ASSIGN_OR_RETURN(PolicyPanel in_force, PanelInForce(ctx, r.panel()));
  v1::PanelMeetingScheduled e;
  e.set_partnership(std::string(ctx.partnership));
  e.set_number(ctx.number);
  e.set_panel(r.panel());
  *e.mutable_date() = r.date();
  e.set_location(r.location());
  e.set_policy_version(in_force.policy->version());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideAttendance(const Meeting&, const v1::RecordAttendanceRequest& r,
                              const DecideContext&, Decision& out) {
  v1::AttendanceRecorded e;
  *e.mutable_attendees() = r.attendees();
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideCloseMeeting(const Meeting&, const v1::CloseMeetingRequest& r,
                                const DecideContext&, Decision& out) {
  v1::PanelMeetingClosed e;
  e.set_notes(r.notes());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

}  // namespace casework::workflow::panels
