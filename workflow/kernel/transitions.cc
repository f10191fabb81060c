#include "workflow/kernel/transitions.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow/common/status.h"

namespace casework::workflow {

const Transition* TransitionTable::Find(absl::string_view state, absl::string_view command) const {
  for (const Transition& t : transitions_) {
    if (t.from == state && t.command == command) return &t;
  }
  return nullptr;
}

absl::Status TransitionTable::Check(absl::string_view stream, absl::string_view state,
                                    absl::string_view command) const {
  if (Find(state, command) != nullptr) return absl::OkStatus();
  return IllegalTransitionError(stream, state, command, Allowed(state));
}

absl::Status TransitionTable::CheckLanding(absl::string_view stream, absl::string_view from,
                                           absl::string_view command,
                                           absl::string_view to) const {
  const Transition* row = Find(from, command);
  if (row != nullptr && std::find(row->to.begin(), row->to.end(), to) != row->to.end()) {
    return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat(
      command, " on ", stream, " in state ", from, " left it in state ", to,
      ", which the transition table does not allow (allowed: ",
      row == nullptr ? std::string("none") : absl::StrJoin(row->to, ", "),
      "); nothing was written"));
}

std::vector<std::string> TransitionTable::Allowed(absl::string_view state) const {
  std::vector<std::string> allowed;
  for (const Transition& t : transitions_) {
    if (t.from == state && std::find(allowed.begin(), allowed.end(), t.command) == allowed.end()) {
      allowed.emplace_back(t.command);
    }
  }
  return allowed;
}

}  // namespace casework::workflow
