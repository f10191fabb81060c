// Requests the death reviews' pure tests and table examples share, for
// partnership "eastbrook" under its default policy (the 2011 regime, a
// decision within 1 month, submission within 6 months, reader
// "partnership_chair"). The people are fictional.
#ifndef CASEWORK_TESTS_WORKFLOW_DEATH_REVIEWS_DEATH_REVIEWS_WORLD_H_
#define CASEWORK_TESTS_WORKFLOW_DEATH_REVIEWS_DEATH_REVIEWS_WORLD_H_

#include <string>
#include <vector>

#include "casework/v1/death_reviews.pb.h"
#include "tests/support/world.h"

namespace casework::testing {

// The review coordinator every example acts as (a reader role).
void ActAsCoordinator(World& world);

// Police notification of a death on `notified` (the death that day): a
// woman of `age` killed by her current partner unless told otherwise.
v1::NotifyDeathRequest Notification(
    v1::CivilDate notified, int age = 34,
    v1::PerpetratorRelationship relationship = v1::CURRENT_INTIMATE_PARTNER,
    bool suicide_after_abuse = false);
// The decision on `on`, the Home Office told the same day. Agencies
// involved: shire-police (the notifier), eastbrook-council, shire-health.
v1::RecordDecisionRequest Decision(bool commission, v1::CivilDate on);
// Chair "chair-01" of "independent-reviews", declaring `associations`.
v1::AppointChairRequest Chair(v1::CivilDate on, std::vector<std::string> associations = {});
v1::AddPanelMemberRequest Member(const std::string& agency, const std::string& user);
v1::AgreeTermsOfReferenceRequest Terms(v1::CivilDate on, bool scoping = false);
v1::RequestAgencyReportRequest ReportRequest(const std::string& agency, v1::CivilDate on,
                                             v1::CivilDate due);
v1::ReceiveAgencyReportRequest Received(int id, v1::CivilDate on);
v1::RecordDraftRequest Draft(v1::CivilDate on, int version);
v1::SignOffReviewRequest SignOff(v1::CivilDate on);
v1::SubmitToHomeOfficeRequest Submit(v1::CivilDate on);
v1::RecordQaOutcomeRequest QaOutcome(v1::QaOutcome outcome, v1::CivilDate on);
v1::PublishReviewRequest Publication(v1::CivilDate on);
v1::AddActionPlanItemRequest PlanItem(v1::CivilDate due);
v1::PlaceOnHoldRequest Hold(v1::HoldReason reason, v1::CivilDate expected_resume);
v1::RecordFamilyContactRequest FamilyContact(v1::CivilDate on);
v1::CloseReviewRequest Close(v1::CivilDate on);

// `request` on review `name` with a fresh request id.
template <typename Request>
Request On(const std::string& name, Request request) {
  static int next = 0;
  request.set_name(name);
  request.set_request_id("dr-" + std::to_string(++next));
  return request;
}

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_WORKFLOW_DEATH_REVIEWS_DEATH_REVIEWS_WORLD_H_
