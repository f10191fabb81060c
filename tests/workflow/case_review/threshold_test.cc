// Golden tests of the case review threshold: each test states exactly which
// complaints were counted or excluded, by which rule and why, and which rule
// decided. Dates are in 2026 unless said otherwise.
#include "workflow/case_review/threshold.h"

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/workflow/case_review/ledger_entries.h"

namespace casework::workflow::case_review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ThresholdTest, ThreeSeparateIncidentsMeetR1) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::ThresholdEvaluation e = EvaluateThreshold(Application(
      policy, {Entry(3, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::POLICE, "INC-1"),
               Entry(8, "cmp-1", D(2026, 8, 10), D(2026, 8, 11), v1::COUNCIL, "INC-2"),
               Entry(12, "cmp-1", D(2026, 11, 1), D(2026, 11, 3), v1::HOUSING_PROVIDER, "INC-3")}));
  EXPECT_TRUE(e.met());
  EXPECT_EQ(e.deciding_rule(), "R1_COMPLAINTS");
  EXPECT_THAT(Explain(e), ElementsAre("R1 complaints/3 cmp-1 counted: counted",
                                      "R1 complaints/8 cmp-1 counted: counted",
                                      "R1 complaints/12 cmp-1 counted: counted"));
  EXPECT_EQ(e.summary(),
            "3 qualifying complaints about 3 separate incidents reported from "
            "2026-05-20 to 2026-11-20 (policy needs 3): threshold met (R1).");
  EXPECT_EQ(FormatDate(e.window_start()), "2026-05-20");
  EXPECT_EQ(FormatDate(e.evaluated_on()), "2026-11-20");
  EXPECT_EQ(e.policy_version(), 7);
  // The explanation carries the ledger facts.
  const v1::ConsideredComplaint& first = e.considered(0);
  EXPECT_EQ(first.agency(), "shire-police");
  EXPECT_EQ(first.incident_reference(), "INC-1");
  EXPECT_EQ(FormatDate(first.behaviour_date()), "2026-06-01");
  EXPECT_EQ(FormatDate(first.reported_date()), "2026-06-02");
  EXPECT_FALSE(first.hate_related());
}

TEST(ThresholdTest, ReportWithinIsOneCalendarMonthOfTheBehaviour) {
  const v1::ThresholdPolicy policy = Llr();
  // Application on 30 Apr 2026: window from 30 Oct 2025.
  const v1::ThresholdEvaluation e = EvaluateThreshold(
      Application(policy,
                  {// 10 Feb -> 13 Mar: 31 days, more than a calendar month.
                   Entry(1, "cmp-1", D(2026, 2, 10), D(2026, 3, 13), v1::POLICE, "INC-1"),
                   // 10 Feb -> 10 Mar: exactly one calendar month.
                   Entry(2, "cmp-1", D(2026, 2, 10), D(2026, 3, 10), v1::COUNCIL, "INC-2"),
                   // 31 Jan -> 28 Feb: one month, clamped to the end of February.
                   Entry(3, "cmp-1", D(2026, 1, 31), D(2026, 2, 28), v1::COUNCIL, "INC-3"),
                   // 30 Jan -> 1 Mar: one month from 30 Jan ends on 28 Feb.
                   Entry(4, "cmp-1", D(2026, 1, 30), D(2026, 3, 1), v1::COUNCIL, "INC-4")},
                  D(2026, 4, 30)));
  EXPECT_FALSE(e.met());
  EXPECT_EQ(e.deciding_rule(), "NOT_MET");
  EXPECT_THAT(Explain(e),
              ElementsAre("R1 complaints/3 cmp-1 counted: counted",
                          "R1 complaints/4 cmp-1 excluded: reported 30 days after the behaviour "
                          "(more than 1 month)",
                          "R1 complaints/2 cmp-1 counted: counted",
                          "R1 complaints/1 cmp-1 excluded: reported 31 days after the behaviour "
                          "(more than 1 month)"));
  EXPECT_EQ(e.summary(),
            "2 qualifying complaints about 2 separate incidents reported from "
            "2025-10-30 to 2026-04-30 (policy needs 3); no hate incident; community "
            "rule not met: threshold not met.");
}

TEST(ThresholdTest, WindowBoundaries) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::ThresholdEvaluation e = EvaluateThreshold(Application(
      policy, {Entry(1, "cmp-1", D(2026, 5, 10), D(2026, 5, 19), v1::POLICE, "INC-1"),
               Entry(2, "cmp-1", D(2026, 5, 12), D(2026, 5, 20), v1::POLICE, "INC-2"),
               Entry(3, "cmp-1", D(2026, 11, 19), D(2026, 11, 20), v1::POLICE, "INC-3"),
               Entry(4, "cmp-1", D(2026, 11, 20), D(2026, 11, 21), v1::POLICE, "INC-4")}));
  EXPECT_FALSE(e.met());
  EXPECT_EQ(e.deciding_rule(), "NOT_MET");
  EXPECT_THAT(Explain(e),
              ElementsAre("R1 complaints/1 cmp-1 excluded: outside the window (reported "
                          "2026-05-19, window starts 2026-05-20)",
                          "R1 complaints/2 cmp-1 counted: counted",
                          "R1 complaints/3 cmp-1 counted: counted",
                          "R1 complaints/4 cmp-1 excluded: reported after the application"));
  EXPECT_EQ(e.summary(),
            "2 qualifying complaints about 2 separate incidents reported from "
            "2026-05-20 to 2026-11-20 (policy needs 3); no hate incident; community "
            "rule not met: threshold not met.");
}

TEST(ThresholdTest, WindowStartIsClampedToTheEndOfFebruary) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::ThresholdEvaluation e = EvaluateThreshold(Application(policy, {}, D(2026, 8, 31)));
  EXPECT_EQ(FormatDate(e.window_start()), "2026-02-28");
  EXPECT_THAT(e.considered(), IsEmpty());
  EXPECT_EQ(e.deciding_rule(), "NOT_MET");
  EXPECT_EQ(e.summary(),
            "No qualifying complaints reported from 2026-02-28 to 2026-08-31 "
            "(policy needs 3); no hate incident; community rule not met: threshold "
            "not met.");
  const v1::ThresholdEvaluation leap = EvaluateThreshold(Application(policy, {}, D(2028, 8, 31)));
  EXPECT_EQ(FormatDate(leap.window_start()), "2028-02-29");
}

TEST(ThresholdTest, WindowInCalendarDays) {
  v1::ThresholdPolicy policy = Llr();
  policy.set_window("182 calendar days");
  const v1::ThresholdEvaluation e = EvaluateThreshold(Application(policy, {}));
  EXPECT_EQ(FormatDate(e.window_start()), "2026-05-22");
}

TEST(ThresholdTest, OneIncidentReportedToPoliceAndCouncilCountsOnce) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::ThresholdEvaluation e = EvaluateThreshold(
      Application(policy, {Entry(5, "cmp-1", D(2026, 6, 1), D(2026, 6, 3), v1::COUNCIL, "INC-1"),
                           Entry(3, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::POLICE, "INC-1"),
                           Entry(6, "cmp-1", D(2026, 7, 1), D(2026, 7, 1), v1::COUNCIL, "INC-2")}));
  EXPECT_FALSE(e.met());
  EXPECT_EQ(e.deciding_rule(), "NOT_MET");
  EXPECT_THAT(Explain(e), ElementsAre("R1 complaints/3 cmp-1 counted: counted",
                                      "R1 complaints/5 cmp-1 excluded: same incident as "
                                      "partnerships/eastbrook/complaints/3",
                                      "R1 complaints/6 cmp-1 counted: counted"));
  EXPECT_EQ(e.summary(),
            "3 qualifying complaints about 2 separate incidents reported from "
            "2026-05-20 to 2026-11-20 (policy needs 3); no hate incident; community "
            "rule not met: threshold not met.");
}

TEST(ThresholdTest, ComplaintsWithoutIncidentReferenceAreSeparateIncidents) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::ThresholdEvaluation e = EvaluateThreshold(
      Application(policy, {Entry(1, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::POLICE),
                           Entry(2, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::COUNCIL),
                           Entry(3, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::HEALTH)}));
  EXPECT_TRUE(e.met());
  EXPECT_EQ(e.deciding_rule(), "R1_COMPLAINTS");
  EXPECT_THAT(Explain(e), ElementsAre("R1 complaints/1 cmp-1 counted: counted",
                                      "R1 complaints/2 cmp-1 counted: counted",
                                      "R1 complaints/3 cmp-1 counted: counted"));
}

TEST(ThresholdTest, SameIncidentTieGoesToTheSmallestComplaintNumber) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::ThresholdEvaluation e = EvaluateThreshold(
      Application(policy, {Entry(10, "cmp-1", D(2026, 9, 1), D(2026, 9, 2), v1::POLICE, "INC-9"),
                           Entry(9, "cmp-1", D(2026, 9, 1), D(2026, 9, 2), v1::COUNCIL, "INC-9")}));
  EXPECT_THAT(Explain(e), ElementsAre("R1 complaints/9 cmp-1 counted: counted",
                                      "R1 complaints/10 cmp-1 excluded: same incident as "
                                      "partnerships/eastbrook/complaints/9"));
}

TEST(ThresholdTest, AgencyKindNotInThePolicyIsExcluded) {
  v1::ThresholdPolicy policy = Llr();
  policy.clear_relevant_agencies();
  policy.add_relevant_agencies(v1::COUNCIL);
  policy.add_relevant_agencies(v1::POLICE);
  const v1::ThresholdEvaluation e = EvaluateThreshold(Application(
      policy, {Entry(1, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::HEALTH, "INC-1"),
               Entry(2, "cmp-1", D(2026, 7, 1), D(2026, 7, 2), v1::HOUSING_PROVIDER, "INC-2"),
               // The same incident as complaint 1, but made to the police: it counts,
               // because complaint 1 does not qualify.
               Entry(3, "cmp-1", D(2026, 6, 1), D(2026, 6, 5), v1::POLICE, "INC-1")}));
  EXPECT_EQ(e.deciding_rule(), "NOT_MET");
  EXPECT_THAT(Explain(e),
              ElementsAre("R1 complaints/1 cmp-1 excluded: made to health, not a relevant "
                          "body in this policy",
                          "R1 complaints/3 cmp-1 counted: counted",
                          "R1 complaints/2 cmp-1 excluded: made to housing provider, not a "
                          "relevant body in this policy"));
}

TEST(ThresholdTest, SingleHateIncidentMeetsR2) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::ThresholdEvaluation e = EvaluateThreshold(Application(
      policy, {Hate(Entry(4, "cmp-1", D(2026, 10, 1), D(2026, 10, 2), v1::POLICE, "INC-4"))}));
  EXPECT_TRUE(e.met());
  EXPECT_EQ(e.deciding_rule(), "R2_HATE_INCIDENT");
  EXPECT_THAT(Explain(e),
              ElementsAre("R1 complaints/4 cmp-1 counted: counted",
                          "R2 complaints/4 cmp-1 counted: hate incident within the window"));
  EXPECT_TRUE(e.considered(1).hate_related());
  EXPECT_EQ(e.summary(),
            "1 qualifying complaint about 1 incident reported from 2026-05-20 to "
            "2026-11-20 (policy needs 3); hate incident "
            "partnerships/eastbrook/complaints/4 on 2026-10-01: threshold met (R2).");
}

TEST(ThresholdTest, R2LooksAtTheBehaviourDate) {
  const v1::ThresholdPolicy policy = Llr();
  // Behaviour on the first day of the window, reported 36 days later: not an
  // R1 complaint, but a hate incident within the window.
  const v1::ThresholdEvaluation late = EvaluateThreshold(Application(
      policy, {Hate(Entry(2, "cmp-1", D(2026, 5, 20), D(2026, 6, 25), v1::POLICE, "INC-2"))}));
  EXPECT_EQ(late.deciding_rule(), "R2_HATE_INCIDENT");
  EXPECT_THAT(Explain(late),
              ElementsAre("R1 complaints/2 cmp-1 excluded: reported 36 days after the "
                          "behaviour (more than 1 month)",
                          "R2 complaints/2 cmp-1 counted: hate incident within the window"));

  // Behaviour the day before the window, reported within it: R1 counts the
  // complaint, R2 does not.
  const v1::ThresholdEvaluation before = EvaluateThreshold(Application(
      policy, {Hate(Entry(1, "cmp-1", D(2026, 5, 19), D(2026, 5, 25), v1::POLICE, "INC-1"))}));
  EXPECT_EQ(before.deciding_rule(), "NOT_MET");
  EXPECT_THAT(Explain(before), ElementsAre("R1 complaints/1 cmp-1 counted: counted"));
}

TEST(ThresholdTest, HateRuleOffMeansNoR2) {
  v1::ThresholdPolicy policy = Llr();
  policy.set_hate_incident_rule(false);
  policy.mutable_community()->set_enabled(false);
  const v1::ThresholdEvaluation e = EvaluateThreshold(Application(
      policy, {Hate(Entry(4, "cmp-1", D(2026, 10, 1), D(2026, 10, 2), v1::POLICE, "INC-4"))}));
  EXPECT_EQ(e.deciding_rule(), "NOT_MET");
  EXPECT_EQ(e.summary(),
            "1 qualifying complaint about 1 incident reported from 2026-05-20 to "
            "2026-11-20 (policy needs 3): threshold not met.");
}

// Nuisance in the town centre: complaint 1 is the applicant's; complaints
// 2-5 are another resident's. Complaint 6 is a different problem, 7 is
// before the window and 8 repeats the incident of 2.
std::vector<v1::LedgerEntry> TownCentre(absl::string_view second_person) {
  return {
      Nuisance(Entry(1, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::COUNCIL, "INC-1")),
      Nuisance(Entry(2, second_person, D(2026, 6, 10), D(2026, 6, 11), v1::POLICE, "INC-2")),
      Nuisance(Entry(3, second_person, D(2026, 7, 10), D(2026, 7, 11), v1::POLICE, "INC-3")),
      Nuisance(Entry(4, second_person, D(2026, 8, 10), D(2026, 8, 11), v1::COUNCIL, "INC-4")),
      Nuisance(Entry(5, second_person, D(2026, 9, 10), D(2026, 9, 11), v1::COUNCIL, "")),
      Entry(6, "cmp-3", D(2026, 9, 12), D(2026, 9, 12), v1::COUNCIL, "INC-6"),
      Nuisance(Entry(7, "cmp-3", D(2026, 4, 10), D(2026, 4, 11), v1::COUNCIL, "INC-7")),
      Nuisance(Entry(8, "cmp-3", D(2026, 6, 10), D(2026, 6, 12), v1::COUNCIL, "INC-2")),
  };
}

TEST(ThresholdTest, CommunityRuleFiveComplaintsFromTwoPeople) {
  const v1::ThresholdPolicy policy = Llr();
  std::vector<v1::LedgerEntry> locality = TownCentre("cmp-2");
  ThresholdInput input = Application(policy, {locality[0]});
  input.category = v1::NUISANCE;
  input.locality_complaints = locality;
  const v1::ThresholdEvaluation e = EvaluateThreshold(input);
  EXPECT_TRUE(e.met());
  EXPECT_EQ(e.deciding_rule(), "COMMUNITY");
  EXPECT_THAT(Explain(e), ElementsAre("R1 complaints/1 cmp-1 counted: counted",
                                      "COMMUNITY complaints/2 cmp-2 counted: counted",
                                      "COMMUNITY complaints/3 cmp-2 counted: counted",
                                      "COMMUNITY complaints/4 cmp-2 counted: counted",
                                      "COMMUNITY complaints/5 cmp-2 counted: counted"));
  EXPECT_EQ(e.summary(),
            "1 qualifying complaint about 1 incident reported from 2026-05-20 to "
            "2026-11-20 (policy needs 3); no hate incident; community rule met (5 "
            "complaints about nuisance in town-centre from 2 people, policy needs 5 "
            "from 2): threshold met (COMMUNITY).");
}

TEST(ThresholdTest, CommunityRuleCountsOnlyTheOldestComplaintsThatMeetIt) {
  const v1::ThresholdPolicy policy = Llr();
  std::vector<v1::LedgerEntry> locality = TownCentre("cmp-2");
  // Later complaints from a third person: the rule is met before them.
  locality.push_back(
      Nuisance(Entry(9, "cmp-4", D(2026, 10, 1), D(2026, 10, 1), v1::POLICE, "INC-9")));
  locality.push_back(
      Nuisance(Entry(10, "cmp-4", D(2026, 10, 2), D(2026, 10, 2), v1::POLICE, "INC-10")));
  ThresholdInput input = Application(policy, {locality[0]});
  input.category = v1::NUISANCE;
  input.locality_complaints = locality;
  const v1::ThresholdEvaluation e = EvaluateThreshold(input);
  EXPECT_EQ(e.deciding_rule(), "COMMUNITY");
  EXPECT_THAT(Explain(e), ElementsAre("R1 complaints/1 cmp-1 counted: counted",
                                      "COMMUNITY complaints/2 cmp-2 counted: counted",
                                      "COMMUNITY complaints/3 cmp-2 counted: counted",
                                      "COMMUNITY complaints/4 cmp-2 counted: counted",
                                      "COMMUNITY complaints/5 cmp-2 counted: counted"));
  EXPECT_THAT(e.summary(), HasSubstr("community rule met (5 complaints about nuisance in "
                                     "town-centre from 2 people, policy needs 5 from 2)"));
  // Once met, more of the window changes nothing; before, it might.
  EXPECT_FALSE(CommunityNeedsMore(input, e));
  input.locality_complaints.resize(4);
  const v1::ThresholdEvaluation partial = EvaluateThreshold(input);
  EXPECT_EQ(partial.deciding_rule(), "NOT_MET");
  EXPECT_TRUE(CommunityNeedsMore(input, partial));
}

TEST(ThresholdTest, CommunityRuleFiveComplaintsFromOnePersonIsNotEnough) {
  const v1::ThresholdPolicy policy = Llr();
  std::vector<v1::LedgerEntry> locality = TownCentre("cmp-2");
  // The applicant's own complaint is about a personal problem, so the five
  // nuisance incidents counted (2, 3, 4, 5 and 9) all come from cmp-2.
  locality[0].set_category(v1::PERSONAL);
  locality.push_back(
      Nuisance(Entry(9, "cmp-2", D(2026, 10, 1), D(2026, 10, 1), v1::POLICE, "INC-9")));
  ThresholdInput input = Application(policy, {locality[0]});
  input.category = v1::NUISANCE;
  input.locality_complaints = locality;
  const v1::ThresholdEvaluation e = EvaluateThreshold(input);
  EXPECT_FALSE(e.met());
  EXPECT_EQ(e.deciding_rule(), "NOT_MET");
  EXPECT_THAT(Explain(e), ElementsAre("R1 complaints/1 cmp-1 counted: counted"));
  EXPECT_EQ(e.summary(),
            "1 qualifying complaint about 1 incident reported from 2026-05-20 to "
            "2026-11-20 (policy needs 3); no hate incident; community rule not met: "
            "threshold not met.");
}

TEST(ThresholdTest, CommunityRuleNeedsTheApplicationCategory) {
  const v1::ThresholdPolicy policy = Llr();
  std::vector<v1::LedgerEntry> locality = TownCentre("cmp-2");
  ThresholdInput input = Application(policy, {locality[0]});
  input.category = v1::COMPLAINT_CATEGORY_UNSPECIFIED;
  input.locality_complaints = locality;
  EXPECT_EQ(EvaluateThreshold(input).deciding_rule(), "NOT_MET");
  input.category = v1::ENVIRONMENTAL;
  EXPECT_EQ(EvaluateThreshold(input).deciding_rule(), "NOT_MET");
}

v1::ThresholdPolicy SameIncidentPolicy() {
  v1::ThresholdPolicy policy = Llr();
  policy.mutable_community()->set_enabled(false);
  policy.mutable_same_incident()->set_enabled(true);
  policy.mutable_same_incident()->set_min_complainants(3);
  return policy;
}

TEST(ThresholdTest, SameIncidentRuleThreePeopleAboutOneIncident) {
  const v1::ThresholdPolicy policy = SameIncidentPolicy();
  const v1::LedgerEntry mine = Entry(1, "cmp-1", D(2026, 9, 1), D(2026, 9, 1), v1::POLICE, "INC-7");
  ThresholdInput input = Application(policy, {mine});
  input.incident_complaints["INC-7"] = {
      mine,
      Entry(4, "cmp-2", D(2026, 9, 1), D(2026, 9, 5), v1::COUNCIL, "INC-7"),
      Entry(2, "cmp-2", D(2026, 9, 1), D(2026, 9, 2), v1::POLICE, "INC-7"),
      Entry(3, "cmp-3", D(2026, 9, 1), D(2026, 9, 3), v1::HOUSING_PROVIDER, "INC-7"),
  };
  const v1::ThresholdEvaluation e = EvaluateThreshold(input);
  EXPECT_TRUE(e.met());
  EXPECT_EQ(e.deciding_rule(), "SAME_INCIDENT");
  EXPECT_THAT(Explain(e), ElementsAre("R1 complaints/1 cmp-1 counted: counted",
                                      "SAME_INCIDENT complaints/2 cmp-2 counted: counted",
                                      "SAME_INCIDENT complaints/3 cmp-3 counted: counted"));
  EXPECT_EQ(e.summary(),
            "1 qualifying complaint about 1 incident reported from 2026-05-20 to "
            "2026-11-20 (policy needs 3); no hate incident; 3 people complained about "
            "incident INC-7 (policy needs 3): threshold met (SAME_INCIDENT).");
}

TEST(ThresholdTest, SameIncidentRuleCountsOnlyTheWindow) {
  const v1::ThresholdPolicy policy = SameIncidentPolicy();
  const v1::LedgerEntry mine = Entry(1, "cmp-1", D(2026, 9, 1), D(2026, 9, 1), v1::POLICE, "INC-7");
  ThresholdInput input = Application(policy, {mine});
  input.incident_complaints["INC-7"] = {
      mine,
      Entry(2, "cmp-2", D(2026, 9, 1), D(2026, 9, 2), v1::POLICE, "INC-7"),
      // After the application: not counted.
      Entry(3, "cmp-3", D(2026, 9, 1), D(2026, 11, 21), v1::COUNCIL, "INC-7"),
  };
  const v1::ThresholdEvaluation e = EvaluateThreshold(input);
  EXPECT_FALSE(e.met());
  EXPECT_EQ(e.deciding_rule(), "NOT_MET");
  EXPECT_THAT(Explain(e), ElementsAre("R1 complaints/1 cmp-1 counted: counted"));
  EXPECT_EQ(e.summary(),
            "1 qualifying complaint about 1 incident reported from 2026-05-20 to "
            "2026-11-20 (policy needs 3); no hate incident; same-incident rule not "
            "met: threshold not met.");
}

TEST(ThresholdTest, R1IsTriedFirst) {
  // Three qualifying complaints, one of them a hate incident: R1 decides and
  // no R2 line is added.
  const v1::ThresholdPolicy policy = Llr();
  const v1::ThresholdEvaluation e = EvaluateThreshold(Application(
      policy, {Entry(1, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::POLICE, "INC-1"),
               Hate(Entry(2, "cmp-1", D(2026, 7, 1), D(2026, 7, 2), v1::POLICE, "INC-2")),
               Entry(3, "cmp-1", D(2026, 8, 1), D(2026, 8, 2), v1::POLICE, "INC-3")}));
  EXPECT_EQ(e.deciding_rule(), "R1_COMPLAINTS");
  EXPECT_EQ(e.considered_size(), 3);
}

TEST(ThresholdTest, NullPolicyIsNotMet) {
  ThresholdInput input;
  input.application_date = D(2026, 11, 20);
  const v1::ThresholdEvaluation e = EvaluateThreshold(input);
  EXPECT_FALSE(e.met());
  EXPECT_EQ(e.deciding_rule(), "NOT_MET");
  EXPECT_EQ(e.summary(), "No threshold policy to evaluate: threshold not met.");
}

}  // namespace
}  // namespace casework::workflow::case_review
