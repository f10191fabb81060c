#include "services/access.h"

#include <memory>

#include "workflow/kernel/workflow.h"

namespace casework::services {

absl::StatusOr<bool> ReadFilter::MayRead(absl::string_view stream) {
  const workflow::Workflow* workflow = deps_.registry->ForStream(stream);
  if (workflow == nullptr || !workflow->restricted()) return true;
  if (auto it = verdicts_.find(stream); it != verdicts_.end()) return it->second;
  absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> state =
      ReadStateMessage(*deps_.store, *workflow, std::string(stream));
  if (!state.ok() && !absl::IsNotFound(state.status())) return state.status();
  const bool verdict = state.ok() && workflow->MayRead(**state, actor_);
  verdicts_.emplace(std::string(stream), verdict);
  return verdict;
}

}  // namespace casework::services
