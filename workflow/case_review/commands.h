// ASB Case Review ("Community Trigger"), s104 of the Anti-social Behaviour,
// Crime and Policing Act 2014: one stream per application,
// "partnerships/{p}/caseReviews/{n}". States and rules:
// docs/workflows/case-review.md. API: casework.v1.CaseReviewService.
//
// This header is the workflow's public face: its commands (named as their
// gRPC methods), its definition and the read-model rows other code queries.
// The complaint ledger the threshold reads is complaints.h.
#ifndef CASEWORK_WORKFLOW_CASE_REVIEW_COMMANDS_H_
#define CASEWORK_WORKFLOW_CASE_REVIEW_COMMANDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "casework/v1/case_reviews.pb.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow::case_review {

inline constexpr CommandName<v1::ReceiveApplicationRequest> kReceiveApplication{
    "ReceiveApplication"};
inline constexpr CommandName<v1::CaseReviewCommand> kAcknowledgeApplication{
    "AcknowledgeApplication"};
inline constexpr CommandName<v1::CaseReviewCommand> kEvaluateThreshold{"EvaluateThreshold"};
inline constexpr CommandName<v1::OverrideThresholdRequest> kOverrideThreshold{"OverrideThreshold"};
inline constexpr CommandName<v1::NotifyApplicantRequest> kNotifyApplicant{"NotifyApplicant"};
inline constexpr CommandName<v1::AssignLeadOfficerRequest> kAssignLeadOfficer{"AssignLeadOfficer"};
inline constexpr CommandName<v1::AgencyInformationRequest> kRequestAgencyInformation{
    "RequestAgencyInformation"};
inline constexpr CommandName<v1::AgencyInformationRequest> kRecordAgencyInformation{
    "RecordAgencyInformation"};
inline constexpr CommandName<v1::CaseReviewCommand> kInviteVictim{"InviteVictim"};
inline constexpr CommandName<v1::RecordReviewMeetingRequest> kRecordReviewMeeting{
    "RecordReviewMeeting"};
inline constexpr CommandName<v1::RecordOfficerHoursRequest> kRecordOfficerHours{
    "RecordOfficerHours"};
inline constexpr CommandName<v1::RecordOutcomeRequest> kRecordOutcome{"RecordOutcome"};
inline constexpr CommandName<v1::CaseReviewCommand> kCommunicateOutcome{"CommunicateOutcome"};
inline constexpr CommandName<v1::LodgeAppealRequest> kLodgeAppeal{"LodgeAppeal"};
inline constexpr CommandName<v1::SendAppealPapersRequest> kSendAppealPapers{"SendAppealPapers"};
inline constexpr CommandName<v1::DecideAppealRequest> kDecideAppeal{"DecideAppeal"};
inline constexpr CommandName<v1::RecommendationProgressRequest> kRecordRecommendationProgress{
    "RecordRecommendationProgress"};
inline constexpr CommandName<v1::CloseCaseReviewRequest> kCloseCaseReview{"CloseCaseReview"};
inline constexpr CommandName<v1::ReferRecommendationRequest> kReferRecommendation{
    "ReferRecommendation"};
inline constexpr CommandName<v1::LinkPanelReferralRequest> kLinkPanelReferral{"LinkPanelReferral"};

// Recommendations referred to a panel whose referral is not yet linked, in
// every partnership: caseReviews/~referrals/{p}/{review n}/{recommendation
// id} -> the case review. The server's outbox opens each referral
// (PanelService.ReceiveRecommendation) and links it (LinkPanelReferral),
// which removes the row.
inline constexpr absl::string_view kReferralsPrefix = "caseReviews/~referrals/";
inline constexpr CommandName<v1::WithdrawApplicationRequest> kWithdrawApplication{
    "WithdrawApplication"};

// The case review workflow (state: casework.v1.CaseReview).
const Workflow& CaseReviewWorkflow();

// Read-model prefixes:
//   caseReviews/{p}/all/{n}              -> CaseReview (for lists and figures)
//   caseReviews/{p}/state/{STATE}/{n}    -> ""
//   caseReviews/{p}/lead/{officer}/{n}   -> ""   (open reviews: workload)
//   caseReviews/{p}/overdue/{n}          -> ""   (a deadline is missed)
//   caseReviews/{p}/considered/{n}       -> ThresholdEvaluation holding only
//                                           `considered` (ConsideredRowKey)
std::string CaseReviewRowPrefix(absl::string_view partnership, absl::string_view index);

// The row of the complaints case review `stream`'s threshold weighed: a
// ThresholdEvaluation with only its `considered` list. Written once, by the
// evaluation that weighed them; the review's state keeps only
// `considered_total`, so no later command carries, seals or copies the list.
// GetCaseReview (and ListCaseReviews' FULL view) put it back.
std::string ConsideredRowKey(absl::string_view stream);

}  // namespace casework::workflow::case_review

#endif  // CASEWORK_WORKFLOW_CASE_REVIEW_COMMANDS_H_
