// Each workflow doc's state diagram is the one generated from its table
// (workflow/kernel/diagram.h); rewrite stale ones with
//   build/tools/casework-workflow-docs .
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow/kernel/diagram.h"
#include "workflow/registry.h"
#include "workflow/time/calendar_workflow.h"

namespace casework::workflow {
namespace {

TEST(DocsTest, EveryWorkflowDocShowsItsTable) {
  int docs = 0;
  for (const Workflow* w : Workflows().workflows()) {
    if (w->info().doc.empty()) continue;
    ++docs;
    std::ifstream in(std::string(CASEWORK_SOURCE_DIR) + "/" + std::string(w->info().doc));
    ASSERT_TRUE(in.good()) << w->info().doc;
    std::stringstream text;
    text << in.rdbuf();
    std::optional<std::string> block = FindTransitionsBlock(text.str());
    ASSERT_TRUE(block.has_value()) << w->info().doc << " has no generated transitions block";
    EXPECT_EQ(*block, TransitionsBlock(*w))
        << w->info().doc << " is stale: run build/tools/casework-workflow-docs .";
  }
  EXPECT_EQ(docs, 8);  // the action log, the case review, panel cases and meetings, death
                      // reviews, the erasure log, subject access requests, retention reviews
}

TEST(DocsTest, TheBlockIsAMermaidDiagramAndATable) {
  EXPECT_EQ(TransitionsBlock(CalendarWorkflow()),
            "<!-- BEGIN TRANSITIONS: generated from the table of workflow \"calendar\" by "
            "tools/workflow_docs.cc; do not edit by hand -->\n"
            "```mermaid\nstateDiagram-v2\n"
            "    [*] --> ACTIVE: AddHoliday\n"
            "    ACTIVE --> ACTIVE: AddHoliday\n"
            "```\n\n"
            "| from | command | to |\n|---|---|---|\n"
            "| (new) | AddHoliday | ACTIVE |\n"
            "| ACTIVE | AddHoliday | ACTIVE |\n"
            "<!-- END TRANSITIONS -->\n");
  const std::string doc = "# Doc\n\n<!-- BEGIN TRANSITIONS old -->\nstale\n<!-- END TRANSITIONS -->\ntail\n";
  EXPECT_EQ(*ReplaceTransitionsBlock(doc, "NEW\n"), "# Doc\n\nNEW\ntail\n");
  EXPECT_EQ(ReplaceTransitionsBlock("no markers", "x"), std::nullopt);
}

}  // namespace
}  // namespace casework::workflow
