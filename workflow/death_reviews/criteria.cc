#include "workflow/death_reviews/criteria.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace casework::workflow::death_reviews {
namespace {

using Check = v1::CriteriaCheck;

std::string RelationshipLabel(v1::PerpetratorRelationship r) {
  switch (r) {
    case v1::CURRENT_INTIMATE_PARTNER: return "a current intimate partner";
    case v1::FORMER_INTIMATE_PARTNER: return "a former intimate partner";
    case v1::RELATIVE: return "a relative";
    case v1::SAME_HOUSEHOLD: return "a member of the same household";
    case v1::PARENT_OF_SAME_CHILD: return "a parent of the same child";
    default: return "of an unknown relationship";
  }
}

void Add(v1::CriteriaResult& result, const char* rule, Check::Verdict verdict,
         std::string explanation) {
  Check& c = *result.add_checks();
  c.set_rule(rule);
  c.set_verdict(verdict);
  c.set_explanation(std::move(explanation));
}

}  // namespace

v1::CriteriaResult EvaluateCriteria(v1::DeathReviewRegime regime, const NotifiedDeath& death) {
  const bool regime_2024 = regime == v1::DOMESTIC_ABUSE_2024;
  v1::CriteriaResult result;
  result.set_regime(regime);

  if (death.victim_age_at_death >= kMinimumAge) {
    Add(result, "age", Check::MET,
        absl::StrCat("the person who died was ", death.victim_age_at_death,
                     ": reviews cover deaths of people aged 16 or over (s9(1) DVCVA 2004)"));
  } else {
    Add(result, "age", Check::NOT_MET,
        absl::StrCat("the person who died was ", death.victim_age_at_death,
                     ": reviews cover deaths of people aged 16 or over (s9(1) DVCVA 2004); a "
                     "child's death is for a child safeguarding practice review"));
  }

  const std::string who = absl::StrCat("the suspected perpetrator is ",
                                       RelationshipLabel(death.relationship));
  bool related;
  std::string rule;
  if (regime_2024) {
    related = death.relationship != v1::SAME_HOUSEHOLD;
    rule = related ? "personally connected (Domestic Abuse Act 2021 s2), in scope of the 2024 regime"
                   : "not personally connected (Domestic Abuse Act 2021 s2): a member of the "
                     "same household who is not a partner, former partner, relative or parent "
                     "of the same child is outside the 2024 regime";
  } else {
    related = death.relationship != v1::PARENT_OF_SAME_CHILD;
    rule = related ? "in scope of s9(1)(a) or (b) DVCVA 2004 (2011 regime)"
                   : "outside s9(1) DVCVA 2004 (2011 regime): neither related, an intimate "
                     "partner nor a member of the same household";
  }
  Add(result, "relationship", related ? Check::MET : Check::NOT_MET,
      absl::StrCat(who, ": ", rule));

  if (!death.suspected_suicide_after_abuse) {
    Add(result, "cause", Check::MET, "a death suspected to result from violence, abuse or neglect");
  } else if (regime_2024) {
    Add(result, "cause", Check::MET,
        "a suspected suicide following domestic abuse: in scope of the 2024 regime (deaths "
        "resulting from domestic abuse, including suicides)");
  } else {
    Add(result, "cause", Check::JUDGEMENT,
        "a suspected suicide following domestic abuse: for the partnership's judgement under the "
        "2011 regime (2016 multi-agency statutory guidance: a review should be held where the "
        "circumstances give rise to concern, e.g. coercive control, even if no one is charged)");
  }

  bool judgement = false;
  bool failed = false;
  for (const Check& c : result.checks()) {
    failed = failed || c.verdict() == Check::NOT_MET;
    judgement = judgement || c.verdict() == Check::JUDGEMENT;
  }
  result.set_outcome(failed      ? v1::CriteriaResult::OUTSIDE_CRITERIA
                     : judgement ? v1::CriteriaResult::PARTNERSHIP_JUDGEMENT
                                 : v1::CriteriaResult::MEETS_CRITERIA);
  return result;
}

}  // namespace casework::workflow::death_reviews
