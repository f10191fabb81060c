#include "workflow/case_review/policy_section.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/policy/document.h"

namespace casework::workflow::case_review {
namespace {

// Limits of the section's lists (documented in policy.proto).
constexpr int kMaxOfficers = 200;
constexpr size_t kMaxOfficerLabel = 200;
constexpr int kMaxGrounds = 20;
constexpr size_t kMaxGroundChars = 500;

void CheckThreshold(const v1::ThresholdPolicy& threshold, FieldErrors& errors) {
  const std::string prefix = "case_review.threshold.";
  const int count = threshold.complaint_count();
  if (count < 1) {
    errors.Add(prefix + "complaint_count", "range",
               absl::StrCat("must be 1-", kMaxThresholdComplaintCount, ", got ", count));
  } else if (count > kMaxThresholdComplaintCount) {
    errors.Add(prefix + "complaint_count", "statutory_cap",
               absl::StrCat("must be 1-", kMaxThresholdComplaintCount,
                            ": the Act caps the number of complaints at ",
                            kMaxThresholdComplaintCount, ", got ", count));
  }
  CheckDeadlineRuleField(prefix + "window", threshold.window(), "6 months",
            /*calendar_only=*/true, errors);
  CheckDeadlineRuleField(prefix + "report_within", threshold.report_within(), "1 month",
            /*calendar_only=*/true, errors);

  if (threshold.relevant_agencies_size() == 0) {
    errors.Add(prefix + "relevant_agencies", "required",
               "must list at least one relevant body (e.g. COUNCIL, POLICE)");
  }
  std::map<int, int> first_index;
  for (int i = 0; i < threshold.relevant_agencies_size(); ++i) {
    const int kind = threshold.relevant_agencies(i);
    const std::string field = absl::StrCat(prefix, "relevant_agencies[", i, "]");
    if (kind == v1::AGENCY_KIND_UNSPECIFIED) {
      errors.Add(field, "unspecified",
                 "must not be AGENCY_KIND_UNSPECIFIED: name the kind of body");
      continue;
    }
    if (!v1::AgencyKind_IsValid(kind)) {
      errors.Add(field, "unknown", absl::StrCat(kind, " is not a known agency kind"));
      continue;
    }
    auto [it, inserted] = first_index.emplace(kind, i);
    if (!inserted) {
      errors.Add(field, "duplicate",
                 absl::StrCat(v1::AgencyKind_Name(static_cast<v1::AgencyKind>(kind)),
                              " is already listed at relevant_agencies[", it->second, "]"));
    }
  }

  const v1::CommunityRule& community = threshold.community();
  if (community.enabled()) {
    if (community.complaint_count() < 2) {
      errors.Add(prefix + "community.complaint_count", "range",
                 absl::StrCat("must be at least 2 when the community rule is "
                              "enabled, got ",
                              community.complaint_count()));
    }
    if (community.min_complainants() < 2) {
      errors.Add(prefix + "community.min_complainants", "range",
                 absl::StrCat("must be at least 2 when the community rule is "
                              "enabled (it is about several people), got ",
                              community.min_complainants()));
    }
  }
  const v1::SameIncidentRule& same_incident = threshold.same_incident();
  if (same_incident.enabled() && same_incident.min_complainants() < 2) {
    errors.Add(prefix + "same_incident.min_complainants", "range",
               absl::StrCat("must be at least 2 when the same-incident rule "
                            "is enabled (it is about several people), got ",
                            same_incident.min_complainants()));
  }
}

void CheckOfficers(const v1::CaseReviewPolicy& review, FieldErrors& errors) {
  std::map<std::string, int> first_index;
  bool pool = false;
  if (!CheckCount("case_review.officers", review.officers_size(), kMaxOfficers, errors)) return;
  for (int i = 0; i < review.officers_size(); ++i) {
    const v1::ReviewOfficer& officer = review.officers(i);
    const std::string field = absl::StrCat("case_review.officers[", i, "]");
    CheckId(field + ".id", officer.id(), errors);
    CheckId(field + ".agency", officer.agency(), errors);
    CheckText(field + ".label", officer.label(), /*required=*/false, kMaxOfficerLabel, errors);
    if (!officer.id().empty()) {
      auto [it, inserted] = first_index.emplace(officer.id(), i);
      if (!inserted) {
        errors.Add(field + ".id", "duplicate",
                   absl::StrCat("\"", officer.id(), "\" is already used by case_review.officers[",
                                it->second, "]"));
      }
    }
    if (officer.trained() && officer.active()) pool = true;
  }
  if (!pool) {
    errors.Add("case_review.officers", "trained_officer",
               "must include at least one trained, active officer to lead "
               "case reviews");
  }
}

void CheckAppeal(const v1::AppealPolicy& appeal, FieldErrors& errors) {
  if (appeal.enabled() && appeal.grounds_size() == 0) {
    errors.Add("case_review.appeal.grounds", "required",
               "must list at least one ground when appeals are enabled");
  }
  if (!CheckCount("case_review.appeal.grounds", appeal.grounds_size(), kMaxGrounds, errors)) {
    return;
  }
  std::map<std::string, int> first_index;
  for (int i = 0; i < appeal.grounds_size(); ++i) {
    const std::string field = absl::StrCat("case_review.appeal.grounds[", i, "]");
    const std::string& ground = appeal.grounds(i);
    if (ground.empty()) {
      errors.Add(field, "required", "must not be empty");
      continue;
    }
    if (ground.size() > kMaxGroundChars) {
      CheckText(field, ground, /*required=*/true, kMaxGroundChars, errors);
      continue;
    }
    auto [it, inserted] = first_index.emplace(ground, i);
    if (!inserted) {
      errors.Add(field, "duplicate",
                 absl::StrCat("\"", ground,
                              "\" is already listed at case_review.appeal."
                              "grounds[",
                              it->second, "]"));
    }
  }
}

v1::ReviewOfficer Officer(absl::string_view id, absl::string_view agency, absl::string_view label,
                          bool trained) {
  v1::ReviewOfficer officer;
  officer.set_id(std::string(id));
  officer.set_agency(std::string(agency));
  officer.set_label(std::string(label));
  officer.set_trained(trained);
  officer.set_active(true);
  return officer;
}

}  // namespace

void ValidateSection(const v1::Policy& policy, FieldErrors& errors) {
  const v1::CaseReviewPolicy& review = policy.case_review();
  CheckThreshold(review.threshold(), errors);
  CheckTimescales(review.timescales(), "case_review.timescales.", errors);
  CheckOfficers(review, errors);
  CheckAppeal(review.appeal(), errors);
}

void SetDefaultSection(absl::string_view partnership, v1::Policy* policy) {
  v1::CaseReviewPolicy& review = *policy->mutable_case_review();
  v1::ThresholdPolicy& threshold = *review.mutable_threshold();
  threshold.set_complaint_count(3);
  threshold.set_window("6 months");
  threshold.set_report_within("1 month");
  threshold.add_relevant_agencies(v1::COUNCIL);
  threshold.add_relevant_agencies(v1::POLICE);
  threshold.add_relevant_agencies(v1::HOUSING_PROVIDER);
  threshold.add_relevant_agencies(v1::HEALTH);
  threshold.set_hate_incident_rule(true);
  threshold.mutable_community()->set_enabled(true);
  threshold.mutable_community()->set_complaint_count(5);
  threshold.mutable_community()->set_min_complainants(2);
  threshold.mutable_same_incident()->set_enabled(false);
  threshold.mutable_same_incident()->set_min_complainants(3);
  threshold.set_spoc_override(true);

  v1::CaseReviewTimescales& timescales = *review.mutable_timescales();
  timescales.set_acknowledge("5 working days");
  timescales.set_threshold_decision("10 working days");
  timescales.set_review_meeting("25 working days");
  timescales.set_outcome_letter("5 working days");
  timescales.set_appeal_window("20 working days");
  timescales.set_appeal_papers("1 working day");

  std::string council, police, homes;
  if (partnership == "eastbrook") {
    council = "eastbrook-council";
    police = "shire-police";
    homes = "eastbrook-homes";
  } else {
    council = absl::StrCat(partnership, "-council");
    police = absl::StrCat(partnership, "-police");
    homes = absl::StrCat(partnership, "-homes");
  }
  *review.add_officers() = Officer("off-council-1", council, "Community Safety Officer 1", true);
  *review.add_officers() = Officer("off-council-2", council, "Community Safety Officer 2", false);
  *review.add_officers() = Officer("off-police-1", police, "Neighbourhood Sergeant 1", true);
  *review.add_officers() = Officer("off-police-2", police, "Neighbourhood Sergeant 2", true);
  *review.add_officers() = Officer("off-homes-1", homes, "Tenancy Enforcement Officer 1", true);

  v1::AppealPolicy& appeal = *review.mutable_appeal();
  appeal.set_enabled(true);
  appeal.add_grounds("The case review process was not followed");
  appeal.add_grounds("The outcome did not consider all the information provided");
}

}  // namespace casework::workflow::case_review
