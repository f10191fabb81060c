// The death review's appliers: the only code that changes a review.
#include "workflow/common/validation.h"
#include "workflow/death_reviews/internal.h"

namespace casework::workflow::death_reviews {
namespace {

// Adds `agency` to the agencies involved, once.
void Involve(Review& s, const std::string& agency) {
  for (const std::string& a : s.agencies_involved()) {
    if (a == agency) return;
  }
  s.add_agencies_involved(agency);
}

}  // namespace

void ApplyNotified(Review& s, const v1::DeathNotified& e, const v1::EventEnvelope& env) {
  s.set_name(env.stream());
  s.set_state(Review::NOTIFIED);
  s.set_policy_version(e.policy_version());
  *s.mutable_notification() = e.notification();
  *s.mutable_criteria() = e.criteria();
  *s.mutable_reader_roles() = e.reader_roles();
  *s.mutable_create_time() = env.recorded_time();
}

void ApplyDecided(Review& s, const v1::ReviewDecided& e) {
  *s.mutable_decision() = e.decision();
  *s.mutable_agencies_involved() = e.agencies_involved();
  s.set_state(e.decision().commissioned() ? Review::COMMISSIONED : Review::NOT_COMMISSIONED);
}

void ApplyChair(Review& s, const v1::ChairAppointed& e) { *s.mutable_chair() = e.chair(); }

void ApplyMember(Review& s, const v1::PanelMemberAdded& e) {
  *s.add_panel_members() = e.member();
  Involve(s, e.member().agency());
}

void ApplyTerms(Review& s, const v1::TermsOfReferenceAgreed& e) {
  *s.mutable_terms_of_reference() = e.terms();
  s.set_state(e.terms().scoping() ? Review::SCOPING : Review::AGENCY_REPORTS);
}

void ApplyScoping(Review& s, const v1::ScopingCompleted& e) {
  *s.mutable_terms_of_reference()->mutable_scoping_completed_on() = e.completed_on();
  s.mutable_terms_of_reference()->set_scoping_summary(e.summary());
  s.set_state(Review::AGENCY_REPORTS);
}

void ApplyReportRequested(Review& s, const v1::AgencyReportRequested& e) {
  *s.add_agency_reports() = e.report();
  Involve(s, e.report().agency());
}

void ApplyReportReceived(Review& s, const v1::AgencyReportReceived& e) {
  if (e.report_id() < 1 || e.report_id() > s.agency_reports_size()) return;
  v1::AgencyReport& report = *s.mutable_agency_reports(e.report_id() - 1);
  report.set_state(v1::AgencyReport::RECEIVED);
  *report.mutable_received_on() = e.received_on();
  report.set_document_reference(e.document_reference());
}

void ApplyReportWaived(Review& s, const v1::AgencyReportWaived& e) {
  if (e.report_id() < 1 || e.report_id() > s.agency_reports_size()) return;
  v1::AgencyReport& report = *s.mutable_agency_reports(e.report_id() - 1);
  report.set_state(v1::AgencyReport::WAIVED);
  report.set_waived_reason(e.reason());
}

void ApplyFamily(Review& s, const v1::FamilyContactRecorded& e) {
  v1::FamilySummary& family = *s.mutable_family();
  family.set_contact_count(family.contact_count() + 1);
  *family.mutable_last_contact_on() = e.contact().contacted_on();
  if (e.contact().has_advocacy_offered()) family.set_advocacy_offered(e.contact().advocacy_offered());
  if (e.contact().has_wishes_to_contribute()) {
    family.set_wishes_to_contribute(e.contact().wishes_to_contribute());
  }
}

void ApplyDraft(Review& s, const v1::DraftRecorded& e) {
  *s.add_drafts() = e.draft();
  if (s.state() == Review::AGENCY_REPORTS) s.set_state(Review::DRAFTING);
}

void ApplySignedOff(Review& s, const v1::ReviewSignedOff& e) {
  *s.mutable_sign_off() = e.sign_off();
  s.set_state(Review::SIGNED_OFF);
}

void ApplySubmitted(Review& s, const v1::SubmittedToHomeOffice& e) {
  v1::QaRound& round = *s.add_qa_rounds();
  round.set_round(e.round());
  *round.mutable_submitted_on() = e.submitted_on();
  round.set_draft_number(e.draft_number());
  s.set_state(Review::SUBMITTED);
}

void ApplyQaOutcome(Review& s, const v1::QaOutcomeRecorded& e) {
  if (s.qa_rounds().empty()) return;
  v1::QaRound& round = *s.mutable_qa_rounds(s.qa_rounds_size() - 1);
  round.set_outcome(e.outcome());
  *round.mutable_decided_on() = e.decided_on();
  *round.mutable_areas() = e.areas();
  s.set_state(e.outcome() == v1::RESUBMIT ? Review::DRAFTING : Review::APPROVED);
}

void ApplyPublished(Review& s, const v1::ReviewPublished& e) {
  *s.mutable_publication() = e.publication();
  s.set_state(Review::PUBLISHED);
}

void ApplyPlanItem(Review& s, const v1::ActionPlanItemAdded& e) { *s.add_action_plan() = e.item(); }

void ApplyLinked(Review& s, const v1::PlanActionLinked& e) {
  if (e.item_id() < 1 || e.item_id() > s.action_plan_size()) return;
  s.mutable_action_plan(e.item_id() - 1)->set_action_name(e.action_name());
}

void ApplyOnHold(Review& s, const v1::ReviewPlacedOnHold& e) {
  *s.add_holds() = e.hold();
  s.set_state(Review::ON_HOLD);
}

void ApplyResumed(Review& s, const v1::ReviewResumed& e) {
  if (s.holds().empty()) return;
  v1::Hold& hold = *s.mutable_holds(s.holds_size() - 1);
  *hold.mutable_resumed_on() = e.resumed_on();
  hold.set_days(static_cast<int32_t>(ToCivilDay(e.resumed_on()) - ToCivilDay(hold.held_on())));
  s.set_state(hold.stage());
}

void ApplyClosed(Review& s, const v1::ReviewClosed& e) {
  *s.mutable_closed_on() = e.closed_on();
  s.set_state(Review::CLOSED);
}

}  // namespace casework::workflow::death_reviews
