// The case review appliers: the only code that changes a case review's state.
#include "workflow/case_review/internal.h"
#include "workflow/common/validation.h"

namespace casework::workflow::case_review {

void ApplyApplicationReceived(State& s, const v1::ApplicationReceived& e,
                              const v1::EventEnvelope& env) {
  s.set_name(FormatResourceName(e.partnership(), "caseReviews", e.number()));
  s.set_state(State::RECEIVED);
  *s.mutable_applicant() = e.applicant();
  *s.mutable_received_date() = e.received_date();
  s.set_description(e.description());
  s.set_policy_version(e.policy_version());
  s.set_round(1);
  *s.mutable_create_time() = env.recorded_time();
  s.set_receiving_agency(env.actor().agency());
}

void ApplyApplicationAcknowledged(State&, const v1::ApplicationAcknowledged&) {}

void ApplyThresholdEvaluated(State& s, const v1::ThresholdEvaluated& e) {
  // The complaints weighed stay in their own row (ConsideredRows);
  // considered_total counts them.
  *s.mutable_threshold() = e.evaluation();
  s.mutable_threshold()->clear_considered();
  s.set_state(s.threshold().met() ? State::THRESHOLD_MET : State::THRESHOLD_NOT_MET);
}

void ApplyApplicantNotified(State& s, const v1::ApplicantNotified& e) {
  *s.add_applicant_notices() = e.notice();
}

void ApplyLeadOfficerAssigned(State& s, const v1::LeadOfficerAssigned& e) {
  if (!s.lead_officer().empty() && s.lead_officer() != e.officer()) {
    s.add_previous_lead_officers(s.lead_officer());
  }
  s.set_lead_officer(e.officer());
  s.set_lead_agency(e.agency());
  s.set_state(State::IN_REVIEW);
}

void ApplyAgencyInformationRequested(State& s, const v1::AgencyInformationRequested& e) {
  v1::AgencyRequest* a = s.add_agency_requests();
  a->set_agency(e.agency());
  *a->mutable_requested_on() = e.on();
}

void ApplyAgencyInformationReceived(State& s, const v1::AgencyInformationReceived& e) {
  for (v1::AgencyRequest& a : *s.mutable_agency_requests()) {
    if (a.agency() == e.agency() && a.received_on().year() == 0) {
      *a.mutable_received_on() = e.on();
      a.set_summary(e.summary());
      break;
    }
  }
}

void ApplyVictimInvited(State& s, const v1::VictimInvited&) { s.set_victim_invited(true); }

void ApplyReviewMeetingRecorded(State& s, const v1::ReviewMeetingRecorded& e) {
  *s.mutable_meeting() = e.meeting();
}

void ApplyOfficerHoursRecorded(State& s, const v1::OfficerHoursRecorded& e) {
  s.set_officer_hours(s.officer_hours() + e.hours());
}

void ApplyOutcomeRecorded(State& s, const v1::OutcomeRecorded& e) {
  *s.mutable_outcome() = e.outcome();
  s.set_state(State::OUTCOME_DECIDED);
}

void ApplyOutcomeCommunicated(State& s, const v1::OutcomeCommunicated& e) {
  *s.mutable_outcome()->mutable_communicated_on() = e.on();
  s.set_state(State::OUTCOME_COMMUNICATED);
}

void ApplyAppealLodged(State& s, const v1::AppealLodged& e) {
  v1::Appeal* appeal = MutableAppealOf(s, e.against());
  appeal->set_against(e.against());
  appeal->set_ground(e.ground());
  appeal->set_details(e.details());
  *appeal->mutable_lodged_on() = e.on();
  // An appeal in time re-opens a closed case.
  s.clear_closed_date();
  s.clear_closure_reason();
  s.set_state(State::APPEAL_LODGED);
}

void ApplyAppealPapersSent(State& s, const v1::AppealPapersSent& e) {
  v1::Appeal* appeal = MutableAppealOf(s, AppealAgainst(s));
  appeal->set_chair(e.chair());
  *appeal->mutable_papers_sent_on() = e.on();
  s.set_state(State::WITH_APPEAL_CHAIR);
}

void ApplyAppealDecided(State& s, const v1::AppealDecided& e) {
  v1::Appeal* appeal = MutableAppealOf(s, e.against());
  appeal->set_decided(true);
  appeal->set_upheld(e.upheld());
  appeal->set_decision_reason(e.reason());
  *appeal->mutable_decided_on() = e.on();
  // Against an outcome the case goes back to it (upheld, ReviewReopened
  // follows); against a threshold decision the events that follow say where.
  if (e.against() != v1::Appeal::THRESHOLD_DECISION) s.set_state(State::OUTCOME_COMMUNICATED);
}

void ApplyReviewReopened(State& s, const v1::ReviewReopened& e) {
  s.set_round(e.round());
  s.clear_meeting();
  s.clear_outcome();
  s.set_victim_invited(false);
  s.set_state(State::IN_REVIEW);
}

void ApplyRecommendationProgressed(State& s, const v1::RecommendationProgressed& e) {
  for (v1::Recommendation& rec : *s.mutable_outcome()->mutable_recommendations()) {
    if (rec.id() != e.recommendation_id()) continue;
    if (!e.note().empty()) rec.add_progress(e.note());
    if (e.completed()) rec.set_completed(true);
  }
}

void ApplyCaseReviewClosed(State& s, const v1::CaseReviewClosed& e) {
  s.set_state(State::CLOSED);
  s.set_closure_reason(e.reason());
  *s.mutable_closed_date() = e.on();
}

void ApplyApplicationWithdrawn(State& s, const v1::ApplicationWithdrawn& e) {
  s.set_state(State::WITHDRAWN);
  s.set_closure_reason(e.reason());
  *s.mutable_closed_date() = e.on();
}

}  // namespace casework::workflow::case_review
