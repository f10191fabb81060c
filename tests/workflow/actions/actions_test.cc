// The action workflow alone, on the pure harness: given events -> when
// command -> then these events (rendered) or this exact error. No storage,
// no clock.
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_support.h"
#include "tests/support/world.h"
#include "workflow/actions/commands.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::workflow::actions {
namespace {

using ::casework::testing::CreateRequest;
using ::casework::testing::DetailOf;
using ::casework::testing::Outcome;
using ::casework::testing::World;
using ::testing::ElementsAre;

constexpr char kAction[] = "partnerships/eastbrook/actions/1";

class ActionWorkflowTest : public ::testing::Test {
 protected:
  // Friday 20 November 2026, 10:00 in London.
  ActionWorkflowTest()
      : world_(absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0), testing::London()),
               Workflows()) {}

  // An OPEN action due on Friday 4 December 2026.
  void GivenCreated() { ASSERT_TRUE(world_.When(kCreateAction, CreateRequest("c-1")).status.ok()); }

  World world_;
};

TEST_F(ActionWorkflowTest, CreateOpensTheActionWithItsCompleteByDeadline) {
  Outcome out = world_.When(kCreateAction, CreateRequest("c-1"));
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.stream, kAction);
  EXPECT_THAT(
      out.events,
      ElementsAre(
          "ActionCreated{partnership: \"eastbrook\" number: 1 title: \"Visit the flats\" "
          "owner_agency: \"eastbrook-homes\" due_date { year: 2026 month: 12 day: 4 }}",
          "DeadlineSet{deadline { name: \"complete_by\" rule: \"fixed date\" start { year: 2026 "
          "month: 11 day: 20 } due { year: 2026 month: 12 day: 4 } calendar_version: 1 "
          "explanation: \"due 2026-12-04 as set on 2026-11-20\" state: RUNNING set_at_version: 2 "
          "}}"));
  const v1::Action& state = world_.StateAs<v1::Action>(kAction);
  EXPECT_EQ(state.name(), kAction);
  EXPECT_EQ(state.state(), v1::Action::OPEN);
  EXPECT_EQ(state.version(), 2);
  ASSERT_EQ(state.deadlines_size(), 1);
  EXPECT_EQ(state.deadlines(0).set_at_version(), 2);
}

TEST_F(ActionWorkflowTest, CompletedActionOnlyAllowsReopen) {
  GivenCreated();
  v1::CompleteActionRequest complete;
  complete.set_name(kAction);
  complete.set_request_id("c-2");
  complete.set_note("done");
  EXPECT_THAT(world_.When(kCompleteAction, complete).events,
              ElementsAre("ActionCompleted{note: \"done\"}", "DeadlineMet{name: \"complete_by\"}"));

  v1::ChangeDueDateRequest change;
  change.set_name(kAction);
  change.set_request_id("c-3");
  *change.mutable_due_date() = ToCivilDate(absl::CivilDay(2027, 1, 8));
  change.set_reason("later");
  Outcome refused = world_.When(kChangeDueDate, change);
  EXPECT_EQ(refused.status.code(), absl::StatusCode::kFailedPrecondition);
  std::optional<v1::IllegalTransition> detail = DetailOf<v1::IllegalTransition>(refused.status);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->stream(), kAction);
  EXPECT_EQ(detail->current_state(), "COMPLETED");
  EXPECT_EQ(detail->command(), "ChangeDueDate");
  EXPECT_THAT(detail->allowed_commands(), ElementsAre("ReopenAction"));
  EXPECT_THAT(refused.events, ElementsAre());
  EXPECT_EQ(world_.Version(kAction), 4);

  v1::ReopenActionRequest reopen;
  reopen.set_name(kAction);
  reopen.set_request_id("c-4");
  reopen.set_reason("The residents report it again");
  Outcome reopened = world_.When(kReopenAction, reopen);
  ASSERT_EQ(reopened.events.size(), 2u);
  EXPECT_EQ(reopened.events[0], "ActionReopened{reason: \"The residents report it again\"}");
  EXPECT_THAT(reopened.events[1], ::testing::StartsWith("DeadlineSet{deadline { name: \"complete_by\""));
}

TEST_F(ActionWorkflowTest, DueDateChangeRecordsThePreviousDate) {
  GivenCreated();
  v1::ChangeDueDateRequest change;
  change.set_name(kAction);
  change.set_request_id("d-1");
  *change.mutable_due_date() = ToCivilDate(absl::CivilDay(2027, 1, 8));
  change.set_reason("Housing officer on leave");
  Outcome out = world_.When(kChangeDueDate, change);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0],
            "ActionDueDateChanged{previous_due_date { year: 2026 month: 12 day: 4 } due_date { "
            "year: 2027 month: 1 day: 8 } reason: \"Housing officer on leave\"}");

  change.set_request_id("d-2");
  Outcome unchanged = world_.When(kChangeDueDate, change);
  EXPECT_EQ(unchanged.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unchanged.status.message(), "due_date: is already 2027-01-08 [unchanged]");
  EXPECT_THAT(unchanged.events, ElementsAre());
}

TEST_F(ActionWorkflowTest, HoldPausesTheClockAndResumeMovesTheDueDate) {
  GivenCreated();
  v1::PutActionOnHoldRequest hold;
  hold.set_name(kAction);
  hold.set_request_id("h-1");
  hold.set_reason("Waiting for the trial");
  Outcome held = world_.When(kPutActionOnHold, hold);
  ASSERT_TRUE(held.status.ok()) << held.status;
  // Ten working days left from Friday 20 November to Friday 4 December.
  EXPECT_THAT(held.events,
              ElementsAre("ActionPutOnHold{reason: \"Waiting for the trial\"}",
                          "DeadlinesPaused{paused_on { year: 2026 month: 11 day: 20 } reason: "
                          "\"Waiting for the trial\" remaining_working_days { key: \"complete_by\" "
                          "value: 10 }}"));
  world_.SetNow(absl::FromCivil(absl::CivilSecond(2026, 12, 14, 9, 0, 0), testing::London()));
  v1::ResumeActionRequest resume;
  resume.set_name(kAction);
  resume.set_request_id("h-2");
  ASSERT_TRUE(world_.When(kResumeAction, resume).status.ok());
  // Ten working days after Monday 14 December, skipping Christmas: 30 December.
  const v1::Action& action = world_.StateAs<v1::Action>(kAction);
  EXPECT_EQ(FormatDate(action.due_date()), "2026-12-30");
  EXPECT_EQ(action.state(), v1::Action::OPEN);
}

TEST_F(ActionWorkflowTest, ValidationNamesEveryBrokenField) {
  v1::CreateActionRequest create;
  create.set_parent("councils/eastbrook");
  create.set_owner_agency("Eastbrook Homes");
  create.mutable_due_date()->set_year(2026);
  create.mutable_due_date()->set_month(2);
  create.mutable_due_date()->set_day(30);
  Outcome out = world_.When(kCreateAction, create);
  EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument);
  std::optional<v1::BadRequest> detail = DetailOf<v1::BadRequest>(out.status);
  ASSERT_TRUE(detail.has_value());
  std::vector<std::string> fields;
  for (const v1::FieldViolation& v : detail->violations()) fields.push_back(v.field() + ":" + v.rule());
  EXPECT_THAT(fields, ElementsAre("parent:format", "request_id:required", "title:required",
                                  "owner_agency:format", "due_date.day:range"));
  EXPECT_THAT(std::string(out.status.message()),
              ::testing::HasSubstr("due_date.day: 2026-02 has no day 30 [range]"));
}

TEST_F(ActionWorkflowTest, ResourceNumbersAreDigitsOnly) {
  for (const char* name : {"partnerships/eastbrook/actions/12 ", "partnerships/eastbrook/actions/ 12",
                           "partnerships/eastbrook/actions/012", "partnerships/eastbrook/actions/+1",
                           "partnerships/eastbrook/actions/0"}) {
    v1::CompleteActionRequest complete;
    complete.set_name(name);
    complete.set_request_id("r-1");
    complete.set_note("done");
    Outcome out = world_.When(kCompleteAction, complete);
    EXPECT_EQ(out.status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(DetailOf<v1::BadRequest>(out.status)->violations(0).rule(), "format") << name;
  }
}

TEST_F(ActionWorkflowTest, TransitionTableIsTheDocumentedOne) {
  std::vector<std::string> rows;
  for (const Transition& t : ActionWorkflow().transitions().transitions()) {
    rows.push_back(absl::StrCat(t.from, " --", t.command, "--> ", absl::StrJoin(t.to, "|")));
  }
  EXPECT_THAT(rows, ElementsAre("NEW --CreateAction--> OPEN", "OPEN --RecordProgress--> OPEN",
                                "OPEN --ChangeDueDate--> OPEN", "OPEN --CompleteAction--> COMPLETED",
                                "OPEN --CancelAction--> CANCELLED",
                                "OPEN --PutActionOnHold--> ON_HOLD",
                                "COMPLETED --ReopenAction--> OPEN", "ON_HOLD --ResumeAction--> OPEN",
                                "ON_HOLD --CancelAction--> CANCELLED"));
}

}  // namespace
}  // namespace casework::workflow::actions
