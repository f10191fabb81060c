// Case review figures for a period: the statutory publication of section
// 104(10) of the Anti-social Behaviour, Crime and Policing Act 2014
// (applications received, times the threshold was not met, reviews carried
// out, reviews resulting in recommendations) and the management figures the
// partnership reports alongside them (lead-agency split, officer hours,
// deadline compliance, appeals).
//
// Pure functions over case review states; the service lists the reviews of a
// partnership and calls these.
#ifndef CASEWORK_WORKFLOW_CASE_REVIEW_FIGURES_H_
#define CASEWORK_WORKFLOW_CASE_REVIEW_FIGURES_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "casework/v1/case_reviews.pb.h"

namespace casework::workflow::case_review {

// Figures for applications RECEIVED in [from, to] (inclusive, by
// received_date). Reviews without a received_date are not counted.
//
// * applications_received: every review received in the period (withdrawn
//   included).
// * threshold_not_met: of those, the ones whose threshold was evaluated and
//   not met (threshold.met false and threshold.deciding_rule non-empty) — a
//   later SPOC override makes it met.
// * reviews_carried_out: of those, the ones with an outcome decided
//   (outcome.decided_on set, i.e. year != 0).
// * reviews_with_recommendations: carried out with at least one
//   recommendation.
// * withdrawn: state WITHDRAWN.
// * appeals_received: appeal.lodged_on set; appeals_upheld: appeal.decided &&
//   appeal.upheld (appeals against outcomes).
// * threshold_appeals_received / threshold_appeals_upheld: the same for
//   threshold_appeal (appeals against "threshold not met" decisions).
// * officer hours: total over all received reviews; mean and median over
//   reviews with officer_hours > 0 (0 when none); median of an even count is
//   the mean of the two middle values.
// * by_lead_agency: count of reviews with a lead_agency, sorted by agency id.
// * deadline_compliance: per deadline name (step) across the reviews:
//   MET → met_in_time; MET_LATE or MISSED → late; RUNNING or PAUSED → open;
//   CANCELLED (and any other state) is not counted. Sorted by a fixed step
//   order: acknowledge, threshold_decision, review_meeting, outcome_letter,
//   appeal_papers, then any other names (e.g. recommendation_1)
//   alphabetically. "appeal_window" is skipped (a window for the applicant,
//   not a duty). A step appears only when at least one of its deadlines is
//   counted.
// * policy_version_latest: the highest policy_version among the received
//   reviews (0 when none).
// * from/to set; csv left empty (the service fills it when asked).
v1::CaseReviewFigures ComputeCaseReviewFigures(
    const std::vector<v1::CaseReview>& reviews, absl::CivilDay from,
    absl::CivilDay to);

// CSV rendering: one "metric,value" line per figure, then a blank line and
// "lead_agency,reviews" rows, then "step,met_in_time,late,open" rows.
//
// Exactly:
//   metric,value
//   period_from,YYYY-MM-DD
//   period_to,YYYY-MM-DD
//   applications_received,N
//   threshold_not_met,N
//   reviews_carried_out,N
//   reviews_with_recommendations,N
//   withdrawn,N
//   appeals_received,N
//   appeals_upheld,N
//   threshold_appeals_received,N
//   threshold_appeals_upheld,N
//   officer_hours_total,H
//   officer_hours_mean,H
//   officer_hours_median,H
//   (blank line)
//   lead_agency,reviews
//   {agency},N            (one per by_lead_agency entry, in order)
//   (blank line)
//   step,met_in_time,late,open
//   {step},N,N,N          (one per deadline_compliance entry, in order)
//
// Hours have one decimal (e.g. 92.5). Lines end with "\n", the last one
// included; section headers are written even when a section has no rows.
// Any field containing a comma, quote, CR or LF is quoted (RFC 4180), with
// inner quotes doubled.
std::string CaseReviewFiguresCsv(const v1::CaseReviewFigures& figures);

}  // namespace casework::workflow::case_review

#endif  // CASEWORK_WORKFLOW_CASE_REVIEW_FIGURES_H_
