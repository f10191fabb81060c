// A test-only workflow for tests of the kit and the engine: widgets are made
// (OPEN) and finished (COMPLETED), on streams "partnerships/{p}/widgets/{n}",
// with one row each under "widgets/". Its table and row namespace can be
// given wrong on purpose, to show what catches them.
#ifndef CASEWORK_TESTS_SUPPORT_WIDGET_WORKFLOW_H_
#define CASEWORK_TESTS_SUPPORT_WIDGET_WORKFLOW_H_

#include <memory>
#include <string>

#include "casework/v1/actions.pb.h"
#include "tests/support/table_check.h"
#include "workflow/kernel/workflow.h"

namespace casework::testing {

inline constexpr workflow::CommandName<v1::CreateActionRequest> kMakeWidget{"Make"};
inline constexpr workflow::CommandName<v1::CompleteActionRequest> kFinishWidget{"Finish"};

// The widget workflow whose Finish row says it lands in `finished_to` (the
// applier makes it COMPLETED) and whose rows are declared under
// `row_namespace` (they are written under "widgets").
std::unique_ptr<const workflow::Workflow> Widgets(absl::string_view finished_to = "COMPLETED",
                                                  std::string row_namespace = "widgets");

// Requests: make a widget in "eastbrook"; finish `stream`.
v1::CreateActionRequest MakeWidget(const std::string& request_id);
v1::CompleteActionRequest FinishWidget(const std::string& request_id, const std::string& stream);

// Table examples of the widget workflow.
WorkflowExamples WidgetExamples();

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_SUPPORT_WIDGET_WORKFLOW_H_
