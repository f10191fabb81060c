// The case review's section of the partnership policy ("case_review" in
// casework.v1.Policy): the threshold (docs/workflows/case-review-threshold.md),
// the timescales (deadline rules, docs/deadlines.md), the pool of trained
// review officers and the appeal grounds.
#ifndef CASEWORK_WORKFLOW_CASE_REVIEW_POLICY_SECTION_H_
#define CASEWORK_WORKFLOW_CASE_REVIEW_POLICY_SECTION_H_

#include "absl/strings/string_view.h"
#include "casework/v1/policy.pb.h"
#include "workflow/common/status.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow::case_review {

// The Act caps the R1 complaint count at 3 (s104 ABCPA 2014).
inline constexpr int kMaxThresholdComplaintCount = 3;

// Checks the section of `policy`. Rules (field: rule):
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
//     ("duplicate").
void ValidateSection(const v1::Policy& policy, FieldErrors& errors);

// The default section, modelled on the Leicester, Leicestershire and Rutland
// (LLR) / Charnwood case review policy:
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
// Passes ValidateSection for any partnership identifier of at most 32
// characters.
void SetDefaultSection(absl::string_view partnership, v1::Policy* policy);

// The section as the workflow registers it.
inline constexpr PolicySection kPolicySection{"case_review", ValidateSection, SetDefaultSection};

}  // namespace casework::workflow::case_review

#endif  // CASEWORK_WORKFLOW_CASE_REVIEW_POLICY_SECTION_H_
