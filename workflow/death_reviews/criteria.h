// The statutory criteria a death notified to the partnership is judged by,
// under the regime its policy names (pure: the notification's facts in, the
// result rule by rule out).
//
//   age: the person who died was 16 or over (s9(1) DVCVA 2004).
//   relationship:
//     2011 regime: the suspected perpetrator was a current or former
//       intimate partner, a relative, or a member of the same household
//       (s9(1)(a) and (b)); a parent of the same child who is none of these
//       is not.
//     2024 regime: the two were "personally connected" (Domestic Abuse Act
//       2021 s2: partners, former partners, relatives, parents of the same
//       child); a member of the same household who is none of these is not.
//   cause: death by violence, abuse or neglect is met. A suspected suicide
//     after domestic abuse (e.g. coercive control) is in scope under the 2024
//     regime; under the 2011 regime it is for the partnership's judgement:
//     the 2016 statutory guidance says a review should be held where the
//     circumstances give rise to concern, even if no one is charged.
//
// The outcome is OUTSIDE_CRITERIA if any rule is not met, else
// PARTNERSHIP_JUDGEMENT if one is for judgement, else MEETS_CRITERIA.
#ifndef CASEWORK_WORKFLOW_DEATH_REVIEWS_CRITERIA_H_
#define CASEWORK_WORKFLOW_DEATH_REVIEWS_CRITERIA_H_

#include "casework/v1/death_reviews.pb.h"

namespace casework::workflow::death_reviews {

// The youngest age at death the Act covers.
inline constexpr int kMinimumAge = 16;

struct NotifiedDeath {
  int victim_age_at_death = 0;
  v1::PerpetratorRelationship relationship = v1::PERPETRATOR_RELATIONSHIP_UNSPECIFIED;
  // A suspected suicide with a history of domestic abuse.
  bool suspected_suicide_after_abuse = false;
};

// REQUIRES: regime and relationship are specified.
v1::CriteriaResult EvaluateCriteria(v1::DeathReviewRegime regime, const NotifiedDeath& death);

}  // namespace casework::workflow::death_reviews

#endif  // CASEWORK_WORKFLOW_DEATH_REVIEWS_CRITERIA_H_
