// The notification of a death and the decision whether to review it. The
// kit has already checked the table (and who may act on an existing review).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/criteria.h"
#include "workflow/death_reviews/internal.h"
#include "workflow/death_reviews/policy_section.h"
#include "workflow/policy/document.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::death_reviews {

absl::Status DecideNotify(const Review&, const v1::NotifyDeathRequest& r, const DecideContext& ctx,
                          Decision& out) {
  ASSIGN_OR_RETURN(const PolicyRef held, ReviewPolicyInForce(ctx));
  const v1::Policy& policy = *held;
  const v1::DeathReviewPolicy& section = policy.death_reviews();
  ASSIGN_OR_RETURN(DeadlineRule rule, TimescaleRule(section.timescales(), kDecisionDeadline));

  v1::DeathNotified e;
  v1::DeathNotification& n = *e.mutable_notification();
  n.set_notifying_agency(r.notifying_agency());
  n.set_police_reference(r.police_reference());
  *n.mutable_date_of_death() = r.date_of_death();
  *n.mutable_date_notified() = r.date_notified();
  n.set_victim_age_at_death(r.victim_age_at_death());
  n.set_relationship(r.relationship());
  n.set_suspected_suicide_after_abuse(r.suspected_suicide_after_abuse());
  n.set_victim_pseudonym(r.victim_pseudonym());
  n.set_circumstances(r.circumstances());
  *n.mutable_notified_by() = *ctx.actor;
  *e.mutable_criteria() = EvaluateCriteria(
      section.regime(), NotifiedDeath{r.victim_age_at_death(), r.relationship(),
                                      r.suspected_suicide_after_abuse()});
  e.set_policy_version(policy.version());
  *e.mutable_reader_roles() = section.reader_roles();
  out.Emit(std::move(e));
  out.Emit(SetDeadline(*ctx.calendar, kDecisionDeadline, rule, ToCivilDay(r.date_notified()),
                       out.NextVersion()));
  return absl::OkStatus();
}

absl::Status DecideDecision(const Review& s, const v1::RecordDecisionRequest& r,
                            const DecideContext& ctx, Decision& out) {
  RETURN_IF_ERROR(CheckNotBefore("decided_on", r.decided_on(), s.notification().date_notified(),
                                 "notification"));
  if (r.commission() && s.criteria().outcome() == v1::CriteriaResult::OUTSIDE_CRITERIA) {
    std::vector<std::string> unmet;
    for (const v1::CriteriaCheck& c : s.criteria().checks()) {
      if (c.verdict() == v1::CriteriaCheck::NOT_MET) {
        unmet.push_back(absl::StrCat(c.rule(), ": ", c.explanation()));
      }
    }
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "OUTSIDE_CRITERIA",
                           absl::StrCat("the death is outside the statutory criteria (",
                                        absl::StrJoin(unmet, "; "),
                                        "): it may be recorded as not commissioned"));
  }
  v1::ReviewDecided e;
  v1::ReviewDecision& d = *e.mutable_decision();
  d.set_commissioned(r.commission());
  d.set_reason(r.reason());
  *d.mutable_decided_on() = r.decided_on();
  *d.mutable_home_office_notified_on() = r.home_office_notified_on();
  if (r.has_family_notified_on()) *d.mutable_family_notified_on() = r.family_notified_on();
  *d.mutable_decided_by() = *ctx.actor;
  e.add_agencies_involved(s.notification().notifying_agency());
  for (const std::string& agency : r.agencies_involved()) {
    if (agency != s.notification().notifying_agency()) e.add_agencies_involved(agency);
  }
  out.Emit(std::move(e));
  out.Emit(MeetDeadline(s.deadlines(), kDecisionDeadline));
  if (r.commission()) {
    ASSIGN_OR_RETURN(const PolicyRef held, PinnedReviewPolicy(ctx, s.policy_version()));
    const v1::Policy& policy = *held;
    ASSIGN_OR_RETURN(DeadlineRule rule,
                     TimescaleRule(policy.death_reviews().timescales(), kSubmissionDeadline));
    out.Emit(SetDeadline(*ctx.calendar, kSubmissionDeadline, rule, ToCivilDay(r.decided_on()),
                         out.NextVersion()));
  }
  return absl::OkStatus();
}

}  // namespace casework::workflow::death_reviews
