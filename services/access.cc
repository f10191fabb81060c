#include "services/access.h"

#include <memory>

#include "services/call_context.h"
#include "storage/engine.h"
#include "workflow/kernel/workflow.h"

namespace casework::services {

absl::StatusOr<bool> ReadFilter::MayRead(absl::string_view stream) {
  const workflow::Workflow* workflow = deps_.registry->ForStream(stream);
  if (workflow == nullptr || !workflow->restricted()) return true;
  if (!actor_) return false;
  if (auto it = verdicts_.find(stream); it != verdicts_.end()) return it->second;
  bool verdict = false;
  const std::string key = workflow->SummaryRowKey(stream);
  if (!key.empty()) {
    absl::StatusOr<std::optional<std::string>> row = deps_.store->GetRow(key);
    if (!row.ok()) return row.status();
    if (row->has_value()) {
      std::unique_ptr<google::protobuf::Message> state = workflow->NewState();
      if (!state->ParseFromString(**row)) {
        return absl::DataLossError("corrupt summary row " + key);
      }
      verdict = workflow->MayRead(*state, *actor_);
    }
  } else {
    absl::StatusOr<storage::LoadedState> loaded =
        storage::LoadState(*deps_.store, *workflow, std::string(stream));
    if (!loaded.ok()) return loaded.status();
    verdict = loaded->version > 0 && workflow->MayRead(*loaded->state, *actor_);
  }
  verdicts_.emplace(std::string(stream), verdict);
  return verdict;
}

std::optional<v1::Actor> OptionalActor(const grpc::ServerContextBase& context) {
  absl::StatusOr<v1::Actor> actor = ActorFromMetadata(context);
  if (!actor.ok()) return std::nullopt;
  return *std::move(actor);
}

}  // namespace casework::services
