// A workflow's transition table: the one place that says which command may
// run in which state and which states it may leave the case in.
//
// The table is a checked contract. Before a decision runs, the command must
// have a row for the current state, or it is refused with FAILED_PRECONDITION
// and an IllegalTransition detail listing exactly the commands that state
// allows. After the decided events are applied, the resulting state must be
// one of that row's `to` states, or the command fails with INTERNAL and
// writes nothing (a bug: the appliers and the table disagree). The state
// diagrams in docs/workflows/ are generated from these tables and checked by
// a test.
#ifndef CASEWORK_WORKFLOW_KERNEL_TRANSITIONS_H_
#define CASEWORK_WORKFLOW_KERNEL_TRANSITIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace casework::workflow {

// The state of a stream with no events.
inline constexpr absl::string_view kNewState = "NEW";

// One allowed move: in state `from`, command `command` may run and leaves the
// stream in one of `to`. The strings must outlive the table (tables are built
// from literals and command name constants).
struct Transition {
  absl::string_view from;
  absl::string_view command;
  std::vector<absl::string_view> to;
};

class TransitionTable {
 public:
  TransitionTable() = default;
  explicit TransitionTable(std::vector<Transition> transitions)
      : transitions_(std::move(transitions)) {}

  // The row for `command` in `state`, or null.
  const Transition* Find(absl::string_view state, absl::string_view command) const;

  // OK if `command` is allowed in `state`; otherwise FAILED_PRECONDITION with
  // an IllegalTransition detail naming `state` and the allowed commands.
  absl::Status Check(absl::string_view stream, absl::string_view state,
                     absl::string_view command) const;

  // OK if `command` run in `from` may leave the stream in `to`; otherwise
  // INTERNAL naming the row and what it allows.
  absl::Status CheckLanding(absl::string_view stream, absl::string_view from,
                            absl::string_view command, absl::string_view to) const;

  // The commands allowed in `state`, in table order, each once.
  std::vector<std::string> Allowed(absl::string_view state) const;

  const std::vector<Transition>& transitions() const { return transitions_; }

 private:
  std::vector<Transition> transitions_;
};

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_TRANSITIONS_H_
