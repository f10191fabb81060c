// The parts of the case review workflow its definition (workflow.cc)
// assembles. Private to workflow/case_review/.
#ifndef CASEWORK_WORKFLOW_CASE_REVIEW_INTERNAL_H_
#define CASEWORK_WORKFLOW_CASE_REVIEW_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "casework/v1/case_reviews.pb.h"
#include "casework/v1/policy.pb.h"
#include "workflow/case_review/commands.h"
#include "workflow/common/status.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::workflow::case_review {

using State = v1::CaseReview;

// Deadline names: the fields of the policy's case_review.timescales.
inline constexpr absl::string_view kAcknowledge = "acknowledge";
inline constexpr absl::string_view kThresholdDecision = "threshold_decision";
inline constexpr absl::string_view kReviewMeeting = "review_meeting";
inline constexpr absl::string_view kOutcomeLetter = "outcome_letter";
inline constexpr absl::string_view kAppealWindow = "appeal_window";
inline constexpr absl::string_view kAppealPapers = "appeal_papers";
// The deadline of recommendation `id`: its own due date.
std::string RecommendationDeadline(int id);

// The appeal a case in `s` is waiting on or would take next: against the
// threshold decision while the threshold stands not met, else against the
// outcome.
v1::Appeal::Against AppealAgainst(const State& s);
// The appeal record of `against` in `s`.
const v1::Appeal& AppealOf(const State& s, v1::Appeal::Against against);
v1::Appeal* MutableAppealOf(State& s, v1::Appeal::Against against);

// What every case review decision works with: the state, the context, the
// events so far, and the steps many decisions share.
class Review {
 public:
  Review(const State& s, const DecideContext& ctx, Decision& out) : s(s), ctx(ctx), out(out) {}

  const State& s;
  const DecideContext& ctx;
  Decision& out;

  v1::CivilDate Today() const;
  // The policy version the case is pinned to. FAILED_PRECONDITION
  // (NO_POLICY_SECTION) if it has no case_review section.
  absl::StatusOr<PolicyRef> Pinned() const;
  // Meets `deadline` if it is open.
  void Met(absl::string_view deadline);
  // Starts `deadline` from `from` by the policy's timescale of that name; a
  // `window` expires instead of being missed.
  absl::Status Start(const v1::Policy& policy, absl::string_view deadline, absl::CivilDay from,
                     bool window = false);
  // Cancels every deadline still open.
  void CancelOpen(absl::string_view reason);
  // The same, but a running appeal window stays open while an appeal is
  // still possible: closing a case never takes away an appeal in time.
  void CancelOpenButAppealWindow(absl::string_view reason);
  // The officer to lead: `requested` if given (must be trained and active in
  // the pool and not in `exclude`), else the trained, active officer with the
  // fewest open reviews, not in `exclude` (pool order breaks ties).
  absl::StatusOr<v1::LeadOfficerAssigned> ChooseLead(const v1::Policy& policy,
                                                     absl::string_view requested,
                                                     const std::vector<std::string>& exclude) const;
};

// validate.cc: each command's own field rules (the kit checks parent or
// name, request_id and expected_version).
void ValidateCaseReviewCommand(const v1::CaseReviewCommand& r, const ValidateContext&,
                               FieldErrors& errors);
void ValidateReceiveApplication(const v1::ReceiveApplicationRequest& r, const ValidateContext& ctx,
                                FieldErrors& errors);
void ValidateOverrideThreshold(const v1::OverrideThresholdRequest& r, const ValidateContext&,
                               FieldErrors& errors);
void ValidateNotifyApplicant(const v1::NotifyApplicantRequest& r, const ValidateContext&,
                             FieldErrors& errors);
void ValidateAssignLeadOfficer(const v1::AssignLeadOfficerRequest& r, const ValidateContext&,
                               FieldErrors& errors);
void ValidateRequestAgencyInformation(const v1::AgencyInformationRequest& r,
                                      const ValidateContext&, FieldErrors& errors);
void ValidateRecordAgencyInformation(const v1::AgencyInformationRequest& r,
                                     const ValidateContext&, FieldErrors& errors);
void ValidateRecordReviewMeeting(const v1::RecordReviewMeetingRequest& r, const ValidateContext&,
                                 FieldErrors& errors);
void ValidateRecordOfficerHours(const v1::RecordOfficerHoursRequest& r, const ValidateContext&,
                                FieldErrors& errors);
void ValidateRecordOutcome(const v1::RecordOutcomeRequest& r, const ValidateContext&,
                           FieldErrors& errors);
void ValidateLodgeAppeal(const v1::LodgeAppealRequest& r, const ValidateContext&,
                         FieldErrors& errors);
void ValidateSendAppealPapers(const v1::SendAppealPapersRequest& r, const ValidateContext&,
                              FieldErrors& errors);
void ValidateDecideAppeal(const v1::DecideAppealRequest& r, const ValidateContext&,
                          FieldErrors& errors);
void ValidateReferRecommendation(const v1::ReferRecommendationRequest& r,
                                 const ValidateContext& ctx, FieldErrors& errors);
void ValidateLinkPanelReferral(const v1::LinkPanelReferralRequest& r, const ValidateContext&,
                               FieldErrors& errors);
void ValidateRecommendationProgress(const v1::RecommendationProgressRequest& r,
                                    const ValidateContext&, FieldErrors& errors);
void ValidateCloseCaseReview(const v1::CloseCaseReviewRequest& r, const ValidateContext&,
                             FieldErrors& errors);
void ValidateWithdrawApplication(const v1::WithdrawApplicationRequest& r, const ValidateContext&,
                                 FieldErrors& errors);

// decide_intake.cc: from the application to the threshold decision.
absl::Status DecideReceiveApplication(const State& s, const v1::ReceiveApplicationRequest& r,
                                      const DecideContext& ctx, Decision& out);
absl::Status DecideAcknowledgeApplication(const State& s, const v1::CaseReviewCommand& r,
                                          const DecideContext& ctx, Decision& out);
absl::Status DecideEvaluateThreshold(const State& s, const v1::CaseReviewCommand& r,
                                     const DecideContext& ctx, Decision& out);
absl::Status DecideOverrideThreshold(const State& s, const v1::OverrideThresholdRequest& r,
                                     const DecideContext& ctx, Decision& out);
absl::Status DecideNotifyApplicant(const State& s, const v1::NotifyApplicantRequest& r,
                                   const DecideContext& ctx, Decision& out);

// decide_review.cc: the review itself, to its outcome.
absl::Status DecideAssignLeadOfficer(const State& s, const v1::AssignLeadOfficerRequest& r,
                                     const DecideContext& ctx, Decision& out);
absl::Status DecideRequestAgencyInformation(const State& s, const v1::AgencyInformationRequest& r,
                                            const DecideContext& ctx, Decision& out);
absl::Status DecideRecordAgencyInformation(const State& s, const v1::AgencyInformationRequest& r,
                                           const DecideContext& ctx, Decision& out);
absl::Status DecideInviteVictim(const State& s, const v1::CaseReviewCommand& r,
                                const DecideContext& ctx, Decision& out);
absl::Status DecideRecordReviewMeeting(const State& s, const v1::RecordReviewMeetingRequest& r,
                                       const DecideContext& ctx, Decision& out);
absl::Status DecideRecordOfficerHours(const State& s, const v1::RecordOfficerHoursRequest& r,
                                      const DecideContext& ctx, Decision& out);
absl::Status DecideRecordOutcome(const State& s, const v1::RecordOutcomeRequest& r,
                                 const DecideContext& ctx, Decision& out);

// decide_outcome.cc: from the outcome to appeal and closure.
absl::Status DecideCommunicateOutcome(const State& s, const v1::CaseReviewCommand& r,
                                      const DecideContext& ctx, Decision& out);
absl::Status DecideLodgeAppeal(const State& s, const v1::LodgeAppealRequest& r,
                               const DecideContext& ctx, Decision& out);
absl::Status DecideSendAppealPapers(const State& s, const v1::SendAppealPapersRequest& r,
                                    const DecideContext& ctx, Decision& out);
absl::Status DecideDecideAppeal(const State& s, const v1::DecideAppealRequest& r,
                                const DecideContext& ctx, Decision& out);
// decide_referral.cc: a recommendation handed to a panel, and its link.
absl::Status DecideReferRecommendation(const State& s, const v1::ReferRecommendationRequest& r,
                                       const DecideContext& ctx, Decision& out);
absl::Status DecideLinkPanelReferral(const State& s, const v1::LinkPanelReferralRequest& r,
                                     const DecideContext& ctx, Decision& out);
void ApplyRecommendationReferred(State& s, const v1::RecommendationReferred& e);
void ApplyPanelReferralLinked(State& s, const v1::PanelReferralLinked& e);
// The row of each referred recommendation not yet linked (kReferralsPrefix).
// The message of each referred recommendation not yet linked (outbox.cc).
OutboxRoute PanelReferralRoute();
void ReferralRows(absl::string_view stream, const State& s, std::vector<Row>* rows);

absl::Status DecideRecommendationProgress(const State& s,
                                          const v1::RecommendationProgressRequest& r,
                                          const DecideContext& ctx, Decision& out);
absl::Status DecideCloseCaseReview(const State& s, const v1::CloseCaseReviewRequest& r,
                                   const DecideContext& ctx, Decision& out);
absl::Status DecideWithdrawApplication(const State& s, const v1::WithdrawApplicationRequest& r,
                                       const DecideContext& ctx, Decision& out);

// apply.cc: one applier per event type.
void ApplyApplicationReceived(State& s, const v1::ApplicationReceived& e,
                              const v1::EventEnvelope& env);
void ApplyApplicationAcknowledged(State& s, const v1::ApplicationAcknowledged& e);
void ApplyThresholdEvaluated(State& s, const v1::ThresholdEvaluated& e);
void ApplyApplicantNotified(State& s, const v1::ApplicantNotified& e);
void ApplyLeadOfficerAssigned(State& s, const v1::LeadOfficerAssigned& e);
void ApplyAgencyInformationRequested(State& s, const v1::AgencyInformationRequested& e);
void ApplyAgencyInformationReceived(State& s, const v1::AgencyInformationReceived& e);
void ApplyVictimInvited(State& s, const v1::VictimInvited& e);
void ApplyReviewMeetingRecorded(State& s, const v1::ReviewMeetingRecorded& e);
void ApplyOfficerHoursRecorded(State& s, const v1::OfficerHoursRecorded& e);
void ApplyOutcomeRecorded(State& s, const v1::OutcomeRecorded& e);
void ApplyOutcomeCommunicated(State& s, const v1::OutcomeCommunicated& e);
void ApplyAppealLodged(State& s, const v1::AppealLodged& e);
void ApplyAppealPapersSent(State& s, const v1::AppealPapersSent& e);
void ApplyAppealDecided(State& s, const v1::AppealDecided& e);
void ApplyReviewReopened(State& s, const v1::ReviewReopened& e);
void ApplyRecommendationProgressed(State& s, const v1::RecommendationProgressed& e);
void ApplyCaseReviewClosed(State& s, const v1::CaseReviewClosed& e);
void ApplyApplicationWithdrawn(State& s, const v1::ApplicationWithdrawn& e);

// rows.cc
void CaseReviewRows(absl::string_view stream, const State& s, std::vector<Row>* rows);
// caseReviews/{p}/all/{n}: the review itself, for lists and figures.
std::string CaseReviewSummaryRow(absl::string_view stream);
// ConsideredRowKey's row, from the evaluation that weighed the complaints.
void ConsideredRows(absl::string_view stream, const v1::ThresholdEvaluated& e,
                    const v1::EventEnvelope& env, std::vector<Row>* rows);
v1::CaseReviewResponse CaseReviewReply(const State& s, const v1::CommitInfo& commit);

}  // namespace casework::workflow::case_review

#endif  // CASEWORK_WORKFLOW_CASE_REVIEW_INTERNAL_H_
