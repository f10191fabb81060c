// The action workflow alone: given events -> when command -> then events or
// this exact error. No storage, no clock.
#include "workflow/actions.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_support.h"
#include "workflow/validation.h"

namespace casework::workflow {
namespace {

using ::casework::testing::DetailOf;
using ::testing::ElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1793000000);

// Folds `events` into a fresh state the way the engine does.
v1::Action Given(const Events& events) {
  v1::Action state;
  int64_t version = 0;
  for (const Event& e : events) {
    v1::EventEnvelope env;
    env.set_stream_version(++version);
    env.mutable_actor()->set_agency("eastbrook-council");
    EXPECT_TRUE(ActionAggregate().Apply(state, env, *e).ok());
  }
  return state;
}

Events Created() {
  v1::ActionCreated created;
  created.set_partnership("eastbrook");
  created.set_number(7);
  created.set_title("Visit the flats");
  created.set_owner_agency("eastbrook-homes");
  created.mutable_due_date()->set_year(2026);
  created.mutable_due_date()->set_month(12);
  created.mutable_due_date()->set_day(4);
  return MakeEvents(std::move(created));
}

absl::StatusOr<Events> When(const v1::Action& state, const ActionCommand& command) {
  DecideContext context;
  context.now = kNow;
  context.today = absl::CivilDay(2026, 11, 20);
  context.calendar = casework::testing::TestCalendar().get();
  context.stream = "partnerships/eastbrook/actions/7";
  context.version = state.version();
  context.number = 7;
  return DecideAction(state, command, context);
}

std::vector<std::string> Types(const Events& events) {
  std::vector<std::string> types;
  for (const Event& e : events) types.emplace_back(ShortTypeName(*e));
  return types;
}

TEST(ActionWorkflowTest, CreateOpensTheAction) {
  v1::CreateActionRequest create;
  create.set_parent("partnerships/eastbrook");
  create.set_title("Visit the flats");
  *create.mutable_due_date() = ToCivilDate(absl::CivilDay(2026, 12, 4));
  absl::StatusOr<Events> events = When(v1::Action(), create);
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(Types(*events), ElementsAre("ActionCreated", "DeadlineSet"));
  v1::Action state = Given(*events);
  EXPECT_EQ(state.name(), "partnerships/eastbrook/actions/7");
  EXPECT_EQ(state.state(), v1::Action::OPEN);
  ASSERT_EQ(state.deadlines_size(), 1);
  const v1::Deadline& d = state.deadlines(0);
  EXPECT_EQ(d.name(), "complete_by");
  EXPECT_EQ(d.rule(), "fixed date");
  EXPECT_EQ(d.state(), v1::Deadline::RUNNING);
  EXPECT_EQ(d.set_at_version(), 2);
  EXPECT_EQ(d.calendar_version(), 1);
  EXPECT_EQ(d.explanation(), "due 2026-12-04 as set on 2026-11-20");
}

TEST(ActionWorkflowTest, CompletedActionOnlyAllowsReopen) {
  Events history = Created();
  v1::ActionCompleted completed;
  completed.set_note("done");
  history.push_back(std::make_unique<v1::ActionCompleted>(completed));
  v1::Action state = Given(history);

  v1::ChangeDueDateRequest change;
  absl::StatusOr<Events> refused = When(state, change);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  std::optional<v1::IllegalTransition> detail = DetailOf<v1::IllegalTransition>(refused.status());
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->current_state(), "COMPLETED");
  EXPECT_THAT(detail->allowed_commands(), ElementsAre("ReopenAction"));

  v1::ReopenActionRequest reopen;
  reopen.set_reason("The residents report it again");
  absl::StatusOr<Events> reopened = When(state, reopen);
  ASSERT_TRUE(reopened.ok());
  EXPECT_THAT(Types(*reopened), ElementsAre("ActionReopened", "DeadlineSet"));
}

TEST(ActionWorkflowTest, DueDateChangeRecordsThePreviousDate) {
  v1::Action state = Given(Created());
  v1::ChangeDueDateRequest change;
  change.mutable_due_date()->set_year(2027);
  change.mutable_due_date()->set_month(1);
  change.mutable_due_date()->set_day(8);
  change.set_reason("Housing officer on leave");
  absl::StatusOr<Events> events = When(state, change);
  ASSERT_TRUE(events.ok());
  const auto& changed = static_cast<const v1::ActionDueDateChanged&>(*(*events)[0]);
  EXPECT_EQ(changed.previous_due_date().day(), 4);
  EXPECT_EQ(changed.due_date().year(), 2027);

  change.mutable_due_date()->set_year(2026);
  change.mutable_due_date()->set_month(12);
  change.mutable_due_date()->set_day(4);
  absl::StatusOr<Events> unchanged = When(state, change);
  EXPECT_EQ(unchanged.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unchanged.status().message(), "due_date: is already 2026-12-04 [unchanged]");
}

TEST(ActionWorkflowTest, ValidationNamesEveryBrokenField) {
  v1::CreateActionRequest create;
  create.set_parent("councils/eastbrook");
  create.set_owner_agency("Eastbrook Homes");
  create.mutable_due_date()->set_year(2026);
  create.mutable_due_date()->set_month(2);
  create.mutable_due_date()->set_day(30);
  absl::Status status = ValidateActionCommand(create);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::optional<v1::BadRequest> detail = DetailOf<v1::BadRequest>(status);
  ASSERT_TRUE(detail.has_value());
  std::vector<std::string> fields;
  for (const v1::FieldViolation& v : detail->violations()) fields.push_back(v.field() + ":" + v.rule());
  EXPECT_THAT(fields, ElementsAre("parent:format", "request_id:required", "title:required",
                                  "owner_agency:format", "due_date.day:range"));
  EXPECT_THAT(std::string(status.message()),
              ::testing::HasSubstr("due_date.day: 2026-02 has no day 30 [range]"));
}

TEST(ActionWorkflowTest, ResourceNumbersAreDigitsOnly) {
  for (const char* name : {"partnerships/eastbrook/actions/12 ", "partnerships/eastbrook/actions/ 12",
                           "partnerships/eastbrook/actions/012", "partnerships/eastbrook/actions/+1",
                           "partnerships/eastbrook/actions/0"}) {
    v1::CompleteActionRequest complete;
    complete.set_name(name);
    complete.set_request_id("r-1");
    complete.set_note("done");
    absl::Status status = ValidateActionCommand(complete);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(DetailOf<v1::BadRequest>(status)->violations(0).rule(), "format") << name;
  }
}

TEST(ActionWorkflowTest, TransitionTableIsTheDocumentedOne) {
  std::vector<std::string> rows;
  for (const Transition& t : ActionTransitions().transitions()) {
    rows.push_back(absl::StrCat(t.from, " --", t.command, "--> ", t.to));
  }
  EXPECT_THAT(rows, ElementsAre("NEW --CreateAction--> OPEN", "OPEN --RecordProgress--> OPEN",
                                "OPEN --ChangeDueDate--> OPEN", "OPEN --CompleteAction--> COMPLETED",
                                "OPEN --CancelAction--> CANCELLED",
                                "OPEN --PutActionOnHold--> ON_HOLD",
                                "COMPLETED --ReopenAction--> OPEN", "ON_HOLD --ResumeAction--> OPEN",
                                "ON_HOLD --CancelAction--> CANCELLED"));
}

}  // namespace
}  // namespace casework::workflow
