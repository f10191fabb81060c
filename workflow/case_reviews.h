// ASB Case Review ("Community Trigger") workflow: one stream per
// application, "partnerships/{p}/caseReviews/{n}". States and rules:
// docs/workflows/case-review.md. Pure: cross-stream reads (policy, ledger,
// officer workloads) go through DecideContext.
#ifndef CASEWORK_WORKFLOW_CASE_REVIEWS_H_
#define CASEWORK_WORKFLOW_CASE_REVIEWS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "casework/v1/case_reviews.pb.h"
#include "workflow/kernel.h"

namespace casework::workflow {

// The commands of the workflow, named as their gRPC methods.
enum class ReviewCommand {
  kReceiveApplication,
  kAcknowledgeApplication,
  kEvaluateThreshold,
  kOverrideThreshold,
  kNotifyApplicant,
  kAssignLeadOfficer,
  kRequestAgencyInformation,
  kRecordAgencyInformation,
  kInviteVictim,
  kRecordReviewMeeting,
  kRecordOfficerHours,
  kRecordOutcome,
  kCommunicateOutcome,
  kLodgeAppeal,
  kSendAppealPapers,
  kDecideAppeal,
  kRecordRecommendationProgress,
  kCloseCaseReview,
  kWithdrawApplication,
};

// A command and its request message (the gRPC request of the same name).
struct CaseReviewCommandSpec {
  ReviewCommand kind;
  std::shared_ptr<const google::protobuf::Message> request;
};

absl::string_view ReviewCommandName(ReviewCommand kind);

const TransitionTable& CaseReviewTransitions();

// Field checks of the request. `today` (London) bounds dates.
absl::Status ValidateCaseReviewCommand(const CaseReviewCommandSpec& command,
                                       absl::CivilDay today);

// Decides the command on a case review in `state` (empty for a new one).
absl::StatusOr<Events> DecideCaseReview(const v1::CaseReview& state,
                                        const CaseReviewCommandSpec& command,
                                        const DecideContext& context);

const TypedAggregate<v1::CaseReview>& CaseReviewAggregate();

// Read-model prefixes:
//   caseReviews/{p}/all/{n}              -> CaseReview (for lists and figures)
//   caseReviews/{p}/state/{STATE}/{n}    -> ""
//   caseReviews/{p}/lead/{officer}/{n}   -> ""   (open reviews: workload)
//   caseReviews/{p}/overdue/{n}          -> ""   (a deadline is missed)
std::string CaseReviewRowPrefix(absl::string_view partnership, absl::string_view index);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_CASE_REVIEWS_H_
