// The panel appliers: the only code that changes a panel case or meeting.
#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "workflow/common/validation.h"
#include "workflow/panels/internal.h"

namespace casework::workflow::panels {
namespace {

// Adds the days of a main-agenda spell ending on `until` to the total.
void EndMainAgendaSpell(Case& c, const v1::CivilDate& until) {
  if (c.state() != v1::PanelCase::MAIN_AGENDA || !c.has_placed_on()) return;
  const int64_t days = ToCivilDay(until) - ToCivilDay(c.placed_on());
  if (days > 0) c.set_main_agenda_days(c.main_agenda_days() + static_cast<int32_t>(days));
}

// Adds the agencies present at a meeting that decided on the case to its
// members (both lists sorted, distinct).
void AddMembers(Case& c, const google::protobuf::RepeatedPtrField<std::string>& present) {
  if (present.empty()) return;
  std::vector<std::string> merged;
  merged.reserve(c.member_agencies_size() + present.size());
  std::set_union(c.member_agencies().begin(), c.member_agencies().end(), present.begin(),
                 present.end(), std::back_inserter(merged));
  c.mutable_member_agencies()->Assign(merged.begin(), merged.end());
}

}  // namespace

void ApplyReferred(Case& c, const v1::PanelCaseReferred& e, const v1::EventEnvelope& env) {
  c.set_name(PanelCaseStream(e.partnership(), e.number()));
  c.set_panel(e.panel());
  c.set_state(v1::PanelCase::REFERRED);
  *c.mutable_subject() = e.subject();
  c.set_referrer_agency(e.referrer_agency());
  c.set_reason(e.reason());
  c.set_lawful_basis(e.lawful_basis());
  c.set_consent_recorded(e.consent_recorded());
  *c.mutable_referral_date() = e.referral_date();
  c.set_age_at_referral(e.age_at_referral());
  c.set_policy_version(e.policy_version());
  c.set_escalated_from(e.escalated_from());
  c.set_from_case_review(e.from_case_review());
  c.set_from_recommendation(e.from_recommendation());
  if (e.has_recommendation_due_date()) {
    *c.mutable_recommendation_due_date() = e.recommendation_due_date();
  }
  *c.mutable_create_time() = env.recorded_time();
  if (!IsEngineActor(env.actor())) c.set_recorded_by_agency(env.actor().agency());
  AddMembers(c, e.carried_agencies());
}

v1::RiskAssessment AssessmentOf(const v1::RiskAssessed& e, const v1::EventEnvelope& env) {
  v1::RiskAssessment a = e.assessment();
  *a.mutable_assessed_by() = env.actor();
  a.set_version(env.stream_version());
  return a;
}

void ApplyAssessed(Case& c, const v1::RiskAssessed& e, const v1::EventEnvelope& env) {
  *c.mutable_latest_assessment() = AssessmentOf(e, env);
  c.set_assessment_count(c.assessment_count() + 1);
}

void ApplyPlaced(Case& c, const v1::PanelCasePlaced& e) {
  EndMainAgendaSpell(c, e.on());
  AddMembers(c, e.present_agencies());
  c.set_state(e.state());
  if (e.state() == v1::PanelCase::DECLINED) {
    c.set_closure_reason(e.reason());
    *c.mutable_ended_on() = e.on();
    c.clear_next_review_due();
    return;
  }
  *c.mutable_placed_on() = e.on();
  *c.mutable_next_review_due() = e.next_review_due();
  // A move is decided at a meeting, which reviewed the case.
  if (!e.meeting().empty()) {
    *c.mutable_last_review_date() = e.on();
    c.set_review_count(c.review_count() + 1);
  }
}

void ApplyReviewed(Case& c, const v1::PanelCaseReviewed& e) {
  AddMembers(c, e.present_agencies());
  *c.mutable_last_review_date() = e.meeting_date();
  *c.mutable_next_review_due() = e.next_review_due();
  c.set_review_count(c.review_count() + 1);
}

void ApplyStage(Case& c, const v1::IncrementalStageRecorded& e, const v1::EventEnvelope& env) {
  v1::StageRecord& record = *c.add_stages();
  record = e.stage();
  *record.mutable_recorded_by() = env.actor();
}

void ApplyClosed(Case& c, const v1::PanelCaseClosed& e) {
  EndMainAgendaSpell(c, e.on());
  AddMembers(c, e.present_agencies());
  c.set_state(v1::PanelCase::CLOSED);
  c.set_closure_reason(e.reason());
  *c.mutable_ended_on() = e.on();
  c.clear_next_review_due();
}

void ApplyReopened(Case& c, const v1::PanelCaseReopened&) {
  c.set_state(v1::PanelCase::REFERRED);
  c.clear_placed_on();
  c.clear_next_review_due();
}

void ApplyEscalated(Case& c, const v1::PanelCaseEscalated& e) {
  EndMainAgendaSpell(c, e.on());
  AddMembers(c, e.present_agencies());
  c.set_state(v1::PanelCase::ESCALATED);
  c.set_escalated_to_panel(e.to_panel());
  *c.mutable_ended_on() = e.on();
  c.set_closure_reason(e.reason());
  c.clear_next_review_due();
}

void ApplyLinked(Case& c, const v1::EscalationLinked& e) { c.set_escalated_to(e.linked_case()); }

void ApplyScheduled(Meeting& m, const v1::PanelMeetingScheduled& e, const v1::EventEnvelope& env) {
  m.set_name(PanelMeetingStream(e.partnership(), e.number()));
  m.set_panel(e.panel());
  m.set_state(v1::PanelMeeting::SCHEDULED);
  *m.mutable_date() = e.date();
  m.set_location(e.location());
  m.set_policy_version(e.policy_version());
  *m.mutable_create_time() = env.recorded_time();
  m.set_organiser_agency(env.actor().agency());
}

void ApplyAttendance(Meeting& m, const v1::AttendanceRecorded& e) {
  *m.mutable_attendees() = e.attendees();
}

void ApplyMeetingClosed(Meeting& m, const v1::PanelMeetingClosed& e) {
  m.set_state(v1::PanelMeeting::CLOSED);
  m.set_notes(e.notes());
}

}  // namespace casework::workflow::panels
