#include "tests/workflow/death_reviews/death_reviews_world.h"

namespace casework::testing {

void ActAsCoordinator(World& world) {
  world.SetActor("eastbrook-council", "u-coordinator", "partnership_chair");
}

v1::NotifyDeathRequest Notification(v1::CivilDate notified, int age,
                                    v1::PerpetratorRelationship relationship,
                                    bool suicide_after_abuse) {
  v1::NotifyDeathRequest r;
  r.set_parent("partnerships/eastbrook");
  r.set_request_id("notify");
  r.set_notifying_agency("shire-police");
  r.set_police_reference("SP-HOM-2026-014");
  *r.mutable_date_of_death() = notified;
  *r.mutable_date_notified() = notified;
  r.set_victim_age_at_death(age);
  r.set_relationship(relationship);
  r.set_suspected_suicide_after_abuse(suicide_after_abuse);
  r.set_victim_pseudonym("Adult R");
  r.set_circumstances("Found at home; partner arrested at the scene");
  return r;
}

v1::RecordDecisionRequest Decision(bool commission, v1::CivilDate on) {
  v1::RecordDecisionRequest r;
  r.set_commission(commission);
  r.set_reason(commission ? "Meets the criteria; agencies had contact with both"
                          : "Outside the statutory criteria");
  *r.mutable_decided_on() = on;
  *r.mutable_home_office_notified_on() = on;
  r.add_agencies_involved("eastbrook-council");
  r.add_agencies_involved("shire-health");
  return r;
}

v1::AppointChairRequest Chair(v1::CivilDate on, std::vector<std::string> associations) {
  v1::AppointChairRequest r;
  r.set_chair_agency("independent-reviews");
  r.set_chair_user("chair-01");
  for (std::string& a : associations) r.add_declared_associations(std::move(a));
  *r.mutable_appointed_on() = on;
  return r;
}

v1::AddPanelMemberRequest Member(const std::string& agency, const std::string& user) {
  v1::AddPanelMemberRequest r;
  r.set_agency(agency);
  r.set_user(user);
  r.set_role_title("Head of Safeguarding");
  r.set_declared_senior(true);
  r.set_declared_no_direct_involvement(true);
  return r;
}

v1::AgreeTermsOfReferenceRequest Terms(v1::CivilDate on, bool scoping) {
  v1::AgreeTermsOfReferenceRequest r;
  *r.mutable_agreed_on() = on;
  r.set_document_reference("DHR-14/TOR/v1");
  r.set_scoping(scoping);
  return r;
}

v1::RequestAgencyReportRequest ReportRequest(const std::string& agency, v1::CivilDate on,
                                             v1::CivilDate due) {
  v1::RequestAgencyReportRequest r;
  r.set_agency(agency);
  r.set_kind(v1::IMR);
  *r.mutable_requested_on() = on;
  *r.mutable_due_on() = due;
  return r;
}

v1::ReceiveAgencyReportRequest Received(int id, v1::CivilDate on) {
  v1::ReceiveAgencyReportRequest r;
  r.set_report_id(id);
  *r.mutable_received_on() = on;
  r.set_document_reference("DHR-14/IMR/" + std::to_string(id));
  return r;
}

v1::RecordDraftRequest Draft(v1::CivilDate on, int version) {
  v1::RecordDraftRequest r;
  *r.mutable_drafted_on() = on;
  r.set_overview_report_reference("DHR-14/OR/v" + std::to_string(version));
  r.set_executive_summary_reference("DHR-14/ES/v" + std::to_string(version));
  return r;
}

v1::SignOffReviewRequest SignOff(v1::CivilDate on) {
  v1::SignOffReviewRequest r;
  *r.mutable_signed_off_on() = on;
  return r;
}

v1::SubmitToHomeOfficeRequest Submit(v1::CivilDate on) {
  v1::SubmitToHomeOfficeRequest r;
  *r.mutable_submitted_on() = on;
  return r;
}

v1::RecordQaOutcomeRequest QaOutcome(v1::QaOutcome outcome, v1::CivilDate on) {
  v1::RecordQaOutcomeRequest r;
  r.set_outcome(outcome);
  *r.mutable_decided_on() = on;
  if (outcome != v1::PUBLISH) r.add_areas("Say more about the GP's contact with the victim");
  return r;
}

v1::PublishReviewRequest Publication(v1::CivilDate on) {
  v1::PublishReviewRequest r;
  *r.mutable_published_on() = on;
  r.set_overview_report_reference("DHR-14/OR/published");
  r.set_executive_summary_reference("DHR-14/ES/published");
  return r;
}

v1::AddActionPlanItemRequest PlanItem(v1::CivilDate due) {
  v1::AddActionPlanItemRequest r;
  r.set_recommendation("Agencies share risk assessments with the MARAC the same day");
  r.set_action("Same-day sharing of risk assessments with the MARAC");
  r.set_lead_agency("shire-police");
  v1::Milestone& m = *r.add_milestones();
  m.set_description("Protocol agreed by the partnership");
  *m.mutable_due_on() = due;
  *r.mutable_due_on() = due;
  return r;
}

v1::PlaceOnHoldRequest Hold(v1::HoldReason reason, v1::CivilDate expected_resume) {
  v1::PlaceOnHoldRequest r;
  r.set_reason(reason);
  r.set_explanation("Criminal trial listed at the Crown Court");
  *r.mutable_expected_resume_on() = expected_resume;
  return r;
}

v1::RecordFamilyContactRequest FamilyContact(v1::CivilDate on) {
  v1::RecordFamilyContactRequest r;
  *r.mutable_contacted_on() = on;
  r.set_summary("Letter to the victim's sister with the Home Office leaflet");
  r.set_advocacy_offered(true);
  r.set_wishes_to_contribute(true);
  return r;
}

v1::CloseReviewRequest Close(v1::CivilDate on) {
  v1::CloseReviewRequest r;
  *r.mutable_closed_on() = on;
  return r;
}

}  // namespace casework::testing
