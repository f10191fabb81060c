// The panels' pure decisions (tests/support/world.h): eligibility on the
// referral date, the decision table, the review cadence, quorum, the
// incremental approach and the meeting rules.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_support.h"
#include "tests/workflow/case_review/case_review_world.h"
#include "tests/workflow/panels/panels_world.h"
#include "workflow/panels/commands.h"
#include "workflow/panels/figures.h"
#include "workflow/panels/rules.h"
#include "workflow/registry.h"

namespace casework::workflow::panels {
namespace {

using ::casework::testing::At;
using ::casework::testing::Date;
using ::casework::testing::DetailOf;
using ::casework::testing::Outcome;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kCase[] = "partnerships/eastbrook/panelCases/1";

class PanelDecideTest : public ::testing::Test {
 protected:
  // Monday 2 November 2026.
  PanelDecideTest() : world_(At(2026, 11, 2), Workflows()) {}
  void SetUp() override { testing::PublishDefault(world_); }

  Outcome Refer(const v1::ReferCaseRequest& r) { return world_.When(kReferCase, r); }

  // Refers an adult to the AARG and assesses them at the given levels.
  Outcome ReferAndAssess(v1::AssessRiskRequest assessment) {
    Outcome referred = Refer(testing::PersonReferral("aarg", Date(1990, 1, 1), Date(2026, 11, 2)));
    EXPECT_TRUE(referred.status.ok()) << referred.status;
    assessment.set_name(kCase);
    return world_.When(kAssessRisk, assessment);
  }

  const v1::PanelCase& Case() { return world_.StateAs<v1::PanelCase>(kCase); }

  // The reason of an ErrorInfo detail, or "".
  static std::string Reason(const absl::Status& status) {
    std::optional<v1::ErrorInfo> info = DetailOf<v1::ErrorInfo>(status);
    return info ? info->reason() : "";
  }

  // A review of the case at `meeting`.
  Outcome Review(const std::string& meeting, const std::string& request_id = "review") {
    v1::ReviewCaseRequest r;
    r.set_name(kCase);
    r.set_request_id(request_id);
    r.set_meeting(meeting);
    r.set_summary("Reviewed: support plan in place");
    return world_.When(kReviewCase, r);
  }

  testing::World world_;
};

// --- Eligibility on the referral date ---

TEST_F(PanelDecideTest, TheYouthPanelTakesElevenToEighteenOnTheReferralDate) {
  struct Example {
    v1::CivilDate born;
    v1::CivilDate referred;
    bool eligible;
    std::string age;
  } const examples[] = {
      {Date(2015, 11, 3), Date(2026, 11, 2), false, "10"},  // eleventh birthday tomorrow
      {Date(2015, 11, 2), Date(2026, 11, 2), true, "11"},   // birthday on the referral date
      {Date(2007, 11, 3), Date(2026, 11, 2), true, "18"},   // last day before 19
      {Date(2007, 11, 2), Date(2026, 11, 2), false, "19"},  // nineteenth birthday
      // Born on 29 February: a year older on 1 March in a common year.
      {Date(2008, 2, 29), Date(2019, 2, 28), false, "10"},
      {Date(2008, 2, 29), Date(2019, 3, 1), true, "11"},
      {Date(2008, 2, 29), Date(2020, 2, 29), true, "12"},
  };
  for (const Example& e : examples) {
    testing::World world(At(2026, 11, 2), Workflows());
    testing::PublishDefault(world);
    Outcome out = world.When(kReferCase, testing::PersonReferral("yjag", e.born, e.referred));
    const std::string label = absl::StrCat(FormatDate(e.born), " on ", FormatDate(e.referred));
    if (e.eligible) {
      ASSERT_TRUE(out.status.ok()) << label << ": " << out.status;
      EXPECT_EQ(world.StateAs<v1::PanelCase>(kCase).age_at_referral(), std::stoi(e.age)) << label;
    } else {
      EXPECT_EQ(out.status.code(), absl::StatusCode::kFailedPrecondition) << label;
      EXPECT_EQ(Reason(out.status), "NOT_ELIGIBLE") << label;
      EXPECT_EQ(out.status.message(),
                absl::StrCat("panel yjag takes people aged 11 to 18 on the referral date; the "
                             "subject is ",
                             e.age, " on ", FormatDate(e.referred)))
          << label;
      EXPECT_THAT(out.events, ElementsAre()) << label;
    }
  }
}

TEST_F(PanelDecideTest, TheAdultsPanelRefusesASeventeenYearOldAndAPlace) {
  Outcome minor = Refer(testing::PersonReferral("aarg", Date(2009, 6, 1), Date(2026, 11, 2)));
  EXPECT_EQ(minor.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(minor.status.message(),
            "panel aarg takes people aged 18 and over on the referral date; the subject is 17 on "
            "2026-11-02");
  Outcome place = Refer(testing::LocationReferral("aarg"));
  EXPECT_EQ(place.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(place.status), "NOT_ELIGIBLE");
  EXPECT_EQ(place.status.message(), "panel aarg takes people, not locations");
  // The delivery group takes the place.
  EXPECT_TRUE(Refer(testing::LocationReferral("central-dg")).status.ok());
}

TEST_F(PanelDecideTest, AReferralNamesAPanelOfThePolicyAndALawfulBasis) {
  v1::ReferCaseRequest unknown = testing::LocationReferral("no-such-panel");
  Outcome out = Refer(unknown);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(),
              HasSubstr("panel: \"no-such-panel\" is not a panel of policy version 1 (panels: "
                        "jag, aarg, yjag, central-dg, east-dg)"));
  v1::ReferCaseRequest consent = testing::LocationReferral("jag");
  consent.set_lawful_basis(v1::CONSENT);
  out = Refer(consent);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(), HasSubstr("consent_recorded: must be true"));
  v1::ReferCaseRequest place_with_birthday = testing::LocationReferral("jag");
  *place_with_birthday.mutable_subject()->mutable_date_of_birth() = Date(2000, 1, 1);
  out = Refer(place_with_birthday);
  EXPECT_THAT(out.status.message(), HasSubstr("subject.date_of_birth: only a person"));
}

// --- The decision table ---

TEST_F(PanelDecideTest, TheDecisionTablePlacesEachAssessmentAndNamesTheRule) {
  struct Example {
    v1::RiskLevel reoffending, others, self;
    int factors;
    std::string state, rule;
  } const examples[] = {
      {v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0, "MAIN_AGENDA", "P1"},
      {v1::RISK_LOW, v1::RISK_LOW, v1::RISK_VERY_HIGH, 0, "MAIN_AGENDA", "P1"},
      {v1::RISK_HIGH, v1::RISK_LOW, v1::RISK_LOW, 1, "MAIN_AGENDA", "P2"},
      {v1::RISK_LOW, v1::RISK_HIGH, v1::RISK_LOW, 0, "MONITORING", "P3"},
      {v1::RISK_MEDIUM, v1::RISK_MEDIUM, v1::RISK_LOW, 2, "MONITORING", "P4"},
      {v1::RISK_MEDIUM, v1::RISK_LOW, v1::RISK_LOW, 2, "DECLINED", "P5"},
      {v1::RISK_MEDIUM, v1::RISK_MEDIUM, v1::RISK_MEDIUM, 1, "DECLINED", "P5"},
  };
  for (const Example& e : examples) {
    testing::World world(At(2026, 11, 2), Workflows());
    testing::PublishDefault(world);
    Outcome referred = world.When(
        kReferCase, testing::PersonReferral("aarg", Date(1990, 1, 1), Date(2026, 11, 2)));
    ASSERT_TRUE(referred.status.ok()) << referred.status;
    v1::AssessRiskRequest r = testing::Assessment(e.reoffending, e.others, e.self, e.factors);
    r.set_name(kCase);
    Outcome out = world.When(kAssessRisk, r);
    const std::string label = absl::StrCat(e.reoffending, "/", e.others, "/", e.self, " +", e.factors);
    ASSERT_TRUE(out.status.ok()) << label << ": " << out.status;
    const v1::PanelCase& c = world.StateAs<v1::PanelCase>(kCase);
    EXPECT_EQ(v1::PanelCase::State_Name(c.state()), e.state) << label;
    EXPECT_EQ(c.latest_assessment().rule(), e.rule) << label;
    ASSERT_EQ(out.events.size(), 2u) << label;
    EXPECT_THAT(out.events[0], HasSubstr(absl::StrCat("rule: \"", e.rule, "\""))) << label;
  }
}

TEST_F(PanelDecideTest, ADeclinedReferralIsSignpostedAndAPlacedCaseIsReviewedInSixWeeks) {
  Outcome declined = ReferAndAssess(testing::Assessment(v1::RISK_LOW, v1::RISK_LOW, v1::RISK_LOW, 0));
  ASSERT_TRUE(declined.status.ok());
  EXPECT_EQ(declined.events[1],
            "PanelCasePlaced{state: DECLINED on { year: 2026 month: 11 day: 2 } reason: "
            "\"single-agency support through the referring agency\"}");

  testing::World world(At(2026, 11, 2), Workflows());
  testing::PublishDefault(world);
  Outcome referred = world.When(
      kReferCase, testing::PersonReferral("aarg", Date(1990, 1, 1), Date(2026, 11, 2)));
  ASSERT_TRUE(referred.status.ok()) << referred.status;
  v1::AssessRiskRequest r = testing::Assessment(v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0);
  r.set_name(kCase);
  Outcome placed = world.When(kAssessRisk, r);
  ASSERT_TRUE(placed.status.ok());
  // 42 days after Monday 2 November 2026 is Monday 14 December.
  EXPECT_EQ(placed.events[1],
            "PanelCasePlaced{state: MAIN_AGENDA on { year: 2026 month: 11 day: 2 } "
            "next_review_due { year: 2026 month: 12 day: 14 }}");
}

TEST_F(PanelDecideTest, AReassessmentIsKeptAndAdvisesButDoesNotMoveTheCase) {
  ASSERT_TRUE(ReferAndAssess(testing::Assessment(v1::RISK_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0)).status.ok());
  ASSERT_EQ(Case().state(), v1::PanelCase::MONITORING);
  v1::AssessRiskRequest again = testing::Assessment(v1::RISK_VERY_HIGH, v1::RISK_HIGH, v1::RISK_LOW, 3);
  again.set_name(kCase);
  again.set_request_id("assess-2");
  Outcome out = world_.When(kAssessRisk, again);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.events.size(), 1u);
  EXPECT_EQ(Case().state(), v1::PanelCase::MONITORING);
  EXPECT_EQ(Case().latest_assessment().placement(), v1::PLACEMENT_MAIN_AGENDA);
  EXPECT_EQ(Case().assessment_count(), 2);
  // Both are rows: the risk trend.
  int rows = 0;
  for (const auto& [key, value] : world_.rows()) {
    if (absl::StartsWith(key, AssessmentsPrefix("eastbrook", 1))) ++rows;
  }
  EXPECT_EQ(rows, 2);
}

TEST_F(PanelDecideTest, AYouthAssessmentNamesTheContextualSafeguardingDomains) {
  ASSERT_TRUE(Refer(testing::PersonReferral("yjag", Date(2011, 5, 5), Date(2026, 11, 2))).status.ok());
  v1::AssessRiskRequest r = testing::Assessment(v1::RISK_HIGH, v1::RISK_HIGH, v1::RISK_LOW, 1);
  r.set_name(kCase);
  r.set_no_domain_concerns(false);
  Outcome out = world_.When(kAssessRisk, r);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(), HasSubstr("domains: panel yjag considers the "
                                              "contextual-safeguarding domains"));
  r.add_domains(v1::PEER_NETWORK);
  r.add_domains(v1::ONLINE);
  EXPECT_TRUE(world_.When(kAssessRisk, r).status.ok());
  EXPECT_EQ(Case().latest_assessment().domains_size(), 2);
}

// --- Meetings: quorum and the cadence ---

TEST_F(PanelDecideTest, ADecisionWithoutQuorumIsRefusedNamingWhatIsMissing) {
  ASSERT_TRUE(ReferAndAssess(testing::Assessment(v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0)).status.ok());
  const std::string meeting = testing::HoldMeeting(world_, "aarg", Date(2026, 11, 2), false);
  v1::RecordAttendanceRequest two;
  two.set_name(meeting);
  two.set_request_id("two");
  *two.add_attendees() = testing::QuorateAttendance().attendees(0);
  *two.add_attendees() = testing::QuorateAttendance().attendees(2);
  two.mutable_attendees(1)->set_chair(false);
  ASSERT_TRUE(world_.When(kRecordAttendance, two).status.ok());
  const int64_t version = world_.Version(kCase);
  Outcome out = Review(meeting);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(out.status), "QUORUM_NOT_MET");
  EXPECT_EQ(out.status.message(),
            "partnerships/eastbrook/panelMeetings/1 is not quorate: 2 of the 3 responsible "
            "authorities required are present (eastbrook-council, eastbrook-health); no chair is "
            "recorded as present");
  EXPECT_EQ(world_.Version(kCase), version);

  v1::RecordAttendanceRequest all = testing::QuorateAttendance();
  all.set_name(meeting);
  ASSERT_TRUE(world_.When(kRecordAttendance, all).status.ok());
  out = Review(meeting, "review-2");
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(Case().review_count(), 1);
  EXPECT_EQ(FormatDate(Case().last_review_date()), "2026-11-02");
}

TEST_F(PanelDecideTest, ANextReviewOnAHolidayMovesToTheNextWorkingDay) {
  ASSERT_TRUE(ReferAndAssess(testing::Assessment(v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0)).status.ok());
  world_.SetNow(At(2026, 11, 13));
  const std::string meeting = testing::HoldMeeting(world_, "aarg", Date(2026, 11, 13));
  ASSERT_TRUE(Review(meeting).status.ok());
  // Friday 13 November + 42 days is Christmas Day; 26 December is a
  // Saturday, so Boxing Day is observed on Monday 28: Tuesday 29 December.
  EXPECT_EQ(FormatDate(Case().next_review_due()), "2026-12-29");
}

TEST_F(PanelDecideTest, ADecisionNeedsAHeldOpenMeetingOfTheCasesPanel) {
  ASSERT_TRUE(ReferAndAssess(testing::Assessment(v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0)).status.ok());
  const std::string other = testing::HoldMeeting(world_, "yjag", Date(2026, 11, 2));
  Outcome out = Review(other);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(), HasSubstr("meeting: partnerships/eastbrook/panelMeetings/1 is "
                                              "a meeting of yjag, not of aarg where the case is"));
  const std::string later = testing::HoldMeeting(world_, "aarg", Date(2026, 11, 20));
  out = Review(later);
  EXPECT_THAT(out.status.message(), HasSubstr("is on 2026-11-20: decisions are recorded once it has met"));
  const std::string held = testing::HoldMeeting(world_, "aarg", Date(2026, 11, 2));
  v1::CloseMeetingRequest close;
  close.set_name(held);
  close.set_request_id("close");
  ASSERT_TRUE(world_.When(kCloseMeeting, close).status.ok());
  out = Review(held);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(out.status), "MEETING_CLOSED");
  out = Review("partnerships/westmoor/panelMeetings/1");
  EXPECT_THAT(out.status.message(), HasSubstr("meeting: must be a meeting of partnership eastbrook"));
}

TEST_F(PanelDecideTest, MovingAndClosingAreDecisionsOfAMeeting) {
  ASSERT_TRUE(ReferAndAssess(testing::Assessment(v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0)).status.ok());
  world_.SetNow(At(2026, 12, 14));
  const std::string meeting = testing::HoldMeeting(world_, "aarg", Date(2026, 12, 14));
  v1::MoveCaseRequest move;
  move.set_name(kCase);
  move.set_request_id("move");
  move.set_meeting(meeting);
  move.set_to(v1::PanelCase::MONITORING);
  move.set_reason("Engaging with support");
  ASSERT_TRUE(world_.When(kMoveCase, move).status.ok());
  EXPECT_EQ(Case().state(), v1::PanelCase::MONITORING);
  EXPECT_EQ(Case().main_agenda_days(), 42);
  EXPECT_EQ(FormatDate(Case().next_review_due()), "2027-01-25");

  v1::CloseCaseRequest close;
  close.set_name(kCase);
  close.set_request_id("close");
  close.set_meeting(meeting);
  close.set_reason("cured");
  Outcome out = world_.When(kCloseCase, close);
  EXPECT_THAT(out.status.message(),
              HasSubstr("reason: \"cured\" is not a closure reason of panel aarg (risk reduced; "
                        "moved out of the area; managed by a single agency; escalated; deceased)"));
  close.set_reason("risk reduced");
  ASSERT_TRUE(world_.When(kCloseCase, close).status.ok());
  EXPECT_EQ(Case().state(), v1::PanelCase::CLOSED);
  // The meeting's decisions, in order.
  std::vector<std::string> decisions;
  for (const auto& [key, value] : world_.rows()) {
    if (!absl::StartsWith(key, DecisionsPrefix("eastbrook", 1))) continue;
    v1::PanelDecision d;
    ASSERT_TRUE(d.ParseFromString(value));
    decisions.push_back(absl::StrCat(d.decision(), ": ", d.text()));
  }
  EXPECT_THAT(decisions, ElementsAre("move to MONITORING: Engaging with support", "close: risk reduced"));
}

// --- The incremental approach ---

TEST_F(PanelDecideTest, SkippingAStageNeedsAJustification) {
  ASSERT_TRUE(ReferAndAssess(testing::Assessment(v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0)).status.ok());
  int requests = 0;
  auto stage = [&](const std::string& name, const std::string& justification) {
    v1::RecordStageRequest r;
    r.set_name(kCase);
    r.set_request_id(absl::StrCat("stage-", ++requests));
    r.set_stage(name);
    *r.mutable_date() = Date(2026, 11, 2);
    r.set_justification(justification);
    return world_.When(kRecordStage, r);
  };
  Outcome first = stage("warning letter", "");
  ASSERT_TRUE(first.status.ok()) << first.status;
  Outcome skip = stage("community protection warning", "");
  EXPECT_EQ(skip.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(skip.status.message(),
              HasSubstr("justification: \"community protection warning\" skips warning and "
                        "visit, acceptable behaviour contract: record why the earlier stages were "
                        "not used"));
  Outcome justified = stage("community protection warning", "Refused to sign the contract");
  ASSERT_TRUE(justified.status.ok()) << justified.status;
  EXPECT_THAT(Case().stages(1).skipped(),
              ElementsAre("warning and visit", "acceptable behaviour contract"));
  EXPECT_EQ(Case().stages(1).position(), 4);
  EXPECT_THAT(stage("warning letter", "again").status.message(),
              HasSubstr("stage: \"warning letter\" was recorded on 2026-11-02"));
  EXPECT_THAT(stage("final warning", "").status.message(),
              HasSubstr("stage: \"final warning\" is not a stage of the policy"));
}

TEST_F(PanelDecideTest, TheIncrementalApproachIsForPeople) {
  ASSERT_TRUE(Refer(testing::LocationReferral("central-dg")).status.ok());
  v1::AssessRiskRequest r = testing::Assessment(v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0);
  r.set_name(kCase);
  ASSERT_TRUE(world_.When(kAssessRisk, r).status.ok());
  v1::RecordStageRequest stage;
  stage.set_name(kCase);
  stage.set_request_id("stage");
  stage.set_stage("warning letter");
  *stage.mutable_date() = Date(2026, 11, 2);
  Outcome out = world_.When(kRecordStage, stage);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(out.status), "PERSON_SUBJECT_ONLY");
}

TEST(PanelFiguresTest, ThePeriodCountsReferralsEndingsAndMainAgendaDays) {
  const v1::Policy policy = LlrDefaultPolicy("eastbrook");
  FiguresBuilder figures(policy, absl::CivilDay(2027, 1, 1), absl::CivilDay(2027, 3, 31));
  auto add = [&](v1::PanelCase::State state, v1::CivilDate referred, v1::CivilDate ended, int days,
                 const std::string& from) {
    v1::PanelCase c;
    c.set_panel("aarg");
    c.set_state(state);
    *c.mutable_referral_date() = referred;
    if (ended.year() != 0) *c.mutable_ended_on() = ended;
    c.set_main_agenda_days(days);
    c.set_escalated_from(from);
    figures.Add(c);
  };
  add(v1::PanelCase::MAIN_AGENDA, Date(2027, 1, 5), {}, 0, "");
  add(v1::PanelCase::REFERRED, Date(2027, 3, 31), {}, 0, "partnerships/eastbrook/panelCases/9");
  add(v1::PanelCase::CLOSED, Date(2026, 10, 1), Date(2027, 2, 1), 84, "");
  add(v1::PanelCase::ESCALATED, Date(2026, 12, 1), Date(2027, 1, 1), 31, "");
  add(v1::PanelCase::CLOSED, Date(2026, 6, 1), Date(2026, 12, 31), 200, "");  // before the period
  add(v1::PanelCase::DECLINED, Date(2027, 4, 1), Date(2027, 4, 1), 0, "");    // after it
  v1::PanelFigures out = std::move(figures).Finish();
  ASSERT_EQ(out.panels(1).panel(), "aarg");
  const v1::PanelPeriodFigures& f = out.panels(1);
  EXPECT_EQ(f.new_referrals(), 2);
  EXPECT_EQ(f.escalations_in(), 1);
  EXPECT_EQ(f.closed(), 1);
  EXPECT_EQ(f.escalated(), 1);
  EXPECT_EQ(f.declined(), 0);
  EXPECT_DOUBLE_EQ(f.average_main_agenda_days(), 57.5);
}

TEST(PanelRulesTest, AgeCountsWholeYearsAndLeapDayBirthdays) {
  EXPECT_EQ(AgeOn(absl::CivilDay(2008, 2, 29), absl::CivilDay(2009, 2, 28)), 0);
  EXPECT_EQ(AgeOn(absl::CivilDay(2008, 2, 29), absl::CivilDay(2009, 3, 1)), 1);
  EXPECT_EQ(AgeOn(absl::CivilDay(2008, 2, 29), absl::CivilDay(2012, 2, 29)), 4);
  EXPECT_EQ(AgeOn(absl::CivilDay(2010, 6, 15), absl::CivilDay(2010, 6, 14)), 0);
}

}  // namespace
}  // namespace casework::workflow::panels
