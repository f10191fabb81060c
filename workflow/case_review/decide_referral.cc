// A recommendation handed to a high-risk case panel ("tasks from the
// triggers are managed by the JAG"), and the link back from the panel's
// referral. The referral itself is opened by the panel workflow
// (PanelService.ReceiveRecommendation), run by the server's outbox
// from the row a referred but unlinked recommendation implies
// (kReferralsPrefix), which LinkPanelReferral removes.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "workflow/case_review/internal.h"
#include "workflow/common/validation.h"
#include "workflow/panels/commands.h"
#include "workflow/panels/policy_section.h"
#include "workflow/panels/rules.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::workflow::case_review {
namespace {

absl::StatusOr<const v1::Recommendation*> FindRecommendation(const State& s, int32_t id) {
  for (const v1::Recommendation& r : s.outcome().recommendations()) {
    if (r.id() == id) return &r;
  }
  return FieldError("recommendation_id", "unknown",
                    absl::StrCat("the case review has no recommendation ", id));
}

}  // namespace

void ValidateReferRecommendation(const v1::ReferRecommendationRequest& r,
                                 const ValidateContext& ctx, FieldErrors& errors) {
  if (r.recommendation_id() < 1) errors.Add("recommendation_id", "range", "must be 1 or more");
  CheckId("panel", r.panel(), errors);
  panels::CheckSubject("subject", r.subject(), ctx.today, errors);
  panels::CheckLawfulBasis(r.lawful_basis(), r.consent_recorded(), errors);
}

void ValidateLinkPanelReferral(const v1::LinkPanelReferralRequest& r, const ValidateContext&,
                               FieldErrors& errors) {
  if (r.recommendation_id() < 1) errors.Add("recommendation_id", "range", "must be 1 or more");
  ParseResourceName("panel_case", r.panel_case(), panels::kCaseCollection, errors);
}

absl::Status DecideReferRecommendation(const State& s, const v1::ReferRecommendationRequest& r,
                                       const DecideContext& ctx, Decision& out) {
  ASSIGN_OR_RETURN(const v1::Recommendation* rec, FindRecommendation(s, r.recommendation_id()));
  if (rec->has_referral()) {
    return FieldError("recommendation_id", "already_referred",
                      absl::StrCat("recommendation ", rec->id(), " was referred to ",
                                   rec->referral().panel()));
  }
  // The panel's own checks, now: the referral the outbox opens later
  // must not be refused.
  ASSIGN_OR_RETURN(panels::PolicyPanel in_force, panels::PanelInForce(ctx, r.panel()));
  RETURN_IF_ERROR(panels::CheckEligibility(in_force.panel, r.subject(), ctx.today));
  v1::RecommendationReferred e;
  e.set_recommendation_id(rec->id());
  v1::RecommendationReferral& referral = *e.mutable_referral();
  referral.set_panel(r.panel());
  *referral.mutable_subject() = r.subject();
  referral.set_lawful_basis(r.lawful_basis());
  referral.set_consent_recorded(r.consent_recorded());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideLinkPanelReferral(const State& s, const v1::LinkPanelReferralRequest& r,
                                     const DecideContext& ctx, Decision& out) {
  ASSIGN_OR_RETURN(const v1::Recommendation* rec, FindRecommendation(s, r.recommendation_id()));
  if (!rec->has_referral()) {
    return FieldError("recommendation_id", "not_referred",
                      absl::StrCat("recommendation ", rec->id(), " was not referred to a panel"));
  }
  if (rec->referral().panel_case() == r.panel_case()) return absl::OkStatus();  // linked
  if (!rec->referral().panel_case().empty()) {
    return FieldError("panel_case", "already_linked",
                      absl::StrCat("recommendation ", rec->id(), " is linked to ",
                                   rec->referral().panel_case()));
  }
  // The panel case is the name the panel's ReceiveRecommendation replied
  // with (the outbox, run by the engine alone); it may live in another
  // process's data (docs/deployment.md), so it is not read here: only its
  // partnership is checked.
  if (PartnershipOfStream(r.panel_case()) != PartnershipOfStream(s.name())) {
    return FieldError("panel_case", "other_partnership",
                      absl::StrCat(r.panel_case(), " is not a panel case of this partnership"));
  }
  v1::PanelReferralLinked e;
  e.set_recommendation_id(rec->id());
  e.set_panel_case(r.panel_case());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

void ApplyRecommendationReferred(State& s, const v1::RecommendationReferred& e) {
  for (v1::Recommendation& r : *s.mutable_outcome()->mutable_recommendations()) {
    if (r.id() == e.recommendation_id()) *r.mutable_referral() = e.referral();
  }
}

void ApplyPanelReferralLinked(State& s, const v1::PanelReferralLinked& e) {
  for (v1::Recommendation& r : *s.mutable_outcome()->mutable_recommendations()) {
    if (r.id() == e.recommendation_id()) r.mutable_referral()->set_panel_case(e.panel_case());
  }
}

void ReferralRows(absl::string_view stream, const State& s, std::vector<Row>* rows) {
  std::optional<ResourceName> name = ResourceNameOf(stream, "caseReviews");
  if (!name) return;
  for (const v1::Recommendation& r : s.outcome().recommendations()) {
    if (r.has_referral() && r.referral().panel_case().empty()) {
      rows->push_back({absl::StrCat(kReferralsPrefix, name->partnership, "/",
                                    SortableNumber(name->number), "/", SortableNumber(r.id())),
                       std::string(stream)});
    }
  }
}

}  // namespace casework::workflow::case_review
