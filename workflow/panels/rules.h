// The panels' rules, as pure functions the decisions and the queries share:
// age and eligibility, the decision table, quorum and the review cadence.
#ifndef CASEWORK_WORKFLOW_PANELS_RULES_H_
#define CASEWORK_WORKFLOW_PANELS_RULES_H_

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "casework/v1/panels.pb.h"
#include "casework/v1/policy.pb.h"
#include "workflow/common/status.h"
#include "workflow/time/calendar.h"

namespace casework::workflow::panels {

// Age in whole years on `on` of someone born on `born` (0 before the first
// birthday). Someone born on 29 February turns a year older on 1 March in a
// year without one.
int AgeOn(absl::CivilDay born, absl::CivilDay on);

// OK if `panel` takes `subject` referred on `date`: its kind is one of the
// panel's subject kinds, and a person's age on `date` is inside the panel's
// range. Else FAILED_PRECONDITION, reason NOT_ELIGIBLE, the message naming
// the rule and the subject's age, e.g. "panel yjag takes people aged 11 to
// 18 on the referral date; the subject is 19 on 2024-05-14". REQUIRES: a
// person subject has a valid date of birth not after `date`.
absl::Status CheckEligibility(const v1::PanelDefinition& panel, const v1::PanelSubject& subject,
                              absl::CivilDay date);

// The field rules of a subject under `field` ("subject"): kind required;
// reference (CheckReference) and display_name (1-200 bytes) required;
// locality at most 100 bytes; a person's date of birth valid and not after
// `today`, and no date of birth for a group or a location ("person_only").
void CheckSubject(absl::string_view field, const v1::PanelSubject& subject, absl::CivilDay today,
                  FieldErrors& errors);
// lawful_basis required; consent_recorded true when it is CONSENT.
void CheckLawfulBasis(v1::LawfulBasis basis, bool consent_recorded, FieldErrors& errors);

// Places `assessment` by `panel`'s decision table: the first rule whose
// conditions hold sets placement, rule, rule_description and signposting.
// A valid table always ends with a rule without conditions.
void Place(const v1::PanelDefinition& panel, v1::RiskAssessment& assessment);

// Whether `meeting`'s attendance meets `panel`'s quorum, and what is
// missing if not.
v1::Quorum QuorumOf(const v1::PanelDefinition& panel, const v1::PanelMeeting& meeting);

// The next review after one on `from`: the panel's cadence in calendar days,
// moved to the next working day when it falls on a weekend or a holiday.
absl::CivilDay NextReview(const Calendar& calendar, const v1::PanelDefinition& panel,
                          absl::CivilDay from);

}  // namespace casework::workflow::panels

#endif  // CASEWORK_WORKFLOW_PANELS_RULES_H_
