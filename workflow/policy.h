// Partnership policy: validation of a policy document and the default
// (LLR/Charnwood-style) policy shipped for a new partnership.
//
// A policy holds the local rules of the ASB case review: the threshold
// (docs/workflows/case-review-threshold.md), the timescales (deadline rules,
// docs/deadlines.md), the pool of trained review officers and the appeal
// grounds. PolicyService publishes a document only after ValidatePolicy has
// accepted it. Pure: no I/O, no clock.
#ifndef CASEWORK_WORKFLOW_POLICY_H_
#define CASEWORK_WORKFLOW_POLICY_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "casework/v1/policy.pb.h"

namespace casework::workflow {

// The Act caps the R1 complaint count at 3 (s104 ABCPA 2014).
inline constexpr int kMaxThresholdComplaintCount = 3;

// The longest policy title accepted, in bytes.
inline constexpr size_t kMaxPolicyTitleChars = 200;

// Checks every rule of a policy document and returns OK, or
// INVALID_ARGUMENT with a casework.v1.BadRequest detail naming every broken
// field with its rule, e.g. field "case_review.threshold.complaint_count",
// rule "statutory_cap", description "must be 1-3: the Act caps the number of
// complaints at 3, got 4". The server-set fields (partnership, version,
// publish_time) are not checked.
//
// Rules (field: rule):
//   * case_review: required (the message must be present);
//   * case_review.threshold.complaint_count: 1-3 ("range" below 1,
//     "statutory_cap" above 3);
//   * case_review.threshold.window and .report_within: "required", parse with
//     ParseDeadlineRule ("deadline_rule"), and are counted in calendar days,
//     weeks or months ("unit": working days are refused, the threshold is
//     counted on calendar dates without a holiday calendar);
//   * case_review.threshold.relevant_agencies: at least one ("required"); no
//     AGENCY_KIND_UNSPECIFIED or unknown value ("unspecified", "unknown") and
//     no duplicate ("duplicate"), reported on the element, e.g.
//     "case_review.threshold.relevant_agencies[2]";
//   * case_review.threshold.community, when enabled: complaint_count >= 2
//     and min_complainants >= 2 ("range");
//   * case_review.threshold.same_incident, when enabled: min_complainants >= 2
//     ("range");
//   * case_review.timescales.<each of acknowledge, threshold_decision,
//     review_meeting, outcome_letter, appeal_window, appeal_papers>:
//     "required", then "deadline_rule";
//   * case_review.officers[i].id and .agency: identifiers (CheckId:
//     "required", "format"); ids unique ("duplicate"); case_review.officers:
//     at least one officer both trained and active ("trained_officer");
//   * case_review.appeal.grounds: at least one when the appeal is enabled
//     ("required"); each ground non-empty ("required") and unique
//     ("duplicate");
//   * title: at most kMaxPolicyTitleChars characters ("length").
absl::Status ValidatePolicy(const v1::Policy& policy);

// The default policy for `partnership` (an identifier such as "eastbrook"),
// modelled on the Leicester, Leicestershire and Rutland (LLR) / Charnwood
// case review policy:
//   * threshold: 3 complaints in "6 months", each reported within "1 month"
//     of the behaviour to the council, police, a registered housing provider
//     or health; R2 hate incident rule on; community rule on (5 complaints
//     from at least 2 complainants); same-incident rule off (min 3); SPOC
//     override allowed;
//   * timescales: acknowledge "5 working days", threshold_decision
//     "10 working days", review_meeting "25 working days", outcome_letter
//     "5 working days", appeal_window "20 working days", appeal_papers
//     "1 working day";
//   * appeal: enabled, on the two LLR grounds;
//   * officers: five fictional officers, labelled by role, across the
//     council, police and housing provider of the partnership. For
//     "eastbrook" the agencies are "eastbrook-council", "shire-police" and
//     "eastbrook-homes"; for any other partnership p they are "p-council",
//     "p-police" and "p-homes". One officer is untrained (not in the pool).
// `partnership` is copied into the result; version and publish_time are
// unset. The result passes ValidatePolicy for any partnership identifier of
// at most 32 characters.
v1::Policy LlrDefaultPolicy(absl::string_view partnership);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_POLICY_H_
