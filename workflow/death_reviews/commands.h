// Domestic homicide reviews (domestic abuse related death reviews): one
// stream per notified death, "partnerships/{p}/deathReviews/{n}", from the
// police notification to publication and the action plan's closure. States
// and rules: docs/workflows/death-reviews.md. API:
// casework.v1.DeathReviewService.
//
// This header is the workflow's public face: its commands, its definition,
// who may read a review, and the read-model rows the service queries.
#ifndef CASEWORK_WORKFLOW_DEATH_REVIEWS_COMMANDS_H_
#define CASEWORK_WORKFLOW_DEATH_REVIEWS_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "casework/v1/death_reviews.pb.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow::death_reviews {

inline constexpr CommandName<v1::NotifyDeathRequest> kNotifyDeath{"NotifyDeath"};
inline constexpr CommandName<v1::RecordDecisionRequest> kRecordDecision{"RecordDecision"};
inline constexpr CommandName<v1::AppointChairRequest> kAppointChair{"AppointChair"};
inline constexpr CommandName<v1::AddPanelMemberRequest> kAddPanelMember{"AddPanelMember"};
inline constexpr CommandName<v1::AgreeTermsOfReferenceRequest> kAgreeTermsOfReference{
    "AgreeTermsOfReference"};
inline constexpr CommandName<v1::CompleteScopingRequest> kCompleteScoping{"CompleteScoping"};
inline constexpr CommandName<v1::RequestAgencyReportRequest> kRequestAgencyReport{
    "RequestAgencyReport"};
inline constexpr CommandName<v1::ReceiveAgencyReportRequest> kReceiveAgencyReport{
    "ReceiveAgencyReport"};
inline constexpr CommandName<v1::WaiveAgencyReportRequest> kWaiveAgencyReport{
    "WaiveAgencyReport"};
inline constexpr CommandName<v1::RecordFamilyContactRequest> kRecordFamilyContact{
    "RecordFamilyContact"};
inline constexpr CommandName<v1::RecordDraftRequest> kRecordDraft{"RecordDraft"};
inline constexpr CommandName<v1::SignOffReviewRequest> kSignOffReview{"SignOffReview"};
inline constexpr CommandName<v1::SubmitToHomeOfficeRequest> kSubmitToHomeOffice{
    "SubmitToHomeOffice"};
inline constexpr CommandName<v1::RecordQaOutcomeRequest> kRecordQaOutcome{"RecordQaOutcome"};
inline constexpr CommandName<v1::PublishReviewRequest> kPublishReview{"PublishReview"};
inline constexpr CommandName<v1::AddActionPlanItemRequest> kAddActionPlanItem{
    "AddActionPlanItem"};
inline constexpr CommandName<v1::LinkPlanActionRequest> kLinkPlanAction{"LinkPlanAction"};
inline constexpr CommandName<v1::PlaceOnHoldRequest> kPlaceOnHold{"PlaceOnHold"};
inline constexpr CommandName<v1::ResumeReviewRequest> kResumeReview{"ResumeReview"};
inline constexpr CommandName<v1::CloseReviewRequest> kCloseReview{"CloseReview"};

// The death review workflow (state: casework.v1.DeathReview).
const Workflow& DeathReviewWorkflow();

inline constexpr absl::string_view kCollection = "deathReviews";
std::string DeathReviewStream(absl::string_view partnership, int64_t number);

// The deadlines a review keeps: the decision whether to commission, the
// submission to the Home Office, one per agency report ("{prefix}{id}"),
// and, while on hold, the expected end of the hold.
inline constexpr absl::string_view kDecisionDeadline = "decision";
inline constexpr absl::string_view kSubmissionDeadline = "submission";
inline constexpr absl::string_view kResumeDeadline = "expected_resume";
inline constexpr absl::string_view kReportDeadlinePrefix = "agency_report/";

// Who may read a review (and act on it) before publication: its chair, its
// panel members (by agency and user), a reader role of the policy it was
// notified under (and the engine, by the kit). Never shared by policy.
bool MayRead(const v1::DeathReview& review, const v1::Actor& actor);
// What the rest of the partnership may read: nothing before publication
// (nullopt); after it, the published summary (DeathReview.restricted set).
std::optional<v1::DeathReview> PublishedView(const v1::DeathReview& review);

// Read-model key prefixes, for the queries in services/:
//   deathReviews/{p}/all/{n}                -> DeathReview (summary row)
//   deathReviews/{p}/family/{n}/{version}   -> FamilyContact, one per contact
//   deathReviews/~actions/{p}/{n}/{item}    -> a plan item not yet on the
//                                              action log (ActionPlanItem)
std::string RowPrefix(absl::string_view partnership, absl::string_view index);
std::string FamilyContactsPrefix(absl::string_view partnership, int64_t number);
// Action plan items waiting for their action, in every partnership: the
// rows the server's outbox delivers. An item implies its row until
// LinkPlanAction lands.
inline constexpr absl::string_view kPlanActionsPrefix = "deathReviews/~actions/";

}  // namespace casework::workflow::death_reviews

#endif  // CASEWORK_WORKFLOW_DEATH_REVIEWS_COMMANDS_H_
