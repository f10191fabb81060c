// Case review decisions from the outcome to the appeal and closure.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow/case_review/internal.h"
#include "workflow/common/validation.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::case_review {

absl::Status DecideCommunicateOutcome(const State& s, const v1::CaseReviewCommand&,
                                      const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  ASSIGN_OR_RETURN(const PolicyRef held, review.Pinned());
  const v1::Policy& policy = *held;
  v1::OutcomeCommunicated e;
  *e.mutable_on() = review.Today();
  out.Emit(std::move(e));
  review.Met(kOutcomeLetter);
  if (policy.case_review().appeal().enabled()) {
    return review.Start(policy, kAppealWindow, ctx.today, /*window=*/true);
  }
  return absl::OkStatus();
}

absl::Status DecideLodgeAppeal(const State& s, const v1::LodgeAppealRequest& r,
                               const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  ASSIGN_OR_RETURN(const PolicyRef held, review.Pinned());
  const v1::Policy& policy = *held;
  const v1::AppealPolicy& appeal = policy.case_review().appeal();
  if (!appeal.enabled()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "policy version ", policy.version(), " of ", ctx.partnership, " has no appeal process"));
  }
  const v1::Appeal::Against against = AppealAgainst(s);
  if (AppealOf(s, against).decided()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the independent chair has decided an appeal against the ",
        against == v1::Appeal::THRESHOLD_DECISION ? "threshold decision" : "outcome",
        " of this review; the decision is final"));
  }
  const v1::Deadline* window = FindDeadline(s.deadlines(), kAppealWindow);
  if (window == nullptr || window->state() != v1::Deadline::RUNNING ||
      ctx.today > ToCivilDay(window->due())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the appeal window closed on ",
        window == nullptr ? std::string("(never opened)") : FormatDate(window->due())));
  }
  if (std::find(appeal.grounds().begin(), appeal.grounds().end(), r.ground()) ==
      appeal.grounds().end()) {
    return FieldError("ground", "policy_ground",
                      absl::StrCat("must be one of the policy's grounds: \"",
                                   absl::StrJoin(appeal.grounds(), "\", \""), "\""));
  }
  v1::AppealLodged e;
  e.set_ground(r.ground());
  e.set_details(r.details());
  *e.mutable_on() = review.Today();
  e.set_against(against);
  out.Emit(std::move(e));
  review.Met(kAppealWindow);
  return review.Start(policy, kAppealPapers, ctx.today);
}

absl::Status DecideSendAppealPapers(const State& s, const v1::SendAppealPapersRequest& r,
                                    const DecideContext& ctx, Decision& out) {
  v1::AppealPapersSent e;
  e.set_chair(r.chair());
  *e.mutable_on() = ToCivilDate(ctx.today);
  out.Emit(std::move(e));
  Review(s, ctx, out).Met(kAppealPapers);
  return absl::OkStatus();
}

absl::Status DecideDecideAppeal(const State& s, const v1::DecideAppealRequest& r,
                                const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  const v1::Appeal::Against against = AppealAgainst(s);
  v1::AppealDecided e;
  e.set_upheld(r.upheld());
  e.set_reason(r.reason());
  *e.mutable_on() = review.Today();
  e.set_against(against);
  out.Emit(std::move(e));
  if (against == v1::Appeal::THRESHOLD_DECISION) {
    if (!r.upheld()) {
      // The chair's decision is final: the matter is closed.
      v1::CaseReviewClosed closed;
      closed.set_reason(
          absl::StrCat("The appeal against the threshold decision was dismissed: ", r.reason()));
      *closed.mutable_on() = review.Today();
      out.Emit(std::move(closed));
      v1::ApplicantNotified told;
      told.mutable_notice()->set_subject("closure");
      *told.mutable_notice()->mutable_on() = review.Today();
      out.Emit(std::move(told));
      review.CancelOpen("appeal dismissed");
      return absl::OkStatus();
    }
    // Upheld: the threshold is treated as met, as an appeal decision.
    ASSIGN_OR_RETURN(const PolicyRef held, review.Pinned());
    const v1::Policy& policy = *held;
    v1::ThresholdEvaluated met;
    v1::ThresholdEvaluation& ev = *met.mutable_evaluation();
    ev = s.threshold();  // keep the window and the count of what was considered
    ev.set_met(true);
    ev.set_deciding_rule("APPEAL_UPHELD");
    ev.set_summary(absl::StrCat(
        "Threshold treated as met: the independent chair upheld the appeal against the "
        "threshold decision: ",
        r.reason()));
    *ev.mutable_evaluated_on() = review.Today();
    *ev.mutable_decided_by() = *ctx.actor;
    out.Emit(std::move(met));
    return review.Start(policy, kReviewMeeting, ctx.today);
  }
  if (!r.upheld()) return absl::OkStatus();
  ASSIGN_OR_RETURN(const PolicyRef held, review.Pinned());
  const v1::Policy& policy = *held;
  std::vector<std::string> exclude(s.previous_lead_officers().begin(),
                                   s.previous_lead_officers().end());
  exclude.push_back(s.lead_officer());
  ASSIGN_OR_RETURN(v1::LeadOfficerAssigned lead,
                   review.ChooseLead(policy, r.new_lead_officer(), exclude));
  for (const v1::Recommendation& rec : s.outcome().recommendations()) {
    out.Emit(CancelDeadline(s.deadlines(), RecommendationDeadline(rec.id()),
                            "review re-opened on appeal"));
  }
  v1::ReviewReopened reopened;
  reopened.set_round(s.round() + 1);
  out.Emit(std::move(reopened));
  out.Emit(std::move(lead));
  return review.Start(policy, kReviewMeeting, ctx.today);
}

absl::Status DecideRecommendationProgress(const State& s,
                                          const v1::RecommendationProgressRequest& r,
                                          const DecideContext& ctx, Decision& out) {
  for (const v1::Recommendation& rec : s.outcome().recommendations()) {
    if (rec.id() != r.recommendation_id()) continue;
    if (rec.completed()) {
      return absl::FailedPreconditionError(
          absl::StrCat("recommendation ", rec.id(), " is already completed"));
    }
    v1::RecommendationProgressed e;
    e.set_recommendation_id(rec.id());
    e.set_note(r.note());
    e.set_completed(r.completed());
    out.Emit(std::move(e));
    if (r.completed()) Review(s, ctx, out).Met(RecommendationDeadline(rec.id()));
    return absl::OkStatus();
  }
  return FieldError("recommendation_id", "exists",
                    absl::StrCat("this review has no recommendation ", r.recommendation_id()));
}

absl::Status DecideCloseCaseReview(const State& s, const v1::CloseCaseReviewRequest& r,
                                   const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  if (s.state() == State::THRESHOLD_NOT_MET) {
    bool told = false;
    for (const v1::ApplicantNotice& n : s.applicant_notices()) {
      told |= n.subject() == "threshold_not_met";
    }
    if (!told) {
      return absl::FailedPreconditionError(
          "tell the applicant the threshold was not met (NotifyApplicant) before closing");
    }
  }
  v1::CaseReviewClosed e;
  e.set_reason(r.reason());
  *e.mutable_on() = review.Today();
  out.Emit(std::move(e));
  v1::ApplicantNotified told;
  told.mutable_notice()->set_subject("closure");
  *told.mutable_notice()->mutable_on() = review.Today();
  out.Emit(std::move(told));
  review.CancelOpenButAppealWindow("case review closed");
  return absl::OkStatus();
}

absl::Status DecideWithdrawApplication(const State& s, const v1::WithdrawApplicationRequest& r,
                                       const DecideContext& ctx, Decision& out) {
  Review review(s, ctx, out);
  v1::ApplicationWithdrawn e;
  e.set_reason(r.reason());
  *e.mutable_on() = review.Today();
  out.Emit(std::move(e));
  review.CancelOpen("application withdrawn");
  return absl::OkStatus();
}

}  // namespace casework::workflow::case_review
