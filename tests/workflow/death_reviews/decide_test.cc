// The death review's pure decisions (tests/support/world.h): the criteria
// at commissioning, the one-month decision deadline, the chair's
// independence, agency reports, the quality-assurance loop, holds, the
// action plan and who may act on a review.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_support.h"
#include "tests/workflow/case_review/case_review_world.h"
#include "tests/workflow/death_reviews/death_reviews_world.h"
#include "workflow/actions/commands.h"
#include "workflow/death_reviews/commands.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/figures.h"
#include "workflow/registry.h"

namespace casework::workflow::death_reviews {
namespace {

using ::casework::testing::At;
using ::casework::testing::Date;
using ::casework::testing::DetailOf;
using ::casework::testing::On;
using ::casework::testing::Outcome;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kReview[] = "partnerships/eastbrook/deathReviews/1";

// The short type names of rendered events ("DeadlineSet{...}" -> "DeadlineSet").
std::vector<std::string> Types(const std::vector<std::string>& events) {
  std::vector<std::string> types;
  for (const std::string& e : events) types.push_back(e.substr(0, e.find('{')));
  return types;
}

std::string Reason(const absl::Status& status) {
  std::optional<v1::ErrorInfo> info = testing::DetailOf<v1::ErrorInfo>(status);
  return info ? info->reason() : "";
}

class DeathReviewDecideTest : public ::testing::Test {
 protected:
  // Monday 2 November 2026.
  DeathReviewDecideTest() : world_(At(2026, 11, 2), Workflows()) {}
  void SetUp() override {
    testing::PublishDefault(world_);
    testing::ActAsCoordinator(world_);
  }

  template <typename Request>
  Outcome Do(CommandName<Request> command, const Request& request) {
    return world_.When(command, On(kReview, request));
  }
  template <typename Request>
  void Ok(CommandName<Request> command, const Request& request) {
    Outcome out = Do(command, request);
    ASSERT_TRUE(out.status.ok()) << command.name << ": " << out.status;
  }

  const v1::DeathReview& Review() { return world_.StateAs<v1::DeathReview>(kReview); }
  const v1::Deadline* Deadline(absl::string_view name) {
    for (const v1::Deadline& d : Review().deadlines()) {
      if (d.name() == name) return &d;
    }
    return nullptr;
  }

  // Notified 1 October 2026, commissioned 5 October, chair appointed and
  // terms agreed: in AGENCY_REPORTS.
  void Commission() {
    ASSERT_TRUE(world_.When(kNotifyDeath, testing::Notification(Date(2026, 10, 1))).status.ok());
    Ok(kRecordDecision, testing::Decision(true, Date(2026, 10, 5)));
    Ok(kAppointChair, testing::Chair(Date(2026, 10, 6)));
    Ok(kAgreeTermsOfReference, testing::Terms(Date(2026, 10, 7)));
  }

  testing::World world_;
};

TEST_F(DeathReviewDecideTest, VictimAgedFifteenCannotBeCommissionedAndTheRuleIsNamed) {
  Outcome notified = world_.When(kNotifyDeath, testing::Notification(Date(2026, 10, 1), 15));
  ASSERT_TRUE(notified.status.ok()) << notified.status;
  EXPECT_EQ(Review().criteria().outcome(), v1::CriteriaResult::OUTSIDE_CRITERIA);
  Outcome commission = Do(kRecordDecision, testing::Decision(true, Date(2026, 10, 5)));
  EXPECT_EQ(commission.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(commission.status), "OUTSIDE_CRITERIA");
  EXPECT_THAT(commission.status.message(), HasSubstr("age: "));
  EXPECT_THAT(commission.status.message(), HasSubstr("15"));
  EXPECT_TRUE(commission.events.empty());
  // The decision not to review is recorded (and the Home Office told).
  Outcome declined = Do(kRecordDecision, testing::Decision(false, Date(2026, 10, 5)));
  ASSERT_TRUE(declined.status.ok()) << declined.status;
  EXPECT_EQ(Review().state(), v1::DeathReview::NOT_COMMISSIONED);
  EXPECT_THAT(Types(declined.events), ElementsAre("ReviewDecided", "DeadlineMet"));
}

TEST_F(DeathReviewDecideTest, SixteenOnTheDayOfDeathMeetsTheCriteria) {
  ASSERT_TRUE(world_.When(kNotifyDeath, testing::Notification(Date(2026, 10, 1), 16)).status.ok());
  EXPECT_EQ(Review().criteria().outcome(), v1::CriteriaResult::MEETS_CRITERIA);
  Ok(kRecordDecision, testing::Decision(true, Date(2026, 10, 5)));
  EXPECT_EQ(Review().state(), v1::DeathReview::COMMISSIONED);
}

TEST_F(DeathReviewDecideTest, SuicideAfterCoerciveControlIsJudgedUnder2011AndInScopeUnder2024) {
  const v1::NotifyDeathRequest suicide =
      testing::Notification(Date(2026, 10, 1), 29, v1::FORMER_INTIMATE_PARTNER, true);
  ASSERT_TRUE(world_.When(kNotifyDeath, suicide).status.ok());
  EXPECT_EQ(Review().criteria().regime(), v1::SECTION_9_2011);
  EXPECT_EQ(Review().criteria().outcome(), v1::CriteriaResult::PARTNERSHIP_JUDGEMENT);
  // Not refused: the partnership may commission it (the 2016 guidance).
  Ok(kRecordDecision, testing::Decision(true, Date(2026, 10, 5)));

  v1::Policy policy = LlrDefaultPolicy("eastbrook");
  policy.mutable_death_reviews()->set_regime(v1::DOMESTIC_ABUSE_2024);
  testing::Publish(world_, policy);
  ASSERT_TRUE(world_.When(kNotifyDeath, suicide).status.ok());
  const auto& second = world_.StateAs<v1::DeathReview>("partnerships/eastbrook/deathReviews/2");
  EXPECT_EQ(second.criteria().regime(), v1::DOMESTIC_ABUSE_2024);
  EXPECT_EQ(second.criteria().outcome(), v1::CriteriaResult::MEETS_CRITERIA);
}

TEST_F(DeathReviewDecideTest, DecisionIsDueAMonthAfterNotificationAndIsMissedOnce) {
  world_.SetNow(At(2027, 2, 1));
  ASSERT_TRUE(world_.When(kNotifyDeath, testing::Notification(Date(2027, 1, 31))).status.ok());
  ASSERT_NE(Deadline(kDecisionDeadline), nullptr);
  EXPECT_EQ(FormatDate(Deadline(kDecisionDeadline)->due()), "2027-02-28");
  world_.SetNow(At(2027, 3, 1));
  Outcome fired = world_.FireTimer(kReview, std::string(kDecisionDeadline));
  ASSERT_TRUE(fired.status.ok()) << fired.status;
  EXPECT_THAT(fired.events, ElementsAre(HasSubstr("DeadlineMissed{name: \"decision\"")));
  Outcome again = world_.FireTimer(kReview, std::string(kDecisionDeadline));
  EXPECT_TRUE(again.events.empty());
  // A late decision meets it late.
  Ok(kRecordDecision, testing::Decision(true, Date(2027, 3, 1)));
  EXPECT_EQ(Deadline(kDecisionDeadline)->state(), v1::Deadline::MET_LATE);
}

TEST_F(DeathReviewDecideTest, DecisionDeadlineInALeapYearIsTheTwentyNinth) {
  world_.SetNow(At(2028, 2, 1));
  ASSERT_TRUE(world_.When(kNotifyDeath, testing::Notification(Date(2028, 1, 31))).status.ok());
  EXPECT_EQ(FormatDate(Deadline(kDecisionDeadline)->due()), "2028-02-29");
}

TEST_F(DeathReviewDecideTest, CommissioningStartsTheSixMonthSubmissionClock) {
  Commission();
  ASSERT_NE(Deadline(kSubmissionDeadline), nullptr);
  EXPECT_EQ(FormatDate(Deadline(kSubmissionDeadline)->due()), "2027-04-05");
  EXPECT_THAT(Deadline(kSubmissionDeadline)->explanation(), HasSubstr("6 months"));
}

TEST_F(DeathReviewDecideTest, ChairLinkedToAnAgencyInvolvedIsRefusedNamingIt) {
  ASSERT_TRUE(world_.When(kNotifyDeath, testing::Notification(Date(2026, 10, 1))).status.ok());
  Ok(kRecordDecision, testing::Decision(true, Date(2026, 10, 5)));
  Outcome linked = Do(kAppointChair, testing::Chair(Date(2026, 10, 6), {"shire-health"}));
  EXPECT_EQ(linked.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(linked.status), "CHAIR_NOT_INDEPENDENT");
  EXPECT_THAT(linked.status.message(), HasSubstr("shire-health"));
  EXPECT_TRUE(linked.events.empty());
  v1::AppointChairRequest employed = testing::Chair(Date(2026, 10, 6));
  employed.set_chair_agency("eastbrook-council");
  Outcome staff = Do(kAppointChair, employed);
  EXPECT_EQ(Reason(staff.status), "CHAIR_NOT_INDEPENDENT");
  EXPECT_THAT(staff.status.message(), HasSubstr("employed by eastbrook-council"));
  // Independent of every agency involved: appointed. An agency the chair is
  // associated with cannot join the review afterwards.
  Ok(kAppointChair, testing::Chair(Date(2026, 10, 6), {"westmoor-housing"}));
  Outcome member = Do(kAddPanelMember, testing::Member("westmoor-housing", "u-h1"));
  EXPECT_EQ(Reason(member.status), "CHAIR_NOT_INDEPENDENT");
  EXPECT_THAT(member.status.message(), HasSubstr("westmoor-housing"));
}

TEST_F(DeathReviewDecideTest, TermsOfReferenceNeedAChair) {
  ASSERT_TRUE(world_.When(kNotifyDeath, testing::Notification(Date(2026, 10, 1))).status.ok());
  Ok(kRecordDecision, testing::Decision(true, Date(2026, 10, 5)));
  Outcome out = Do(kAgreeTermsOfReference, testing::Terms(Date(2026, 10, 7)));
  EXPECT_EQ(Reason(out.status), "NO_CHAIR");
}

TEST_F(DeathReviewDecideTest, PanelMembersMustDeclareSeniorityAndNoInvolvement) {
  Commission();
  v1::AddPanelMemberRequest member = testing::Member("shire-police", "u-dci");
  member.set_declared_no_direct_involvement(false);
  Outcome out = Do(kAddPanelMember, member);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(), HasSubstr("declared_no_direct_involvement"));
}

TEST_F(DeathReviewDecideTest, DraftingWaitsForEveryAgencyReport) {
  Commission();
  Ok(kRequestAgencyReport,
     testing::ReportRequest("shire-police", Date(2026, 10, 8), Date(2026, 12, 8)));
  Ok(kRequestAgencyReport,
     testing::ReportRequest("shire-health", Date(2026, 10, 8), Date(2026, 12, 8)));
  Ok(kReceiveAgencyReport, testing::Received(1, Date(2026, 10, 30)));
  Outcome draft = Do(kRecordDraft, testing::Draft(Date(2026, 11, 1), 1));
  EXPECT_EQ(Reason(draft.status), "REPORTS_OUTSTANDING");
  EXPECT_THAT(draft.status.message(), HasSubstr("report 2 (shire-health IMR, due 2026-12-08)"));
  v1::WaiveAgencyReportRequest waive;
  waive.set_report_id(2);
  waive.set_reason("No contact with the victim or the perpetrator in the period");
  Outcome waived = Do(kWaiveAgencyReport, waive);
  EXPECT_THAT(Types(waived.events), ElementsAre("AgencyReportWaived", "DeadlineCancelled"));
  Ok(kRecordDraft, testing::Draft(Date(2026, 11, 1), 1));
  EXPECT_EQ(Review().state(), v1::DeathReview::DRAFTING);
  EXPECT_EQ(Deadline("agency_report/1")->state(), v1::Deadline::MET);
}

TEST_F(DeathReviewDecideTest, HoldsPauseTheSubmissionClockAndAddUp) {
  Commission();  // submission due 2027-04-05
  Ok(kRequestAgencyReport,
     testing::ReportRequest("shire-police", Date(2026, 10, 8), Date(2026, 12, 8)));
  Outcome held = Do(kPlaceOnHold, testing::Hold(v1::CRIMINAL_TRIAL, Date(2027, 1, 15)));
  ASSERT_TRUE(held.status.ok()) << held.status;
  EXPECT_THAT(Types(held.events),
              ElementsAre("ReviewPlacedOnHold", "DeadlinesPaused", "DeadlineSet"));
  EXPECT_EQ(FormatDate(Deadline(kResumeDeadline)->due()), "2027-01-15");
  EXPECT_EQ(Review().state(), v1::DeathReview::ON_HOLD);
  EXPECT_EQ(Deadline(kSubmissionDeadline)->state(), v1::Deadline::PAUSED);
  // Only resuming (and family contact) is allowed while held.
  Outcome draft = Do(kRecordDraft, testing::Draft(Date(2026, 11, 2), 1));
  EXPECT_EQ(draft.status.code(), absl::StatusCode::kFailedPrecondition);

  world_.SetNow(At(2026, 12, 2));  // 30 days held
  Outcome resumed = Do(kResumeReview, v1::ResumeReviewRequest());
  ASSERT_TRUE(resumed.status.ok()) << resumed.status;
  EXPECT_THAT(Types(resumed.events),
              ElementsAre("ReviewResumed", "DeadlineMet", "DeadlinesResumed"));
  EXPECT_EQ(Deadline(kResumeDeadline)->state(), v1::Deadline::MET);
  EXPECT_EQ(Review().state(), v1::DeathReview::AGENCY_REPORTS);
  EXPECT_EQ(FormatDate(Deadline(kSubmissionDeadline)->due()), "2027-05-05");
  EXPECT_EQ(FormatDate(Deadline("agency_report/1")->due()), "2027-01-07");
  EXPECT_THAT(Deadline(kSubmissionDeadline)->explanation(), HasSubstr("30 days held"));

  world_.SetNow(At(2027, 1, 4));
  Ok(kPlaceOnHold, testing::Hold(v1::INQUEST, Date(2027, 2, 1)));
  world_.SetNow(At(2027, 1, 14));  // 10 days more
  Ok(kResumeReview, v1::ResumeReviewRequest());
  EXPECT_EQ(FormatDate(Deadline(kSubmissionDeadline)->due()), "2027-05-15");
  ASSERT_EQ(Review().holds_size(), 2);
  // The second hold set its own expected end, met on resumption.
  EXPECT_EQ(FormatDate(Deadline(kResumeDeadline)->due()), "2027-02-01");
  EXPECT_EQ(Deadline(kResumeDeadline)->state(), v1::Deadline::MET);
  EXPECT_EQ(FormatDate(Review().holds(1).resumed_on()), "2027-01-14");
  EXPECT_EQ(Review().holds(0).days(), 30);
  EXPECT_EQ(Review().holds(1).days(), 10);

  FiguresBuilder figures(absl::CivilDay(2027, 1, 20));
  figures.Add(Review());
  const v1::DeathReviewFigures f = figures.Finish();
  EXPECT_EQ(f.holds(), 2);
  EXPECT_EQ(f.days_on_hold(), 40);
}

TEST_F(DeathReviewDecideTest, LifecycleWithTwoResubmissionsToPublicationAndClosure) {
  Commission();
  Ok(kAddPanelMember, testing::Member("shire-police", "u-dci"));
  Ok(kRequestAgencyReport,
     testing::ReportRequest("shire-police", Date(2026, 10, 8), Date(2026, 10, 29)));
  Ok(kReceiveAgencyReport, testing::Received(1, Date(2026, 10, 28)));
  Ok(kRecordFamilyContact, testing::FamilyContact(Date(2026, 10, 9)));
  Ok(kRecordDraft, testing::Draft(Date(2026, 10, 29), 1));
  Ok(kSignOffReview, testing::SignOff(Date(2026, 10, 30)));
  Outcome submitted = Do(kSubmitToHomeOffice, testing::Submit(Date(2026, 10, 30)));
  EXPECT_THAT(Types(submitted.events), ElementsAre("SubmittedToHomeOffice", "DeadlineMet"));
  EXPECT_EQ(Deadline(kSubmissionDeadline)->state(), v1::Deadline::MET);

  // Two resubmissions, each back to drafting; sign-off wants a new draft.
  for (int round = 1; round <= 2; ++round) {
    Outcome resubmit = Do(kRecordQaOutcome, testing::QaOutcome(v1::RESUBMIT, Date(2026, 11, 1)));
    EXPECT_THAT(Types(resubmit.events), ElementsAre("QaOutcomeRecorded"));
    EXPECT_EQ(Review().state(), v1::DeathReview::DRAFTING);
    Outcome unsigned_draft = Do(kSignOffReview, testing::SignOff(Date(2026, 11, 1)));
    EXPECT_EQ(Reason(unsigned_draft.status), "NO_DRAFT");
    Ok(kRecordDraft, testing::Draft(Date(2026, 11, 1), round + 1));
    Ok(kSignOffReview, testing::SignOff(Date(2026, 11, 1)));
    Outcome again = Do(kSubmitToHomeOffice, testing::Submit(Date(2026, 11, 1)));
    // The deadline was met by the first submission: nothing more to meet.
    EXPECT_THAT(Types(again.events), ElementsAre("SubmittedToHomeOffice"));
  }
  Ok(kRecordQaOutcome, testing::QaOutcome(v1::PUBLISH_AFTER_REVISIONS, Date(2026, 11, 2)));
  EXPECT_EQ(Review().state(), v1::DeathReview::APPROVED);
  Outcome early = Do(kPublishReview, testing::Publication(Date(2026, 11, 2)));
  EXPECT_EQ(Reason(early.status), "NO_DRAFT");
  Ok(kRecordDraft, testing::Draft(Date(2026, 11, 2), 4));
  Ok(kPublishReview, testing::Publication(Date(2026, 11, 2)));
  ASSERT_EQ(Review().qa_rounds_size(), 3);
  EXPECT_EQ(Review().qa_rounds(0).outcome(), v1::RESUBMIT);
  EXPECT_EQ(Review().qa_rounds(1).outcome(), v1::RESUBMIT);
  EXPECT_EQ(Review().qa_rounds(2).outcome(), v1::PUBLISH_AFTER_REVISIONS);
  EXPECT_EQ(Review().qa_rounds(2).draft_number(), 3);
  EXPECT_EQ(Review().drafts_size(), 4);
  EXPECT_EQ(Review().family().contact_count(), 1);

  // The action plan: the item waits for the action log (a pending row).
  Ok(kAddActionPlanItem, testing::PlanItem(Date(2027, 3, 31)));
  EXPECT_EQ(world_.rows().count("deathReviews/~actions/eastbrook/000000000001/000000000001"), 1u);
  Outcome too_soon = Do(kCloseReview, testing::Close(Date(2026, 11, 2)));
  EXPECT_EQ(Reason(too_soon.status), "ACTIONS_OPEN");
  EXPECT_THAT(too_soon.status.message(), HasSubstr("item 1 (not yet on the action log)"));

  v1::CreateActionRequest create;
  create.set_parent("partnerships/eastbrook");
  create.set_request_id("plan-1");
  create.set_title("Same-day sharing of risk assessments with the MARAC");
  create.set_owner_agency("shire-police");
  *create.mutable_due_date() = Date(2027, 3, 31);
  create.set_source(kReview);
  ASSERT_TRUE(world_.When(actions::kCreateAction, create).status.ok());
  const std::string action = "partnerships/eastbrook/actions/1";
  v1::LinkPlanActionRequest link;
  link.set_item_id(1);
  link.set_action(action);
  Ok(kLinkPlanAction, link);
  EXPECT_EQ(world_.rows().count("deathReviews/~actions/eastbrook/000000000001/000000000001"), 0u);
  Outcome open = Do(kCloseReview, testing::Close(Date(2026, 11, 2)));
  EXPECT_THAT(open.status.message(), HasSubstr("item 1 (" + action + ", OPEN)"));
  v1::CompleteActionRequest complete;
  complete.set_name(action);
  complete.set_request_id("complete-1");
  complete.set_note("Protocol in force");
  ASSERT_TRUE(world_.When(actions::kCompleteAction, complete).status.ok());
  Ok(kCloseReview, testing::Close(Date(2026, 11, 2)));
  EXPECT_EQ(Review().state(), v1::DeathReview::CLOSED);
}

TEST_F(DeathReviewDecideTest, OnlyReadersMayActOnAReview) {
  Commission();
  Ok(kAddPanelMember, testing::Member("shire-police", "u-dci"));
  world_.SetActor("westmoor-housing", "u-officer", "caseworker");
  Outcome outsider = Do(kRecordFamilyContact, testing::FamilyContact(Date(2026, 10, 9)));
  EXPECT_EQ(outsider.status.code(), absl::StatusCode::kNotFound);
  // Nothing of the review is given away, not even that it exists: the
  // answer a missing review gets.
  EXPECT_EQ(outsider.status.message(), std::string(kReview) + " does not exist");
  Outcome illegal = Do(kPublishReview, testing::Publication(Date(2026, 11, 2)));
  EXPECT_EQ(illegal.status.code(), absl::StatusCode::kNotFound);
  // Another officer of a member's agency is not a member.
  world_.SetActor("shire-police", "u-other", "caseworker");
  EXPECT_EQ(Do(kRecordFamilyContact, testing::FamilyContact(Date(2026, 10, 9))).status.code(),
            absl::StatusCode::kNotFound);
  world_.SetActor("shire-police", "u-dci", "detective");
  Ok(kRecordFamilyContact, testing::FamilyContact(Date(2026, 10, 9)));
  world_.SetActor("independent-reviews", "chair-01", "chair");
  Ok(kRecordFamilyContact, testing::FamilyContact(Date(2026, 10, 9)));
  world_.SetActor("eastbrook-council", "u-chair", "partnership_chair");
  Ok(kRecordFamilyContact, testing::FamilyContact(Date(2026, 10, 9)));
}

TEST_F(DeathReviewDecideTest, BadInputNamesEachFieldAndRule) {
  v1::NotifyDeathRequest r = testing::Notification(Date(2026, 10, 1));
  *r.mutable_date_of_death() = Date(2026, 10, 2);
  r.set_victim_age_at_death(-1);
  r.set_relationship(v1::PERPETRATOR_RELATIONSHIP_UNSPECIFIED);
  Outcome out = world_.When(kNotifyDeath, r);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(), HasSubstr("date_of_death"));
  EXPECT_THAT(out.status.message(), HasSubstr("after_notification"));
  EXPECT_THAT(out.status.message(), HasSubstr("victim_age_at_death"));
  EXPECT_THAT(out.status.message(), HasSubstr("relationship"));
}

}  // namespace
}  // namespace casework::workflow::death_reviews
