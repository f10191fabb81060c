#include "services/service_deps.h"

#include "workflow/common/status.h"

namespace casework::services {

absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> ReadRowMessage(
    const storage::EventStore& store, std::string key,
    absl::FunctionRef<std::unique_ptr<google::protobuf::Message>()> make) {
  storage::ParsedRows& parsed = store.parsed_rows();
  if (std::optional<std::shared_ptr<const google::protobuf::Message>> kept = parsed.Find(key)) {
    return *std::move(kept);
  }
  const uint64_t generation = parsed.generation();
  absl::StatusOr<std::optional<std::string>> row = store.GetRow(key);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return nullptr;
  std::shared_ptr<google::protobuf::Message> message = make();
  if (!message->ParseFromString(**row)) return absl::DataLossError("corrupt row " + key);
  parsed.Put(std::move(key), message, (*row)->size(), generation);
  return message;
}

absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> ReadStateMessage(
    const storage::EventStore& store, const workflow::Workflow& workflow,
    const std::string& stream) {
  if (std::string key = workflow.SummaryRowKey(stream); !key.empty()) {
    ASSIGN_OR_RETURN(std::shared_ptr<const google::protobuf::Message> state,
                     ReadRowMessage(store, std::move(key), [&] { return workflow.NewState(); }));
    if (state == nullptr) return NotFoundFor(stream);
    return state;
  }
  absl::StatusOr<storage::LoadedState> loaded = storage::LoadState(store, workflow, stream);
  if (!loaded.ok()) return loaded.status();
  if (loaded->version == 0) return NotFoundFor(stream);
  return loaded->state;
}

}  // namespace casework::services
