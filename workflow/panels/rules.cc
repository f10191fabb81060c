#include "workflow/panels/rules.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::workflow::panels {
namespace {

std::string KindLabel(int kind) {
  switch (kind) {
    case v1::SUBJECT_PERSON: return "people";
    case v1::SUBJECT_GROUP: return "groups";
    case v1::SUBJECT_LOCATION: return "locations";
  }
  return absl::StrCat("kind ", kind);
}

std::string AgeRange(const v1::PanelDefinition& panel) {
  if (panel.has_min_age() && panel.has_max_age()) {
    return absl::StrCat("aged ", panel.min_age(), " to ", panel.max_age());
  }
  if (panel.has_min_age()) return absl::StrCat("aged ", panel.min_age(), " and over");
  return absl::StrCat("aged ", panel.max_age(), " and under");
}

int LevelCount(const v1::RiskAssessment& a, v1::RiskLevel at_least) {
  int n = 0;
  for (v1::RiskLevel level : {a.reoffending(), a.harm_to_others(), a.harm_to_self()}) {
    if (level >= at_least) ++n;
  }
  return n;
}

bool Holds(const v1::PlacementRule& rule, const v1::RiskAssessment& a) {
  if (rule.dimension_at_least() != v1::RISK_LEVEL_UNSPECIFIED &&
      LevelCount(a, rule.dimension_at_least()) < std::max(1, rule.min_dimensions())) {
    return false;
  }
  return a.factors_size() >= rule.min_aggravating_factors();
}

}  // namespace

int AgeOn(absl::CivilDay born, absl::CivilDay on) {
  int age = static_cast<int>(on.year() - born.year());
  // absl normalises 29 February of a common year to 1 March.
  const absl::CivilDay birthday(on.year(), born.month(), born.day());
  if (on < birthday) --age;
  return age < 0 ? 0 : age;
}

absl::Status CheckEligibility(const v1::PanelDefinition& panel, const v1::PanelSubject& subject,
                              absl::CivilDay date) {
  bool kind_taken = false;
  std::vector<std::string> kinds;
  for (int kind : panel.subject_kinds()) {
    kinds.push_back(KindLabel(kind));
    if (kind == subject.kind()) kind_taken = true;
  }
  if (!kind_taken) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NOT_ELIGIBLE",
                           absl::StrCat("panel ", panel.id(), " takes ", absl::StrJoin(kinds, " and "),
                                        ", not ", KindLabel(subject.kind())));
  }
  if (subject.kind() != v1::SUBJECT_PERSON || (!panel.has_min_age() && !panel.has_max_age())) {
    return absl::OkStatus();
  }
  const int age = AgeOn(ToCivilDay(subject.date_of_birth()), date);
  if ((panel.has_min_age() && age < panel.min_age()) ||
      (panel.has_max_age() && age > panel.max_age())) {
    return ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, "NOT_ELIGIBLE",
        absl::StrCat("panel ", panel.id(), " takes people ", AgeRange(panel),
                     " on the referral date; the subject is ", age, " on ",
                     FormatDate(ToCivilDate(date))));
  }
  return absl::OkStatus();
}

void CheckSubject(absl::string_view field, const v1::PanelSubject& subject, absl::CivilDay today,
                  FieldErrors& errors) {
  const std::string f(field);
  if (subject.kind() == v1::PANEL_SUBJECT_KIND_UNSPECIFIED ||
      !v1::PanelSubjectKind_IsValid(subject.kind())) {
    errors.Add(f + ".kind", "required", "must be a person, a group or a location");
  }
  CheckReference(f + ".reference", subject.reference(), true, errors);
  CheckText(f + ".display_name", subject.display_name(), true, 200, errors);
  CheckText(f + ".locality", subject.locality(), false, 100, errors);
  if (subject.kind() == v1::SUBJECT_PERSON) {
    CheckPastDate(f + ".date_of_birth", subject.date_of_birth(), today, errors);
  } else if (subject.has_date_of_birth()) {
    errors.Add(f + ".date_of_birth", "person_only", "only a person has a date of birth");
  }
}

void CheckLawfulBasis(v1::LawfulBasis basis, bool consent_recorded, FieldErrors& errors) {
  if (basis == v1::LAWFUL_BASIS_UNSPECIFIED || !v1::LawfulBasis_IsValid(basis)) {
    errors.Add("lawful_basis", "required",
               "must name the lawful basis for sharing (consent, law enforcement, safeguarding, "
               "vital interests)");
  } else if (basis == v1::CONSENT && !consent_recorded) {
    errors.Add("consent_recorded", "required_for_consent",
               "must be true when the lawful basis is consent");
  }
}

void Place(const v1::PanelDefinition& panel, v1::RiskAssessment& assessment) {
  for (const v1::PlacementRule& rule : panel.placement_rules()) {
    if (!Holds(rule, assessment)) continue;
    assessment.set_placement(rule.placement());
    assessment.set_rule(rule.id());
    assessment.set_rule_description(rule.description());
    assessment.set_signposting(rule.signposting());
    return;
  }
}

v1::Quorum QuorumOf(const v1::PanelDefinition& panel, const v1::PanelMeeting& meeting) {
  const v1::PanelQuorum& rule = panel.quorum();
  const std::set<int> counted(rule.responsible_authorities().begin(),
                              rule.responsible_authorities().end());
  std::set<std::string> present;
  bool chair = false;
  for (const v1::Attendee& a : meeting.attendees()) {
    if (counted.count(a.agency_kind()) > 0) present.insert(a.agency());
    chair = chair || a.chair();
  }
  v1::Quorum q;
  for (const std::string& agency : present) q.add_authorities_present(agency);
  q.set_authorities_required(rule.min_responsible_authorities());
  q.set_chair_present(chair);
  q.set_chair_required(rule.chair_required());
  std::vector<std::string> missing;
  if (static_cast<int>(present.size()) < rule.min_responsible_authorities()) {
    missing.push_back(absl::StrCat(
        present.size(), " of the ", rule.min_responsible_authorities(),
        " responsible authorities required ", present.size() == 1 ? "is" : "are", " present",
        present.empty() ? "" : absl::StrCat(" (", absl::StrJoin(present, ", "), ")")));
  }
  if (rule.chair_required() && !chair) missing.push_back("no chair is recorded as present");
  q.set_quorate(missing.empty());
  q.set_missing(absl::StrJoin(missing, "; "));
  return q;
}

absl::CivilDay NextReview(const Calendar& calendar, const v1::PanelDefinition& panel,
                          absl::CivilDay from) {
  absl::CivilDay due = from + panel.review_cadence_days();
  while (!calendar.IsWorkingDay(due)) ++due;
  return due;
}

}  // namespace casework::workflow::panels
