// Case review decisions during the review, up to its outcome.
#include "absl/strings/str_cat.h"
#include "workflow/case_review/internal.h"
#include "workflow/common/validation.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::case_review {

absl::Status DecideAssignLeadOfficer(const State& s, const v1::AssignLeadOfficerRequest& r,
                                     const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  ASSIGN_OR_RETURN(const PolicyRef held, review.Pinned());
  const v1::Policy& policy = *held;
  std::vector<std::string> exclude;
  if (!s.lead_officer().empty()) exclude.push_back(s.lead_officer());
  ASSIGN_OR_RETURN(v1::LeadOfficerAssigned assigned,
                   review.ChooseLead(policy, r.officer(), exclude));
  out.Emit(std::move(assigned));
  return absl::OkStatus();
}

absl::Status DecideRequestAgencyInformation(const State&, const v1::AgencyInformationRequest& r,
                                            const DecideContext& ctx, Decision& out) {
  v1::AgencyInformationRequested e;
  e.set_agency(r.agency());
  *e.mutable_on() = ToCivilDate(ctx.today);
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideRecordAgencyInformation(const State& s, const v1::AgencyInformationRequest& r,
                                           const DecideContext& ctx, Decision& out) {
  for (const v1::AgencyRequest& a : s.agency_requests()) {
    if (a.agency() == r.agency() && a.received_on().year() == 0) {
      v1::AgencyInformationReceived e;
      e.set_agency(r.agency());
      *e.mutable_on() = ToCivilDate(ctx.today);
      e.set_summary(r.summary());
      out.Emit(std::move(e));
      return absl::OkStatus();
    }
  }
  return absl::FailedPreconditionError(absl::StrCat("no outstanding information request to ",
                                                    r.agency(),
                                                    "; record RequestAgencyInformation first"));
}

absl::Status DecideInviteVictim(const State&, const v1::CaseReviewCommand& r,
                                const DecideContext& ctx, Decision& out) {
  v1::VictimInvited e;
  *e.mutable_on() = ToCivilDate(ctx.today);
  e.set_note(r.note());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideRecordReviewMeeting(const State& s, const v1::RecordReviewMeetingRequest& r,
                                       const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  ASSIGN_OR_RETURN(const PolicyRef held, review.Pinned());
  const v1::Policy& policy = *held;
  if (ToCivilDay(r.date()) > ctx.today) {
    return FieldError("date", "not_future", "a meeting is recorded after it took place");
  }
  v1::ReviewMeetingRecorded e;
  v1::ReviewMeeting& m = *e.mutable_meeting();
  *m.mutable_date() = r.date();
  *m.mutable_attendees() = r.attendees();
  m.set_victim_attended(r.victim_attended());
  m.set_notes(r.notes());
  out.Emit(std::move(e));
  review.Met(kReviewMeeting);
  return review.Start(policy, kOutcomeLetter, ToCivilDay(r.date()));
}

absl::Status DecideRecordOfficerHours(const State&, const v1::RecordOfficerHoursRequest& r,
                                      const DecideContext& ctx, Decision& out) {
  v1::OfficerHoursRecorded e;
  e.set_hours(r.hours());
  e.set_agency(r.agency().empty() ? ctx.actor->agency() : r.agency());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideRecordOutcome(const State& s, const v1::RecordOutcomeRequest& r,
                                 const DecideContext& ctx, Decision& out) {
  if (!s.has_meeting()) {
    return absl::FailedPreconditionError(
        "record the review meeting (RecordReviewMeeting) before the outcome");
  }
  v1::OutcomeRecorded e;
  v1::Outcome& o = *e.mutable_outcome();
  int id = 0;
  for (const v1::Recommendation& in : r.recommendations()) {
    v1::Recommendation* rec = o.add_recommendations();
    rec->set_id(++id);
    rec->set_text(in.text());
    rec->set_lead_agency(in.lead_agency());
    *rec->mutable_due_date() = in.due_date();
  }
  o.set_no_further_action_reason(r.no_further_action_reason());
  *o.mutable_decided_on() = ToCivilDate(ctx.today);
  const v1::Outcome outcome = o;
  out.Emit(std::move(e));
  for (const v1::Recommendation& rec : outcome.recommendations()) {
    out.Emit(SetFixedDeadline(*ctx.calendar, RecommendationDeadline(rec.id()), ctx.today,
                              ToCivilDay(rec.due_date()), out.NextVersion()));
  }
  return absl::OkStatus();
}

}  // namespace casework::workflow::case_review
