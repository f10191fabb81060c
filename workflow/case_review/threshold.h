// The ASB case review threshold (s104 ABCPA 2014), evaluated from the
// complaint ledger, and the proactive notices raised on intake.
//
// User-facing explanation: docs/workflows/case-review-threshold.md. Pure: no
// I/O, no clock; the caller reads the ledger and passes the complaints in.
//
// Semantics of EvaluateThreshold (A = the application date, policy =
// ThresholdPolicy):
//
//   Window. window_start = A minus policy.window, counted on calendar dates:
//   "6 months" is the same day of the month 6 months earlier, clamped to the
//   end of a shorter month (31 Aug minus 6 months = 28 Feb, or 29 Feb in a
//   leap year); "N calendar days" / "N weeks" is A - N days. A complaint is
//   in the window when window_start <= reported_date <= A.
//
//   R1 (complaints). An applicant complaint qualifies when it is
//     (a) reported within the window,
//     (b) made to an agency kind listed in policy.relevant_agencies,
//     (c) reported within policy.report_within of the behaviour:
//         reported_date <= behaviour_date + report_within ("1 month" is a
//         calendar month, clamped as above: behaviour on 10 Feb reported on
//         10 Mar counts, reported on 13 Mar does not);
//     (d) the first of its incident: among qualifying complaints sharing a
//         non-empty incident_reference, the earliest reported counts (on a
//         tie, the one whose name has the smallest trailing number, e.g.
//         ".../complaints/9" before ".../complaints/10"); the others are
//         excluded as the same incident. An empty incident_reference is an
//         incident of its own.
//   R1 is met when the counted complaints number at least
//   policy.complaint_count.
//
//   R2 (hate incident), when policy.hate_incident_rule: one applicant
//   complaint with hate_related, made to a relevant agency kind, whose
//   BEHAVIOUR date is within [window_start, A] and which was reported on or
//   before A, meets the threshold on its own (report_within does not apply).
//   The earliest reported such complaint decides.
//
//   COMMUNITY, when policy.community.enabled: the complaints of
//   locality_complaints (anyone's, the applicant's included) with the
//   application's category, reported within the window, made to a relevant
//   agency kind, each incident counted once as in R1(d) (report_within does
//   not apply). Met when at least community.complaint_count are counted and
//   the counted ones come from at least community.min_complainants distinct
//   complainants. Counting stops there: the counted complaints are the
//   oldest that meet the rule. Never met when the application's category
//   is unspecified.
//
//   SAME_INCIDENT, when policy.same_incident.enabled: for each non-empty
//   incident_reference of an applicant complaint reported within the window
//   (oldest first), the distinct complainants of that incident — the
//   applicant plus the complainants of incident_complaints[incident] reported
//   within the window — number at least same_incident.min_complainants. The
//   first such incident decides.
//
//   The rules are tried in the order R1, R2, COMMUNITY, SAME_INCIDENT; the
//   first met decides (deciding_rule "R1_COMPLAINTS", "R2_HATE_INCIDENT",
//   "COMMUNITY", "SAME_INCIDENT"), otherwise deciding_rule is "NOT_MET".
//
//   Explanation (`considered`): every applicant complaint, oldest reported
//   first (ties by the trailing number of the name), once with rule "R1",
//   counted or excluded, with the first reason that applies:
//     "reported after the application"
//     "outside the window (reported 2026-04-30, window starts 2026-05-20)"
//     "made to health, not a relevant body in this policy"
//     "reported 31 days after the behaviour (more than 1 month)"
//     "same incident as partnerships/eastbrook/complaints/3"
//     "counted"
//   When R2 decides, the deciding complaint is listed again with rule "R2",
//   counted, reason "hate incident within the window". When COMMUNITY or
//   SAME_INCIDENT decides, the other people's complaints counted by that rule
//   follow, with rule "COMMUNITY" / "SAME_INCIDENT", counted, reason
//   "counted" (for SAME_INCIDENT, the earliest complaint of each other
//   complainant about the deciding incident).
//
//   `summary` is one sentence, e.g. "3 qualifying complaints about 3 separate
//   incidents reported from 2026-05-20 to 2026-11-20 (policy needs 3):
//   threshold met (R1)." or "1 qualifying complaint about 1 incident reported
//   from 2026-05-20 to 2026-11-20 (policy needs 3); no hate incident;
//   community rule not met: threshold not met.".
#ifndef CASEWORK_WORKFLOW_CASE_REVIEW_THRESHOLD_H_
#define CASEWORK_WORKFLOW_CASE_REVIEW_THRESHOLD_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "casework/v1/case_reviews.pb.h"
#include "casework/v1/complaints.pb.h"
#include "casework/v1/policy.pb.h"

namespace casework::workflow::case_review {

// Deciding rules of a ThresholdEvaluation.
inline constexpr char kRuleR1[] = "R1_COMPLAINTS";
inline constexpr char kRuleR2[] = "R2_HATE_INCIDENT";
inline constexpr char kRuleCommunity[] = "COMMUNITY";
inline constexpr char kRuleSameIncident[] = "SAME_INCIDENT";
inline constexpr char kRuleNotMet[] = "NOT_MET";

// Everything the threshold of one application is evaluated from.
struct ThresholdInput {
  // The threshold of the policy version the case is pinned to. Should have
  // passed ValidatePolicy; must outlive the call. A null policy gives a
  // NOT_MET evaluation saying so.
  const v1::ThresholdPolicy* policy = nullptr;
  // Recorded in the result.
  int64_t policy_version = 0;
  // The date the application was received (Europe/London).
  absl::CivilDay application_date;
  // The applicant's complainant reference.
  std::string applicant;
  // The locality and category of the application (community rule).
  std::string locality;
  v1::ComplaintCategory category = v1::COMPLAINT_CATEGORY_UNSPECIFIED;
  // Every complaint by the applicant (any dates, any order).
  std::vector<v1::LedgerEntry> applicant_complaints;
  // The complaints in `locality` (community rule), anyone's: every one, or
  // the oldest of the window in order (see CommunityNeedsMore).
  std::vector<v1::LedgerEntry> locality_complaints;
  // Incident reference -> every complaint about that incident, any
  // complainant (same-incident rule).
  std::map<std::string, std::vector<v1::LedgerEntry>> incident_complaints;
};

// The first day of the window of an application received on
// `application_date` (the "Window" paragraph above): complaints reported
// from then to the application date are all the threshold and the notices
// ever read, so the ledger is read for that window only.
absl::CivilDay ThresholdWindowStart(const v1::ThresholdPolicy& policy,
                                    absl::CivilDay application_date);

// The explanation a case keeps lists at most this many complaints, the
// counted ones (those that decided) first; considered_total counts all. It
// bounds every case review's state, which each command and read loads.
inline constexpr int kMaxConsidered = 50;

// Evaluates the threshold as described at the top of this file. Sets met,
// deciding_rule, summary, considered, policy_version, evaluated_on (=
// application_date) and window_start. Never fails: a window or report_within
// rule that does not parse, or is counted in working days, falls back to the
// statutory "6 months" / "1 month" (ValidatePolicy refuses both).
v1::ThresholdEvaluation EvaluateThreshold(const ThresholdInput& input);

// The rules after R1 and R2 read other people's complaints, so a decision
// reads them only when they are reached, and no further than they need:
//
// Whether `evaluation` of `input` could change with more of the locality's
// window than input.locality_complaints holds (the oldest of the window, in
// order, or none yet): neither R1 nor R2 decided, and the community rule
// applies and is not met on them. Counting stops at the oldest complaints
// that meet it, so once it is met the rest of the window changes nothing.
bool CommunityNeedsMore(const ThresholdInput& input, const v1::ThresholdEvaluation& evaluation);
// Whether the same-incident rule is reached: it is on and no rule before it
// decided `evaluation` (input.incident_complaints is then read).
bool SameIncidentReached(const ThresholdInput& input, const v1::ThresholdEvaluation& evaluation);

// The notices a new complaint `added` raises for its complainant, given the
// complainant's `earlier` complaints (any order; `added` need not be among
// them). Evaluated as R1/R2 above with the application date =
// added.reported_date:
//   * EXPLAIN_CASE_REVIEW when the R1-counted incidents number exactly 2
//     with `added` and exactly 1 without it; reason "2 complaints in the
//     window to 2026-11-20: explain the case review";
//   * THRESHOLD_REACHED when R1 is met with `added` and was not without it,
//     or (policy.hate_incident_rule) `added` is a hate incident meeting R2
//     and no earlier complaint met R2 in the window; the reason names the
//     rule, e.g. "3 complaints in the window to 2026-11-20 (policy needs 3):
//     threshold reached (R1), direct the victim to the case review".
// Both may be raised (EXPLAIN first), e.g. with complaint_count 2. Each
// notice has complaint = added.complaint() and complainant_reference =
// added.complainant_reference(); it is not acknowledged.
std::vector<v1::Notice> ProactiveNotices(const v1::ThresholdPolicy& policy,
                                         const std::vector<v1::LedgerEntry>& earlier,
                                         const v1::LedgerEntry& added);

// Whether `some_earlier`, any part of the complainant's window before
// `added`, already rules every notice out: R1 counts at least 2 and at least
// complaint_count there, and R2 cannot newly be met (no hate rule, `added`
// does not meet it, or an earlier complaint already did). Counting only
// grows with more entries, so then ProactiveNotices over the whole window
// raises nothing either.
bool NoNoticeCanBeRaised(const v1::ThresholdPolicy& policy,
                         const std::vector<v1::LedgerEntry>& some_earlier,
                         const v1::LedgerEntry& added);

}  // namespace casework::workflow::case_review

#endif  // CASEWORK_WORKFLOW_CASE_REVIEW_THRESHOLD_H_
