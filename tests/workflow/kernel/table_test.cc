// The generic table test: every registered workflow's transition table is
// walked with its examples (tests/workflow/examples.h) — each allowed pair
// decides into the states its row declares, every other pair is refused
// naming exactly the allowed commands — and the check itself is shown to
// catch a table that disagrees with the appliers and rows written outside a
// workflow's namespaces.
#include "casework/v1/actions.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/table_check.h"
#include "tests/workflow/examples.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::testing {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;

TEST(TableTest, EveryRegisteredWorkflowHasExamplesAndItsTableHolds) {
  const workflow::Registry& registry = workflow::Workflows();
  ASSERT_EQ(registry.workflows().size(), 5u);
  for (const workflow::Workflow* w : registry.workflows()) {
    SCOPED_TRACE(std::string(w->name()));
    auto examples = AllExamples().find(std::string(w->name()));
    ASSERT_NE(examples, AllExamples().end())
        << "workflow " << w->name() << " is registered but has no table examples";
    EXPECT_THAT(CheckTable(*w, registry, examples->second, ExamplesStart()), IsEmpty());
  }
}

// A test-only workflow: widgets are made (OPEN) and finished (COMPLETED).
constexpr workflow::CommandName<v1::CreateActionRequest> kMake{"Make"};
constexpr workflow::CommandName<v1::CompleteActionRequest> kFinish{"Finish"};

absl::Status DecideMake(const v1::Action&, const v1::CreateActionRequest& r,
                        const workflow::DecideContext& ctx, workflow::Decision& out) {
  v1::ActionCreated e;
  e.set_partnership(std::string(ctx.partnership));
  e.set_number(ctx.number);
  e.set_title(r.title());
  out.Emit(std::move(e));
  return absl::OkStatus();
}
absl::Status DecideFinish(const v1::Action&, const v1::CompleteActionRequest& r,
                          const workflow::DecideContext&, workflow::Decision& out) {
  v1::ActionCompleted e;
  e.set_note(r.note());
  out.Emit(std::move(e));
  return absl::OkStatus();
}
void ApplyMade(v1::Action& a, const v1::ActionCreated& e) {
  a.set_name(workflow::FormatResourceName(e.partnership(), "widgets", e.number()));
  a.set_state(v1::Action::OPEN);
}
void ApplyFinished(v1::Action& a, const v1::ActionCompleted&) { a.set_state(v1::Action::COMPLETED); }
v1::ActionResponse Reply(const v1::Action& a, const v1::CommitInfo&) {
  v1::ActionResponse r;
  *r.mutable_action() = a;
  return r;
}

// The widget workflow with `finished_to` as the `to` column of Finish and
// rows under "widgets/" declared in `row_namespace`.
const workflow::Workflow* Widgets(absl::string_view finished_to, std::string row_namespace) {
  workflow::Definition<v1::Action> d({"widget", "widgets", 1, "casework.test.WidgetService", ""});
  d.StateField(&v1::Action::state);
  d.Transitions({
      {workflow::kNewState, kMake.name, {"OPEN"}},
      {"OPEN", kFinish.name, {finished_to}},
  });
  d.Create(kMake, DecideMake);
  d.Update(kFinish, DecideFinish);
  d.On<v1::ActionCreated>(ApplyMade);
  d.On<v1::ActionCompleted>(ApplyFinished);
  d.Rows([](absl::string_view stream, const v1::Action& a,
            std::vector<workflow::Row>* rows) { rows->push_back({absl::StrCat("widgets/", stream), ""}); },
         {std::move(row_namespace)});
  d.Reply(Reply);
  return std::move(d).Build();
}

WorkflowExamples WidgetExamples() {
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/widgets/1";
  v1::CreateActionRequest make;
  make.set_parent("partnerships/eastbrook");
  make.set_request_id("w-1");
  v1::CompleteActionRequest finish;
  finish.set_request_id("w-2");
  ex.requests["Make"] = Fixed(make);
  ex.requests["Finish"] = Named(finish);
  ex.paths["OPEN"] = {{"Make", Fixed(make)}};
  ex.paths["COMPLETED"] = {{"Make", Fixed(make)}, {"Finish", Named(finish)}};
  return ex;
}

TEST(TableTest, TheRightTableHasNoProblems) {
  std::unique_ptr<const workflow::Workflow> widgets(Widgets("COMPLETED", "widgets"));
  workflow::Registry registry({widgets.get()});
  EXPECT_THAT(CheckTable(*widgets, registry, WidgetExamples(), ExamplesStart()), IsEmpty());
}

TEST(TableTest, AWrongToColumnIsCaught) {
  std::unique_ptr<const workflow::Workflow> widgets(Widgets("CANCELLED", "widgets"));
  workflow::Registry registry({widgets.get()});
  std::vector<std::string> problems =
      CheckTable(*widgets, registry, WidgetExamples(), ExamplesStart());
  EXPECT_THAT(problems,
              Contains("OPEN Finish: the table allows it but the example was refused: INTERNAL: "
                       "Finish on partnerships/eastbrook/widgets/1 in state OPEN left it in state "
                       "COMPLETED, which the transition table does not allow (allowed: "
                       "CANCELLED); nothing was written"));
  EXPECT_THAT(problems, Contains("OPEN Finish -> CANCELLED: no example reaches it"));
  EXPECT_THAT(problems, Contains("no example path to state CANCELLED"));
}

TEST(TableTest, RowsOutsideTheDeclaredNamespacesAreCaught) {
  // The rows are "widgets/..." but the workflow declared "gadgets": a
  // rebuild would never look for them.
  std::unique_ptr<const workflow::Workflow> widgets(Widgets("COMPLETED", "gadgets"));
  workflow::Registry registry({widgets.get()});
  EXPECT_THAT(registry.row_prefixes(), ::testing::ElementsAre("gadgets/"));
  std::vector<std::string> problems =
      CheckTable(*widgets, registry, WidgetExamples(), ExamplesStart());
  EXPECT_THAT(problems,
              Contains("path to OPEN: Make failed: INTERNAL: workflow widget wrote row "
                       "\"widgets/partnerships/eastbrook/widgets/1\" outside its row namespaces "
                       "(gadgets); declare the namespace with its rows"));
}

TEST(TableTest, ExamplesThatDoNotCoverAStateOrACommandAreProblems) {
  std::unique_ptr<const workflow::Workflow> widgets(Widgets("COMPLETED", "widgets"));
  workflow::Registry registry({widgets.get()});
  WorkflowExamples ex = WidgetExamples();
  ex.paths.erase("COMPLETED");
  EXPECT_THAT(CheckTable(*widgets, registry, ex, ExamplesStart()),
              ::testing::ElementsAre("no example path to state COMPLETED"));
  ex.requests.erase("Finish");
  EXPECT_THAT(CheckTable(*widgets, registry, ex, ExamplesStart()),
              ::testing::ElementsAre("no example request for command Finish"));
}

TEST(TableTest, RowsWithoutANamespaceDoNotBuild) {
  EXPECT_DEATH(
      {
        workflow::Definition<v1::Action> d({"widget", "widgets", 1, "casework.test.W", ""});
        d.StateField(&v1::Action::state);
        d.Transitions({{workflow::kNewState, kMake.name, {"OPEN"}}});
        d.Create(kMake, DecideMake);
        d.Rows([](absl::string_view, const v1::Action&, std::vector<workflow::Row>*) {}, {});
        d.Reply(Reply);
        delete std::move(d).Build();
      },
      "workflow widget: rows are defined without a namespace");
}

}  // namespace
}  // namespace casework::testing
