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
#include "tests/support/widget_workflow.h"
#include "tests/workflow/examples.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/definition.h"
#include "workflow/registry.h"

namespace casework::testing {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;

TEST(TableTest, EveryRegisteredWorkflowHasExamplesAndItsTableHolds) {
  const workflow::Registry& registry = workflow::Workflows();
  ASSERT_EQ(registry.workflows().size(), 11u);
  for (const workflow::Workflow* w : registry.workflows()) {
    SCOPED_TRACE(std::string(w->name()));
    auto examples = AllExamples().find(std::string(w->name()));
    ASSERT_NE(examples, AllExamples().end())
        << "workflow " << w->name() << " is registered but has no table examples";
    EXPECT_THAT(CheckTable(*w, registry, examples->second, ExamplesStart()), IsEmpty());
  }
}

TEST(TableTest, TheRightTableHasNoProblems) {
  std::unique_ptr<const workflow::Workflow> widgets = Widgets();
  workflow::Registry registry({widgets.get()});
  EXPECT_THAT(CheckTable(*widgets, registry, WidgetExamples(), ExamplesStart()), IsEmpty());
}

TEST(TableTest, AWrongToColumnIsCaught) {
  std::unique_ptr<const workflow::Workflow> widgets = Widgets("CANCELLED");
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
  std::unique_ptr<const workflow::Workflow> widgets = Widgets("COMPLETED", "gadgets");
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
  std::unique_ptr<const workflow::Workflow> widgets = Widgets();
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
        d.Transitions({{workflow::kNewState, kMakeWidget.name, {"OPEN"}}});
        d.Create(kMakeWidget, +[](const v1::Action&, const v1::CreateActionRequest&,
                                  const workflow::DecideContext&,
                                  workflow::Decision&) { return absl::OkStatus(); });
        d.Rows([](absl::string_view, const v1::Action&, std::vector<workflow::Row>*) {}, {});
        d.Reply(+[](const v1::Action&, const v1::CommitInfo&) { return v1::ActionResponse(); });
        delete std::move(d).Build();
      },
      "workflow widget: rows are defined without a namespace");
}

}  // namespace
}  // namespace casework::testing
