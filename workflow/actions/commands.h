// The partnership action log ("Action — Complete by — Owner"), carried from
// meeting to meeting: one stream per action, "partnerships/{p}/actions/{n}".
// States and rules: docs/workflows/actions.md. API: casework.v1.ActionService.
//
// This header is the workflow's public face: its commands, its definition and
// the read-model rows other code queries.
#ifndef CASEWORK_WORKFLOW_ACTIONS_COMMANDS_H_
#define CASEWORK_WORKFLOW_ACTIONS_COMMANDS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "casework/v1/actions.pb.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow::actions {

inline constexpr CommandName<v1::CreateActionRequest> kCreateAction{"CreateAction"};
inline constexpr CommandName<v1::RecordProgressRequest> kRecordProgress{"RecordProgress"};
inline constexpr CommandName<v1::ChangeDueDateRequest> kChangeDueDate{"ChangeDueDate"};
inline constexpr CommandName<v1::CompleteActionRequest> kCompleteAction{"CompleteAction"};
inline constexpr CommandName<v1::CancelActionRequest> kCancelAction{"CancelAction"};
inline constexpr CommandName<v1::ReopenActionRequest> kReopenAction{"ReopenAction"};
inline constexpr CommandName<v1::PutActionOnHoldRequest> kPutActionOnHold{"PutActionOnHold"};
inline constexpr CommandName<v1::ResumeActionRequest> kResumeAction{"ResumeAction"};

// The action workflow (state: casework.v1.Action).
const Workflow& ActionWorkflow();

// The name of an action's deadline.
inline constexpr absl::string_view kCompleteBy = "complete_by";

// Read-model key prefixes, for the list queries in services/:
//   actions/{p}/all/{n}                 -> Action, every action (its summary row)
//   actions/{p}/state/{STATE}/{n}       by state
//   actions/{p}/owner/{agency}/{n}      by owning agency
//   actions/{p}/due/{yyyy-mm-dd}/{n}    open actions by due date
//   actions/{p}/notes/{n}/{version}     -> ProgressNote, one per note
//   actions/{p}/source/{source}/{n}     by source (escaped: one key segment)
std::string ActionRowPrefix(absl::string_view partnership, absl::string_view index);
// The summary row of action stream `stream` (actions/{p}/all/{n}).
std::string ActionSummaryRow(absl::string_view stream);
// The prefix of action `number`'s note rows, oldest first.
std::string ActionNotesPrefix(absl::string_view partnership, int64_t number);
std::string ActionStream(absl::string_view partnership, int64_t number);
// The prefix of the actions whose source is `source` (e.g. a panel meeting).
std::string ActionSourcePrefix(absl::string_view partnership, absl::string_view source);

}  // namespace casework::workflow::actions

#endif  // CASEWORK_WORKFLOW_ACTIONS_COMMANDS_H_
