// The parts of the death review workflow its definition (workflow.cc)
// assembles. Private to workflow/death_reviews/.
#ifndef CASEWORK_WORKFLOW_DEATH_REVIEWS_INTERNAL_H_
#define CASEWORK_WORKFLOW_DEATH_REVIEWS_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "casework/v1/death_reviews.pb.h"
#include "workflow/common/status.h"
#include "workflow/death_reviews/commands.h"

namespace casework::workflow::death_reviews {

using Review = v1::DeathReview;

// Limits of a review's lists (the review is rewritten by every command, so
// each list is bounded; family contacts are kept out of it).
inline constexpr int kMaxAgencies = 50;
inline constexpr int kMaxPanelMembers = 40;
inline constexpr int kMaxReports = 100;
inline constexpr int kMaxDrafts = 100;
inline constexpr int kMaxQaRounds = 50;
inline constexpr int kMaxPlanItems = 100;
inline constexpr int kMaxHolds = 100;

// validate.cc: each command's own field rules (the kit checks parent or
// name, request_id and expected_version).
void ValidateNotify(const v1::NotifyDeathRequest& r, const ValidateContext& ctx, FieldErrors& errors);
void ValidateDecision(const v1::RecordDecisionRequest& r, const ValidateContext& ctx,
                      FieldErrors& errors);
void ValidateChair(const v1::AppointChairRequest& r, const ValidateContext& ctx, FieldErrors& errors);
void ValidateMember(const v1::AddPanelMemberRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateTerms(const v1::AgreeTermsOfReferenceRequest& r, const ValidateContext& ctx,
                   FieldErrors& errors);
void ValidateScoping(const v1::CompleteScopingRequest& r, const ValidateContext& ctx,
                     FieldErrors& errors);
void ValidateRequestReport(const v1::RequestAgencyReportRequest& r, const ValidateContext& ctx,
                           FieldErrors& errors);
void ValidateReceiveReport(const v1::ReceiveAgencyReportRequest& r, const ValidateContext& ctx,
                           FieldErrors& errors);
void ValidateWaiveReport(const v1::WaiveAgencyReportRequest& r, const ValidateContext&,
                         FieldErrors& errors);
void ValidateFamily(const v1::RecordFamilyContactRequest& r, const ValidateContext& ctx,
                    FieldErrors& errors);
void ValidateDraft(const v1::RecordDraftRequest& r, const ValidateContext& ctx, FieldErrors& errors);
void ValidateSignOff(const v1::SignOffReviewRequest& r, const ValidateContext& ctx,
                     FieldErrors& errors);
void ValidateSubmit(const v1::SubmitToHomeOfficeRequest& r, const ValidateContext& ctx,
                    FieldErrors& errors);
void ValidateQaOutcome(const v1::RecordQaOutcomeRequest& r, const ValidateContext& ctx,
                       FieldErrors& errors);
void ValidatePublish(const v1::PublishReviewRequest& r, const ValidateContext& ctx,
                     FieldErrors& errors);
void ValidatePlanItem(const v1::AddActionPlanItemRequest& r, const ValidateContext&,
                      FieldErrors& errors);
void ValidateLinkAction(const v1::LinkPlanActionRequest& r, const ValidateContext&,
                        FieldErrors& errors);
void ValidateHold(const v1::PlaceOnHoldRequest& r, const ValidateContext& ctx, FieldErrors& errors);
void ValidateResume(const v1::ResumeReviewRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateClose(const v1::CloseReviewRequest& r, const ValidateContext& ctx, FieldErrors& errors);

// decide_notify.cc: the notification and the decision whether to review.
absl::Status DecideNotify(const Review& s, const v1::NotifyDeathRequest& r,
                          const DecideContext& ctx, Decision& out);
absl::Status DecideDecision(const Review& s, const v1::RecordDecisionRequest& r,
                            const DecideContext& ctx, Decision& out);

// decide_review.cc: the chair, the panel, the terms of reference, scoping,
// the agency reports and the family.
absl::Status DecideChair(const Review& s, const v1::AppointChairRequest& r,
                         const DecideContext& ctx, Decision& out);
absl::Status DecideMember(const Review& s, const v1::AddPanelMemberRequest& r,
                          const DecideContext& ctx, Decision& out);
absl::Status DecideTerms(const Review& s, const v1::AgreeTermsOfReferenceRequest& r,
                         const DecideContext& ctx, Decision& out);
absl::Status DecideScoping(const Review& s, const v1::CompleteScopingRequest& r,
                           const DecideContext& ctx, Decision& out);
absl::Status DecideRequestReport(const Review& s, const v1::RequestAgencyReportRequest& r,
                                 const DecideContext& ctx, Decision& out);
absl::Status DecideReceiveReport(const Review& s, const v1::ReceiveAgencyReportRequest& r,
                                 const DecideContext& ctx, Decision& out);
absl::Status DecideWaiveReport(const Review& s, const v1::WaiveAgencyReportRequest& r,
                               const DecideContext& ctx, Decision& out);
absl::Status DecideFamily(const Review& s, const v1::RecordFamilyContactRequest& r,
                          const DecideContext& ctx, Decision& out);

// decide_report.cc: drafts, sign-off, quality assurance, publication, the
// action plan and closure.
absl::Status DecideDraft(const Review& s, const v1::RecordDraftRequest& r,
                         const DecideContext& ctx, Decision& out);
absl::Status DecideSignOff(const Review& s, const v1::SignOffReviewRequest& r,
                           const DecideContext& ctx, Decision& out);
absl::Status DecideSubmit(const Review& s, const v1::SubmitToHomeOfficeRequest& r,
                          const DecideContext& ctx, Decision& out);
absl::Status DecideQaOutcome(const Review& s, const v1::RecordQaOutcomeRequest& r,
                             const DecideContext& ctx, Decision& out);
absl::Status DecidePublish(const Review& s, const v1::PublishReviewRequest& r,
                           const DecideContext& ctx, Decision& out);
absl::Status DecidePlanItem(const Review& s, const v1::AddActionPlanItemRequest& r,
                            const DecideContext& ctx, Decision& out);
absl::Status DecideLinkAction(const Review& s, const v1::LinkPlanActionRequest& r,
                              const DecideContext& ctx, Decision& out);
absl::Status DecideClose(const Review& s, const v1::CloseReviewRequest& r,
                         const DecideContext& ctx, Decision& out);

// decide_hold.cc: holds for parallel proceedings.
absl::Status DecideHold(const Review& s, const v1::PlaceOnHoldRequest& r,
                        const DecideContext& ctx, Decision& out);
absl::Status DecideResume(const Review& s, const v1::ResumeReviewRequest& r,
                          const DecideContext& ctx, Decision& out);

// rules.cc: checks shared by several decisions.
//
// INVALID_ARGUMENT (`field`, "before_<what>") when `date` is before `floor`.
absl::Status CheckNotBefore(absl::string_view field, const v1::CivilDate& date,
                            const v1::CivilDate& floor, absl::string_view what);
// FAILED_PRECONDITION (CHAIR_NOT_INDEPENDENT) when the chair is employed by
// or declared an association with `agency`.
absl::Status CheckChairIndependentOf(const v1::ReviewChair& chair, absl::string_view agency);
// The last draft's number (0 without drafts), and the draft the last
// quality-assurance round saw (0 without rounds).
int LatestDraft(const Review& s);
int LastRoundDraft(const Review& s);

// apply.cc: one applier per event type.
void ApplyNotified(Review& s, const v1::DeathNotified& e, const v1::EventEnvelope& env);
void ApplyDecided(Review& s, const v1::ReviewDecided& e);
void ApplyChair(Review& s, const v1::ChairAppointed& e);
void ApplyMember(Review& s, const v1::PanelMemberAdded& e);
void ApplyTerms(Review& s, const v1::TermsOfReferenceAgreed& e);
void ApplyScoping(Review& s, const v1::ScopingCompleted& e);
void ApplyReportRequested(Review& s, const v1::AgencyReportRequested& e);
void ApplyReportReceived(Review& s, const v1::AgencyReportReceived& e);
void ApplyReportWaived(Review& s, const v1::AgencyReportWaived& e);
void ApplyFamily(Review& s, const v1::FamilyContactRecorded& e);
void ApplyDraft(Review& s, const v1::DraftRecorded& e);
void ApplySignedOff(Review& s, const v1::ReviewSignedOff& e);
void ApplySubmitted(Review& s, const v1::SubmittedToHomeOffice& e);
void ApplyQaOutcome(Review& s, const v1::QaOutcomeRecorded& e);
void ApplyPublished(Review& s, const v1::ReviewPublished& e);
void ApplyPlanItem(Review& s, const v1::ActionPlanItemAdded& e);
void ApplyLinked(Review& s, const v1::PlanActionLinked& e);
void ApplyOnHold(Review& s, const v1::ReviewPlacedOnHold& e);
void ApplyResumed(Review& s, const v1::ReviewResumed& e);
void ApplyClosed(Review& s, const v1::ReviewClosed& e);

// rows.cc
// The message of each plan item not yet on the action log (outbox.cc).
OutboxRoute PlanActionRoute();
void ReviewRows(absl::string_view stream, const Review& s, std::vector<Row>* rows);
std::string ReviewSummaryRow(absl::string_view stream);
void FamilyContactRows(absl::string_view stream, const v1::FamilyContactRecorded& e,
                       const v1::EventEnvelope& env, std::vector<Row>* rows);
v1::DeathReviewResponse ReviewReply(const Review& s, const v1::CommitInfo& commit);

}  // namespace casework::workflow::death_reviews

#endif  // CASEWORK_WORKFLOW_DEATH_REVIEWS_INTERNAL_H_
