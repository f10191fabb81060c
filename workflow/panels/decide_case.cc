// Decisions on a panel case outside meetings: referral, assessment, the
// incremental approach and reopening. The kit has already checked the table.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow/common/validation.h"
#include "workflow/panels/internal.h"
#include "workflow/panels/policy_section.h"
#include "workflow/panels/rules.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::workflow::panels {
absl::StatusOr<v1::PanelCaseReferred> ReferralTo(const DecideContext& ctx, absl::string_view panel_id,
                                                 const v1::PanelSubject& subject,
                                                 absl::CivilDay date) {
  ASSIGN_OR_RETURN(PolicyPanel in_force, PanelInForce(ctx, panel_id));
  if (subject.kind() == v1::SUBJECT_PERSON && ToCivilDay(subject.date_of_birth()) > date) {
    return FieldError("subject.date_of_birth", "after_referral",
                      "must not be after the referral date");
  }
  RETURN_IF_ERROR(CheckEligibility(in_force.panel, subject, date));
  v1::PanelCaseReferred e;
  e.set_partnership(std::string(ctx.partnership));
  e.set_number(ctx.number);
  e.set_panel(std::string(panel_id));
  *e.mutable_subject() = subject;
  *e.mutable_referral_date() = ToCivilDate(date);
  if (subject.kind() == v1::SUBJECT_PERSON) {
    e.set_age_at_referral(AgeOn(ToCivilDay(subject.date_of_birth()), date));
  }
  e.set_policy_version(in_force.policy->version());
  return e;
}

absl::Status DecideRefer(const Case&, const v1::ReferCaseRequest& r, const DecideContext& ctx,
                         Decision& out) {
  const absl::CivilDay date = r.has_referral_date() ? ToCivilDay(r.referral_date()) : ctx.today;
  ASSIGN_OR_RETURN(v1::PanelCaseReferred e, ReferralTo(ctx, r.panel(), r.subject(), date));
  e.set_referrer_agency(r.referrer_agency());
  e.set_reason(r.reason());
  e.set_lawful_basis(r.lawful_basis());
  e.set_consent_recorded(r.consent_recorded());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideReceiveRecommendation(const Case& s, const v1::ReceiveRecommendationRequest& r,
                                         const DecideContext& ctx, Decision& out) {
  if (s.state() != v1::PanelCase::STATE_UNSPECIFIED) return absl::OkStatus();  // received
  if (PartnershipOfStream(r.case_review()) != ctx.partnership) {
    return FieldError("case_review", "other_partnership",
                      absl::StrCat("must be a case review of partnership ", ctx.partnership));
  }
  ASSIGN_OR_RETURN(v1::PanelCaseReferred e, ReferralTo(ctx, r.panel(), r.subject(), ctx.today));
  e.set_referrer_agency(r.referrer_agency());
  e.set_reason(r.reason());
  e.set_lawful_basis(r.lawful_basis());
  e.set_consent_recorded(r.consent_recorded());
  e.set_from_case_review(r.case_review());
  e.set_from_recommendation(r.recommendation_id());
  *e.mutable_recommendation_due_date() = r.due_date();
  out.Emit(std::move(e));
  return absl::OkStatus();
}

std::string FromRecommendationKey(const v1::ReceiveRecommendationRequest& r) {
  std::optional<ResourceName> review = ResourceNameOf(r.case_review(), "caseReviews");
  if (!review) return "";
  return absl::StrCat(CaseRowPrefix(review->partnership, "fromRecommendation"),
                      SortableNumber(review->number), "/", SortableNumber(r.recommendation_id()));
}

absl::Status DecideAssess(const Case& s, const v1::AssessRiskRequest& r, const DecideContext& ctx,
                          Decision& out) {
  ASSIGN_OR_RETURN(PolicyPanel pinned, PinnedPanel(ctx, s.policy_version(), s.panel()));
  if (pinned.panel.contextual_safeguarding() && r.domains().empty() && !r.no_domain_concerns()) {
    return FieldError("domains", "required_for_panel",
                      absl::StrCat("panel ", s.panel(),
                                   " considers the contextual-safeguarding domains: list those "
                                   "of concern, or set no_domain_concerns"));
  }
  v1::RiskAssessed e;
  v1::RiskAssessment& a = *e.mutable_assessment();
  a.set_reoffending(r.reoffending());
  a.set_harm_to_others(r.harm_to_others());
  a.set_harm_to_self(r.harm_to_self());
  *a.mutable_factors() = r.factors();
  *a.mutable_domains() = r.domains();
  a.set_summary(r.summary());
  *a.mutable_assessed_on() = ToCivilDate(ctx.today);
  Place(pinned.panel, a);
  const v1::PanelPlacement placement = a.placement();
  const std::string signposting = a.signposting();
  out.Emit(std::move(e));
  // Only a referral is placed by the table; a placed case moves by decision
  // of a meeting (MoveCase), with the assessment's advice on record.
  if (s.state() != v1::PanelCase::REFERRED) return absl::OkStatus();
  v1::PanelCasePlaced placed;
  *placed.mutable_on() = ToCivilDate(ctx.today);
  if (placement == v1::PLACEMENT_DECLINE) {
    placed.set_state(v1::PanelCase::DECLINED);
    placed.set_reason(signposting);
  } else {
    placed.set_state(placement == v1::PLACEMENT_MAIN_AGENDA ? v1::PanelCase::MAIN_AGENDA
                                                            : v1::PanelCase::MONITORING);
    *placed.mutable_next_review_due() =
        ToCivilDate(NextReview(*ctx.calendar, pinned.panel, ctx.today));
  }
  out.Emit(std::move(placed));
  return absl::OkStatus();
}

absl::Status DecideStage(const Case& s, const v1::RecordStageRequest& r, const DecideContext& ctx,
                         Decision& out) {
  // The stage's record carries its actor from the event's envelope.
  if (s.subject().kind() != v1::SUBJECT_PERSON) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "PERSON_SUBJECT_ONLY",
                           "the incremental approach applies to a person, not to a group or a "
                           "location");
  }
  ASSIGN_OR_RETURN(PolicyPanel pinned, PinnedPanel(ctx, s.policy_version(), s.panel()));
  const auto& stages = pinned.policy->panels().incremental_stages();
  const auto at = std::find(stages.begin(), stages.end(), r.stage());
  if (at == stages.end()) {
    return FieldError("stage", "unknown",
                      absl::StrCat(Quoted(r.stage()), " is not a stage of the policy (",
                                   absl::StrJoin(stages, ", "), ")"));
  }
  const int position = static_cast<int>(at - stages.begin()) + 1;
  int highest = 0;
  for (const v1::StageRecord& done : s.stages()) {
    if (done.stage() == r.stage()) {
      return FieldError("stage", "already_recorded",
                        absl::StrCat(Quoted(r.stage()), " was recorded on ",
                                     FormatDate(done.date())));
    }
    highest = std::max(highest, done.position());
  }
  v1::IncrementalStageRecorded e;
  v1::StageRecord& record = *e.mutable_stage();
  for (int p = highest + 1; p < position; ++p) record.add_skipped(stages[p - 1]);
  if (!record.skipped().empty() && r.justification().empty()) {
    return FieldError("justification", "required_when_skipping",
                      absl::StrCat(Quoted(r.stage()), " skips ",
                                   absl::StrJoin(record.skipped(), ", "),
                                   ": record why the earlier stages were not used"));
  }
  record.set_stage(r.stage());
  record.set_position(position);
  *record.mutable_date() = r.date();
  record.set_justification(r.justification());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideReopen(const Case&, const v1::ReopenCaseRequest& r, const DecideContext& ctx,
                          Decision& out) {
  v1::PanelCaseReopened e;
  e.set_reason(r.reason());
  *e.mutable_on() = ToCivilDate(ctx.today);
  out.Emit(std::move(e));
  return absl::OkStatus();
}

}  // namespace casework::workflow::panels
