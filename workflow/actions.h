// The partnership action log workflow ("Action — Complete by — Owner").
//
// One stream per action: "partnerships/{p}/actions/{n}". State machine and
// rules: docs/workflows/actions.md. Pure: no I/O, no clock.
#ifndef CASEWORK_WORKFLOW_ACTIONS_H_
#define CASEWORK_WORKFLOW_ACTIONS_H_

#include <string>
#include "absl/strings/string_view.h"
#include <variant>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "casework/v1/actions.pb.h"
#include "workflow/kernel.h"

namespace casework::workflow {

// Every command of the action workflow; the alternative is the request of the
// gRPC method of the same name.
using ActionCommand =
    std::variant<v1::CreateActionRequest, v1::RecordProgressRequest,
                 v1::ChangeDueDateRequest, v1::CompleteActionRequest,
                 v1::CancelActionRequest, v1::ReopenActionRequest,
                 v1::PutActionOnHoldRequest, v1::ResumeActionRequest>;

// "CreateAction", "RecordProgress", ...: the transition table's command name.
absl::string_view CommandName(const ActionCommand& command);

// The transition table of the action workflow.
const TransitionTable& ActionTransitions();

// Checks every field of `command` (names, request_id, text lengths, dates).
// INVALID_ARGUMENT with a BadRequest detail listing each broken rule.
absl::Status ValidateActionCommand(const ActionCommand& command);

// Decides what `command` does to an action in `state`. `state` is empty for a
// new stream (CreateAction only). Needs context.calendar and context.today.
// Errors: FAILED_PRECONDITION with the allowed commands for an illegal
// transition; NOT_FOUND when the action does not exist; INVALID_ARGUMENT for
// a due date that does not change.
absl::StatusOr<Events> DecideAction(const v1::Action& state,
                                    const ActionCommand& command,
                                    const DecideContext& context);

// The name of an action's deadline.
inline constexpr absl::string_view kCompleteBy = "complete_by";

// The action aggregate (apply, rows, timers, state names).
const TypedAggregate<v1::Action>& ActionAggregate();

// Read-model key prefixes, for the list queries in services/.
//   actions/{p}/all/{n}                 every action
//   actions/{p}/state/{STATE}/{n}       by state
//   actions/{p}/owner/{agency}/{n}      by owning agency
//   actions/{p}/due/{yyyy-mm-dd}/{n}    open actions by due date
std::string ActionRowPrefix(absl::string_view partnership, absl::string_view index);
std::string ActionStream(absl::string_view partnership, int64_t number);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_ACTIONS_H_
