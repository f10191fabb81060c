// Ledger entries and applications the pure tests of the case review
// threshold and its proactive notices build their cases from.
#ifndef CASEWORK_TESTS_WORKFLOW_CASE_REVIEW_LEDGER_ENTRIES_H_
#define CASEWORK_TESTS_WORKFLOW_CASE_REVIEW_LEDGER_ENTRIES_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "workflow/case_review/threshold.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::workflow::case_review {

inline constexpr absl::string_view kPrefix = "partnerships/eastbrook/";

// "partnerships/eastbrook/complaints/<n>".
inline std::string C(int n) { return absl::StrCat(kPrefix, "complaints/", n); }

inline absl::CivilDay D(int year, int month, int day) { return absl::CivilDay(year, month, day); }

// A ledger row: complaint `n` by `complainant` about behaviour on `behaviour`,
// reported on `reported` to an agency of `kind`, about `incident`. Personal
// category, locality "town-centre", not hate related.
inline v1::LedgerEntry Entry(int n, absl::string_view complainant, absl::CivilDay behaviour,
                      absl::CivilDay reported, v1::AgencyKind kind,
                      absl::string_view incident = "") {
  v1::LedgerEntry e;
  e.set_complaint(C(n));
  e.set_complainant_reference(std::string(complainant));
  switch (kind) {
    case v1::COUNCIL:
      e.set_agency("eastbrook-council");
      break;
    case v1::POLICE:
      e.set_agency("shire-police");
      break;
    case v1::HOUSING_PROVIDER:
      e.set_agency("eastbrook-homes");
      break;
    default:
      e.set_agency("eastbrook-health");
      break;
  }
  e.set_agency_kind(kind);
  e.set_incident_reference(std::string(incident));
  *e.mutable_behaviour_date() = ToCivilDate(behaviour);
  *e.mutable_reported_date() = ToCivilDate(reported);
  e.set_category(v1::PERSONAL);
  e.set_locality("town-centre");
  return e;
}

inline v1::LedgerEntry Hate(v1::LedgerEntry e) {
  e.set_hate_related(true);
  return e;
}

inline v1::LedgerEntry Nuisance(v1::LedgerEntry e) {
  e.set_category(v1::NUISANCE);
  return e;
}

inline v1::ThresholdPolicy Llr() { return LlrDefaultPolicy("eastbrook").case_review().threshold(); }

// An application by cmp-1 on 20 Nov 2026 (window from 20 May 2026), about a
// personal problem in the town centre.
inline ThresholdInput Application(const v1::ThresholdPolicy& policy, std::vector<v1::LedgerEntry> mine,
                           absl::CivilDay date = D(2026, 11, 20)) {
  ThresholdInput input;
  input.policy = &policy;
  input.policy_version = 7;
  input.application_date = date;
  input.applicant = "cmp-1";
  input.locality = "town-centre";
  input.category = v1::PERSONAL;
  input.applicant_complaints = std::move(mine);
  return input;
}

// "<rule> complaints/<n> <cmp> counted|excluded: <reason>".
inline std::vector<std::string> Explain(const v1::ThresholdEvaluation& evaluation) {
  std::vector<std::string> out;
  for (const v1::ConsideredComplaint& c : evaluation.considered()) {
    absl::string_view name = c.complaint();
    if (absl::StartsWith(name, kPrefix)) name.remove_prefix(kPrefix.size());
    out.push_back(absl::StrCat(c.rule(), " ", name, " ", c.complainant_reference(),
                               c.counted() ? " counted: " : " excluded: ", c.reason()));
  }
  return out;
}


}  // namespace casework::workflow::case_review

#endif  // CASEWORK_TESTS_WORKFLOW_CASE_REVIEW_LEDGER_ENTRIES_H_
