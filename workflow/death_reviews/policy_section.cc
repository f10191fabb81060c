#include "workflow/death_reviews/policy_section.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "workflow/common/roles.h"
#include "workflow/common/validation.h"
#include "workflow/policy/document.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::workflow::death_reviews {
namespace {

constexpr int kMaxReaderRoles = 10;
constexpr absl::string_view kSection = "death_reviews";

}  // namespace

void ValidateSection(const v1::Policy& policy, FieldErrors& errors) {
  const v1::DeathReviewPolicy& section = policy.death_reviews();
  const std::string prefix = absl::StrCat(kSection, ".");
  if (section.regime() == v1::DEATH_REVIEW_REGIME_UNSPECIFIED ||
      !v1::DeathReviewRegime_IsValid(section.regime())) {
    errors.Add(prefix + "regime", "required",
               "must name the regime: SECTION_9_2011 or DOMESTIC_ABUSE_2024");
  }
  CheckDeadlineRuleField(prefix + "timescales.decision", section.timescales().decision(),
                         "1 month", /*calendar_only=*/true, errors);
  CheckDeadlineRuleField(prefix + "timescales.submission", section.timescales().submission(),
                         "6 months", /*calendar_only=*/true, errors);
  const std::string roles = prefix + "reader_roles";
  if (section.reader_roles().empty()) {
    errors.Add(roles, "required", "must name at least one role, e.g. \"partnership_chair\"");
  }
  if (!CheckCount(roles, section.reader_roles().size(), kMaxReaderRoles, errors)) return;
  std::set<std::string> seen;
  for (int i = 0; i < section.reader_roles().size(); ++i) {
    const std::string& role = section.reader_roles(i);
    const std::string field = absl::StrCat(roles, "[", i, "]");
    if (!ParseRole(role)) {
      errors.Add(field, "role",
                 absl::StrCat(Quoted(role), " is not a partnership role (casework.v1.Role)"));
    } else if (!seen.insert(role).second) {
      errors.Add(field, "duplicate", absl::StrCat(Quoted(role), " is listed twice"));
    }
  }
}

void SetDefaultSection(absl::string_view, v1::Policy* policy) {
  v1::DeathReviewPolicy* section = policy->mutable_death_reviews();
  section->set_regime(v1::SECTION_9_2011);
  section->mutable_timescales()->set_decision("1 month");
  section->mutable_timescales()->set_submission("6 months");
  section->add_reader_roles("partnership_chair");
}

absl::StatusOr<PolicyRef> ReviewPolicyInForce(const DecideContext& ctx) {
  ASSIGN_OR_RETURN(const PolicyRef held, PolicyInForce(ctx, ctx.partnership));
  if (!held->has_death_reviews()) return MissingPolicySectionError(*held, kSection);
  return held;
}

absl::StatusOr<PolicyRef> PinnedReviewPolicy(const DecideContext& ctx, int64_t version) {
  ASSIGN_OR_RETURN(const PolicyRef held, PolicyVersion(ctx, ctx.partnership, version));
  if (!held->has_death_reviews()) return MissingPolicySectionError(*held, kSection);
  return held;
}

}  // namespace casework::workflow::death_reviews
