// Policy validation and the default LLR-style policy: each broken rule is
// reported with its exact field, rule and description.
#include "workflow/policy/document.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "casework/v1/errors.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow/common/status.h"
#include "workflow/registry.h"

namespace casework::workflow {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The document checked by the product's workflows.
absl::Status Validate(const v1::Policy& policy) { return ValidatePolicy(policy, Workflows()); }

// The violations of a status as "field | rule | description" lines.
std::vector<std::string> Violations(const absl::Status& status) {
  std::vector<std::string> out;
  v1::BadRequest detail;
  auto payload = status.GetPayload(TypeUrlOf(detail));
  if (!payload.has_value()) return out;
  if (!detail.ParseFromString(std::string(*payload))) return out;
  for (const v1::FieldViolation& v : detail.violations()) {
    out.push_back(absl::StrCat(v.field(), " | ", v.rule(), " | ", v.description()));
  }
  return out;
}

TEST(PolicyTest, LlrDefaultPolicyValidates) {
  const v1::Policy policy = LlrDefaultPolicy("eastbrook");
  EXPECT_TRUE(Validate(policy).ok()) << Validate(policy);
  EXPECT_TRUE(Validate(LlrDefaultPolicy("westvale")).ok());
}

TEST(PolicyTest, LlrDefaultPolicyHasTheShippedRules) {
  const v1::Policy policy = LlrDefaultPolicy("eastbrook");
  EXPECT_EQ(policy.partnership(), "eastbrook");
  const v1::ThresholdPolicy& t = policy.case_review().threshold();
  EXPECT_EQ(t.complaint_count(), 3);
  EXPECT_EQ(t.window(), "6 months");
  EXPECT_EQ(t.report_within(), "1 month");
  EXPECT_THAT(t.relevant_agencies(),
              ElementsAre(v1::COUNCIL, v1::POLICE, v1::HOUSING_PROVIDER, v1::HEALTH));
  EXPECT_TRUE(t.hate_incident_rule());
  EXPECT_TRUE(t.community().enabled());
  EXPECT_EQ(t.community().complaint_count(), 5);
  EXPECT_EQ(t.community().min_complainants(), 2);
  EXPECT_FALSE(t.same_incident().enabled());
  EXPECT_EQ(t.same_incident().min_complainants(), 3);
  EXPECT_TRUE(t.spoc_override());

  const v1::CaseReviewTimescales& ts = policy.case_review().timescales();
  EXPECT_EQ(ts.acknowledge(), "5 working days");
  EXPECT_EQ(ts.threshold_decision(), "10 working days");
  EXPECT_EQ(ts.review_meeting(), "25 working days");
  EXPECT_EQ(ts.outcome_letter(), "5 working days");
  EXPECT_EQ(ts.appeal_window(), "20 working days");
  EXPECT_EQ(ts.appeal_papers(), "1 working day");

  EXPECT_TRUE(policy.case_review().appeal().enabled());
  EXPECT_THAT(policy.case_review().appeal().grounds(),
              ElementsAre("The case review process was not followed",
                          "The outcome did not consider all the information provided"));

  std::vector<std::string> officers;
  for (const v1::ReviewOfficer& o : policy.case_review().officers()) {
    officers.push_back(absl::StrCat(o.id(), " ", o.agency(), " ", o.label(),
                                    o.trained() ? " trained" : " untrained",
                                    o.active() ? " active" : " inactive"));
  }
  EXPECT_THAT(
      officers,
      ElementsAre("off-council-1 eastbrook-council Community Safety Officer 1 trained active",
                  "off-council-2 eastbrook-council Community Safety Officer 2 untrained active",
                  "off-police-1 shire-police Neighbourhood Sergeant 1 trained active",
                  "off-police-2 shire-police Neighbourhood Sergeant 2 trained active",
                  "off-homes-1 eastbrook-homes Tenancy Enforcement Officer 1 trained active"));
}

TEST(PolicyTest, OtherPartnershipsGetTheirOwnAgencyIds) {
  const v1::Policy policy = LlrDefaultPolicy("westvale");
  std::vector<std::string> agencies;
  for (const v1::ReviewOfficer& o : policy.case_review().officers()) {
    agencies.push_back(o.agency());
  }
  EXPECT_THAT(agencies, ElementsAre("westvale-council", "westvale-council", "westvale-police",
                                    "westvale-police", "westvale-homes"));
}

TEST(PolicyTest, ComplaintCountAboveTheStatutoryCapIsRefused) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  policy.mutable_case_review()->mutable_threshold()->set_complaint_count(4);
  const absl::Status status = Validate(policy);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "case_review.threshold.complaint_count: must be 1-3: the Act caps "
            "the number of complaints at 3, got 4 [statutory_cap]");
  EXPECT_THAT(Violations(status),
              ElementsAre("case_review.threshold.complaint_count | statutory_cap | "
                          "must be 1-3: the Act caps the number of complaints at 3, got 4"));
}

TEST(PolicyTest, ComplaintCountZeroIsOutOfRange) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  policy.mutable_case_review()->mutable_threshold()->set_complaint_count(0);
  EXPECT_THAT(Violations(Validate(policy)),
              ElementsAre("case_review.threshold.complaint_count | range | must be 1-3, got 0"));
}

TEST(PolicyTest, BadTimescaleRuleIsRefused) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  policy.mutable_case_review()->mutable_timescales()->set_threshold_decision("10 days");
  policy.mutable_case_review()->mutable_timescales()->clear_appeal_papers();
  const absl::Status status = Validate(policy);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Violations(status),
              ElementsAre("case_review.timescales.threshold_decision | deadline_rule | "
                          "deadline rule \"10 days\": unit \"days\" is ambiguous (say "
                          "\"working days\" or \"calendar days\")",
                          "case_review.timescales.appeal_papers | required | "
                          "is required, e.g. \"10 working days\""));
}

TEST(PolicyTest, ThresholdWindowsMustBeCalendarRules) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  v1::ThresholdPolicy& t = *policy.mutable_case_review()->mutable_threshold();
  t.set_window("130 working days");
  t.set_report_within("a month");
  EXPECT_THAT(Violations(Validate(policy)),
              ElementsAre("case_review.threshold.window | unit | must be in calendar days, "
                          "weeks or months (the threshold is counted on calendar dates), "
                          "got \"130 working days\"",
                          "case_review.threshold.report_within | deadline_rule | "
                          "deadline rule \"a month\": \"a\" is not a whole number (want "
                          "e.g. \"10 working days\", \"28 calendar days\", \"6 weeks\" or "
                          "\"1 month\")"));
}

TEST(PolicyTest, WindowInWeeksOrDaysIsAccepted) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  policy.mutable_case_review()->mutable_threshold()->set_window("26 weeks");
  policy.mutable_case_review()->mutable_threshold()->set_report_within("31 calendar days");
  EXPECT_TRUE(Validate(policy).ok());
}

TEST(PolicyTest, RelevantAgenciesMustBeKnownAndUnique) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  v1::ThresholdPolicy& t = *policy.mutable_case_review()->mutable_threshold();
  t.add_relevant_agencies(v1::POLICE);
  t.add_relevant_agencies(v1::AGENCY_KIND_UNSPECIFIED);
  EXPECT_THAT(Violations(Validate(policy)),
              ElementsAre("case_review.threshold.relevant_agencies[4] | duplicate | "
                          "POLICE is already listed at relevant_agencies[1]",
                          "case_review.threshold.relevant_agencies[5] | unspecified | "
                          "must not be AGENCY_KIND_UNSPECIFIED: name the kind of body"));
  t.clear_relevant_agencies();
  EXPECT_THAT(Violations(Validate(policy)),
              ElementsAre("case_review.threshold.relevant_agencies | required | "
                          "must list at least one relevant body (e.g. COUNCIL, POLICE)"));
}

TEST(PolicyTest, LocalVariantsNeedSeveralPeople) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  v1::ThresholdPolicy& t = *policy.mutable_case_review()->mutable_threshold();
  t.mutable_community()->set_complaint_count(1);
  t.mutable_community()->set_min_complainants(1);
  t.mutable_same_incident()->set_enabled(true);
  t.mutable_same_incident()->set_min_complainants(1);
  EXPECT_THAT(Violations(Validate(policy)),
              ElementsAre("case_review.threshold.community.complaint_count | range | "
                          "must be at least 2 when the community rule is enabled, got 1",
                          "case_review.threshold.community.min_complainants | range | "
                          "must be at least 2 when the community rule is enabled (it is "
                          "about several people), got 1",
                          "case_review.threshold.same_incident.min_complainants | range | "
                          "must be at least 2 when the same-incident rule is enabled (it "
                          "is about several people), got 1"));
  // Disabled variants are not checked.
  t.mutable_community()->set_enabled(false);
  t.mutable_same_incident()->set_enabled(false);
  EXPECT_TRUE(Validate(policy).ok());
}

TEST(PolicyTest, DuplicateOfficerIdsAreRefused) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  v1::ReviewOfficer& copy = *policy.mutable_case_review()->add_officers();
  copy = policy.case_review().officers(2);
  copy.set_agency("Shire Police");
  EXPECT_THAT(Violations(Validate(policy)),
              ElementsAre("case_review.officers[5].agency | format | \"Shire Police\" must "
                          "be 1-40 characters of a-z, 0-9 and '-', starting with a letter",
                          "case_review.officers[5].id | duplicate | \"off-police-1\" is "
                          "already used by case_review.officers[2]"));
}

TEST(PolicyTest, PoolNeedsATrainedActiveOfficer) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  for (v1::ReviewOfficer& o : *policy.mutable_case_review()->mutable_officers()) {
    if (o.trained()) o.set_active(false);
  }
  const std::vector<std::string> expected = {
      "case_review.officers | trained_officer | must include at least one trained, "
      "active officer to lead case reviews"};
  EXPECT_EQ(Violations(Validate(policy)), expected);
  policy.mutable_case_review()->clear_officers();
  EXPECT_EQ(Violations(Validate(policy)), expected);
}

TEST(PolicyTest, AppealEnabledWithoutGroundsIsRefused) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  policy.mutable_case_review()->mutable_appeal()->clear_grounds();
  const absl::Status status = Validate(policy);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "case_review.appeal.grounds: must list at least one ground when "
            "appeals are enabled [required]");
  // Without appeals, no grounds are needed.
  policy.mutable_case_review()->mutable_appeal()->set_enabled(false);
  EXPECT_TRUE(Validate(policy).ok());
}

TEST(PolicyTest, AppealGroundsMustBeNonEmptyAndUnique) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  v1::AppealPolicy& appeal = *policy.mutable_case_review()->mutable_appeal();
  appeal.add_grounds("");
  appeal.add_grounds("The case review process was not followed");
  EXPECT_THAT(Violations(Validate(policy)),
              ElementsAre("case_review.appeal.grounds[2] | required | must not be empty",
                          "case_review.appeal.grounds[3] | duplicate | \"The case review "
                          "process was not followed\" is already listed at "
                          "case_review.appeal.grounds[0]"));
}

TEST(PolicyTest, OfficerAndGroundListsAreBounded) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  v1::CaseReviewPolicy& review = *policy.mutable_case_review();
  review.mutable_officers(0)->set_label(std::string(201, 'l'));
  review.mutable_appeal()->add_grounds(std::string(501, 'g'));
  EXPECT_THAT(
      Violations(Validate(policy)),
      ElementsAre(
          "case_review.officers[0].label | length | must be at most 200 characters, got 201",
          "case_review.appeal.grounds[2] | length | must be at most 500 characters, got 501"));
  for (int i = 0; i < 200; ++i) {
    v1::ReviewOfficer& officer = *review.add_officers();
    officer.set_id(absl::StrCat("off-extra-", i));
    officer.set_agency("eastbrook-council");
  }
  for (int i = 0; i < 20; ++i) review.mutable_appeal()->add_grounds(absl::StrCat("Ground ", i));
  EXPECT_THAT(Violations(Validate(policy)),
              ElementsAre("case_review.officers | count | must have at most 200 items, got 205",
                          "case_review.appeal.grounds | count | must have at most 20 items, "
                          "got 23"));
}

// The title is checked; no section is required by the document (a workflow
// whose section is missing refuses its own commands instead).
TEST(PolicyTest, TitleIsCheckedAndNoSectionIsRequired) {
  v1::Policy policy;
  policy.set_title(std::string(201, 'x'));
  const absl::Status status = Validate(policy);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Violations(status),
              ElementsAre("title | length | must be at most 200 characters, got 201"));
  v1::Policy no_sections;
  no_sections.set_title(std::string(200, 'x'));
  EXPECT_TRUE(Validate(no_sections).ok()) << Validate(no_sections);
  EXPECT_TRUE(Validate(v1::Policy()).ok()) << Validate(v1::Policy());
  v1::Policy fine = LlrDefaultPolicy("eastbrook");
  fine.set_title(std::string(200, 'x'));
  EXPECT_THAT(Violations(Validate(fine)), IsEmpty());
  EXPECT_TRUE(Validate(fine).ok());
}

TEST(PolicyTest, EveryBrokenRuleIsReportedAtOnce) {
  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  v1::CaseReviewPolicy& review = *policy.mutable_case_review();
  review.mutable_threshold()->set_complaint_count(5);
  review.mutable_timescales()->set_acknowledge("5 working dayz");
  review.mutable_officers(0)->set_id("");
  review.mutable_appeal()->clear_grounds();
  EXPECT_THAT(Violations(Validate(policy)),
              ElementsAre("case_review.threshold.complaint_count | statutory_cap | "
                          "must be 1-3: the Act caps the number of complaints at 3, got 5",
                          "case_review.timescales.acknowledge | deadline_rule | "
                          "deadline rule \"5 working dayz\": unknown unit \"working dayz\" "
                          "(want working days, calendar days, weeks or months)",
                          "case_review.officers[0].id | required | is required",
                          "case_review.appeal.grounds | required | must list at least one "
                          "ground when appeals are enabled"));
}

}  // namespace
}  // namespace casework::workflow
