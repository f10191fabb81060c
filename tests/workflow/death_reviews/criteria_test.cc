// The statutory criteria of a notified death, rule by rule, under both
// regimes (the corrections to the filed issue stand: a suicide after
// domestic abuse is for the partnership's judgement under 2011, and a
// household member who is not personally connected is outside 2024).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow/death_reviews/criteria.h"

namespace casework::workflow::death_reviews {
namespace {

using ::testing::ElementsAre;
using Result = v1::CriteriaResult;

// "rule VERDICT" for each check.
std::vector<std::string> Verdicts(const Result& r) {
  std::vector<std::string> out;
  for (const v1::CriteriaCheck& c : r.checks()) {
    out.push_back(absl::StrCat(c.rule(), " ", v1::CriteriaCheck::Verdict_Name(c.verdict())));
  }
  return out;
}

NotifiedDeath Death(int age, v1::PerpetratorRelationship relationship, bool suicide = false) {
  return NotifiedDeath{age, relationship, suicide};
}

TEST(DeathReviewCriteriaTest, AVictimOfFifteenIsOutsideAndSixteenOnTheDayIsIn) {
  const Result fifteen = EvaluateCriteria(v1::SECTION_9_2011, Death(15, v1::CURRENT_INTIMATE_PARTNER));
  EXPECT_EQ(fifteen.outcome(), Result::OUTSIDE_CRITERIA);
  EXPECT_THAT(Verdicts(fifteen), ElementsAre("age NOT_MET", "relationship MET", "cause MET"));
  EXPECT_EQ(fifteen.checks(0).explanation(),
            "the person who died was 15: reviews cover deaths of people aged 16 or over (s9(1) "
            "DVCVA 2004); a child's death is for a child safeguarding practice review");
  // Sixteen on the day of death: the age at death is 16.
  const Result sixteen = EvaluateCriteria(v1::SECTION_9_2011, Death(16, v1::CURRENT_INTIMATE_PARTNER));
  EXPECT_EQ(sixteen.outcome(), Result::MEETS_CRITERIA);
  EXPECT_THAT(Verdicts(sixteen), ElementsAre("age MET", "relationship MET", "cause MET"));
}

TEST(DeathReviewCriteriaTest, EachRelationshipUnderEachRegime) {
  struct Example {
    v1::PerpetratorRelationship relationship;
    Result::Outcome in_2011, in_2024;
  } const examples[] = {
      {v1::CURRENT_INTIMATE_PARTNER, Result::MEETS_CRITERIA, Result::MEETS_CRITERIA},
      {v1::FORMER_INTIMATE_PARTNER, Result::MEETS_CRITERIA, Result::MEETS_CRITERIA},
      {v1::RELATIVE, Result::MEETS_CRITERIA, Result::MEETS_CRITERIA},
      {v1::SAME_HOUSEHOLD, Result::MEETS_CRITERIA, Result::OUTSIDE_CRITERIA},
      {v1::PARENT_OF_SAME_CHILD, Result::OUTSIDE_CRITERIA, Result::MEETS_CRITERIA},
  };
  for (const Example& e : examples) {
    const std::string label = v1::PerpetratorRelationship_Name(e.relationship);
    EXPECT_EQ(EvaluateCriteria(v1::SECTION_9_2011, Death(40, e.relationship)).outcome(), e.in_2011)
        << label;
    EXPECT_EQ(EvaluateCriteria(v1::DOMESTIC_ABUSE_2024, Death(40, e.relationship)).outcome(),
              e.in_2024)
        << label;
  }
  EXPECT_EQ(EvaluateCriteria(v1::DOMESTIC_ABUSE_2024, Death(40, v1::SAME_HOUSEHOLD)).checks(1).explanation(),
            "the suspected perpetrator is a member of the same household: not personally "
            "connected (Domestic Abuse Act 2021 s2): a member of the same household who is not a "
            "partner, former partner, relative or parent of the same child is outside the 2024 "
            "regime");
}

TEST(DeathReviewCriteriaTest, ASuicideAfterCoerciveControlIsJudgedIn2011AndInScopeIn2024) {
  const Result old_regime =
      EvaluateCriteria(v1::SECTION_9_2011, Death(34, v1::FORMER_INTIMATE_PARTNER, true));
  EXPECT_EQ(old_regime.outcome(), Result::PARTNERSHIP_JUDGEMENT);
  EXPECT_THAT(Verdicts(old_regime), ElementsAre("age MET", "relationship MET", "cause JUDGEMENT"));
  EXPECT_THAT(old_regime.checks(2).explanation(),
              ::testing::HasSubstr("2016 multi-agency statutory guidance"));
  const Result new_regime =
      EvaluateCriteria(v1::DOMESTIC_ABUSE_2024, Death(34, v1::FORMER_INTIMATE_PARTNER, true));
  EXPECT_EQ(new_regime.outcome(), Result::MEETS_CRITERIA);
  EXPECT_THAT(Verdicts(new_regime), ElementsAre("age MET", "relationship MET", "cause MET"));
  // A rule not met outweighs one for judgement.
  EXPECT_EQ(EvaluateCriteria(v1::SECTION_9_2011, Death(15, v1::RELATIVE, true)).outcome(),
            Result::OUTSIDE_CRITERIA);
}

}  // namespace
}  // namespace casework::workflow::death_reviews
