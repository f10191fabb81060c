// The state diagram of a workflow, generated from its transition table for
// its doc (WorkflowInfo::doc). The doc holds it between two marker lines; the
// tool tools/workflow_docs.cc rewrites that block and a test checks it is
// current, so the diagram can never drift from the table.
#ifndef CASEWORK_WORKFLOW_KERNEL_DIAGRAM_H_
#define CASEWORK_WORKFLOW_KERNEL_DIAGRAM_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow {

// The generated block, marker lines included: a Mermaid state diagram and a
// from | command | to table, in table order.
std::string TransitionsBlock(const Workflow& workflow);

// `doc` with its generated block replaced by `block`; nullopt if `doc` has no
// complete block (both marker lines).
std::optional<std::string> ReplaceTransitionsBlock(absl::string_view doc, absl::string_view block);

// The generated block of `doc` as it stands, or nullopt.
std::optional<std::string> FindTransitionsBlock(absl::string_view doc);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_DIAGRAM_H_
