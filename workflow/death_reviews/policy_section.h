// The death reviews' section of the partnership policy ("death_reviews" in
// casework.v1.Policy): the statutory regime, the timescales and the roles
// that may read every review before publication.
#ifndef CASEWORK_WORKFLOW_DEATH_REVIEWS_POLICY_SECTION_H_
#define CASEWORK_WORKFLOW_DEATH_REVIEWS_POLICY_SECTION_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "casework/v1/policy.pb.h"
#include "workflow/common/status.h"
#include "workflow/kernel/workflow.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::workflow::death_reviews {

// Checks the section of `policy`. Rules (field: rule), every field under
// "death_reviews.":
//   * regime: a known regime ("required");
//   * timescales.decision, timescales.submission: deadline rules
//     ("required", "deadline_rule"), counted in calendar days, weeks or
//     months ("unit"): a hold moves them on by the days held;
//   * reader_roles: 1-10 ("required", "count"), each 1-40 characters of
//     a-z, 0-9, '_' and '-' ("format"), no duplicate ("duplicate").
void ValidateSection(const v1::Policy& policy, FieldErrors& errors);

// The default section: the section 9 regime as in force since 2011 (a
// partnership moves to the 2024 regime by publishing a policy once it is
// commenced), a decision within 1 month of notification, submission within
// 6 months of the decision, reader role "partnership_chair".
void SetDefaultSection(absl::string_view partnership, v1::Policy* policy);

inline constexpr PolicySection kPolicySection{"death_reviews", ValidateSection,
                                              SetDefaultSection};

// The policy in force with its death reviews section: FAILED_PRECONDITION
// without a policy (NO_POLICY) or a section (NO_POLICY_SECTION).
absl::StatusOr<PolicyRef> ReviewPolicyInForce(const DecideContext& ctx);
// Policy version `version`, the one a review is pinned to, with its section.
absl::StatusOr<PolicyRef> PinnedReviewPolicy(const DecideContext& ctx, int64_t version);

}  // namespace casework::workflow::death_reviews

#endif  // CASEWORK_WORKFLOW_DEATH_REVIEWS_POLICY_SECTION_H_
