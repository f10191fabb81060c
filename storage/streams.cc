// Commands and stream states outside the writer thread: building a
// command and its fingerprint, a timer's entry, and folding a stream's state
// from its state record and events (the engine on a cache miss, and the
// verifier).
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "storage/engine.h"
#include "storage/engine_internal.h"
#include "storage/keys.h"
#include "workflow/common/status.h"

namespace casework::storage {

using engine_internal::kReplayPage;

std::pair<std::string, internal::TimerRecord> TimerEntry(absl::string_view stream,
                                                         const workflow::TimerSpec& spec,
                                                         const absl::TimeZone& time_zone) {
  const absl::Time fire_at = absl::FromCivil(absl::CivilSecond(spec.fire_on), time_zone);
  internal::TimerRecord record;
  record.set_stream(std::string(stream));
  record.set_name(spec.name);
  record.set_generation(spec.generation);
  *record.mutable_fire_at() = engine_internal::ToTimestamp(fire_at);
  return {keys::TimerKey(absl::ToUnixSeconds(fire_at), stream, spec.name, spec.generation),
          std::move(record)};
}

uint64_t Fingerprint(const google::protobuf::Message& message) {
  std::unique_ptr<google::protobuf::Message> copy(message.New());
  copy->CopyFrom(message);
  if (const google::protobuf::FieldDescriptor* field =
          copy->GetDescriptor()->FindFieldByName("request_id")) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&out);
  }
  uint64_t hash = 14695981039346656037ull;  // FNV-1a 64 offset basis
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;  // FNV prime
  }
  return hash;
}

Command MakeCommand(const workflow::CommandType& type,
                    std::shared_ptr<const google::protobuf::Message> request,
                    std::shared_ptr<const workflow::Calendar> calendar) {
  Command c;
  c.type = &type;
  c.meta.method = type.method();
  c.meta.request_id = type.RequestId(*request);
  c.meta.fingerprint = Fingerprint(*request);
  c.address = type.AddressOf(*request);
  c.request = std::move(request);
  c.calendar = std::move(calendar);
  return c;
}

internal::StateRecord StateRecordOf(const workflow::Workflow& workflow, int64_t version,
                                    std::string stored) {
  internal::StateRecord record;
  record.set_aggregate(std::string(workflow.name()));
  record.set_schema(workflow.state_schema());
  record.set_version(version);
  record.set_state(std::move(stored));
  return record;
}

absl::StatusOr<LoadedState> LoadState(const EventStore& store,
                                      const workflow::Workflow& workflow,
                                      absl::string_view stream, uint64_t* replayed_events) {
  ASSIGN_OR_RETURN(std::optional<internal::StateRecord> record, store.GetState(stream));
  std::shared_ptr<google::protobuf::Message> state = workflow.NewState();
  int64_t version = 0;
  if (record.has_value()) {
    if (record->aggregate() != workflow.name()) {
      return absl::InvalidArgumentError(absl::StrCat(stream, " is a ", record->aggregate(),
                                                     " stream, not a ", workflow.name()));
    }
    if (record->schema() == workflow.state_schema()) {
      std::string bytes = std::move(*record->mutable_state());
      if (store.sealer() != nullptr) {
        ASSIGN_OR_RETURN(bytes, store.sealer()->OpenSerialized(std::move(bytes)));
      }
      if (!state->ParseFromString(bytes)) {
        return absl::DataLossError(absl::StrCat("corrupt state record of ", stream));
      }
      version = record->version();
    }
  }
  // Fold the events after the record: fewer than the record interval, or the
  // whole stream after a state schema change.
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events,
                     store.ReadStream(stream, version + 1, kReplayPage));
    for (const v1::EventEnvelope& e : events) {
      ASSIGN_OR_RETURN(std::unique_ptr<google::protobuf::Message> payload,
                       workflow::UnpackPayload(e));
      RETURN_IF_ERROR(workflow.Apply(*state, e, *payload));
      version = e.stream_version();
    }
    if (replayed_events != nullptr) *replayed_events += events.size();
    if (static_cast<int>(events.size()) < kReplayPage) break;
  }
  return LoadedState{std::move(state), version};
}

absl::StatusOr<std::shared_ptr<google::protobuf::Message>> FoldStream(
    const EventStore& store, const workflow::Workflow& workflow, absl::string_view stream,
    int64_t version) {
  std::shared_ptr<google::protobuf::Message> state = workflow.NewState();
  int64_t folded = 0;
  while (folded < version) {
    const int page = static_cast<int>(std::min<int64_t>(kReplayPage, version - folded));
    ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events,
                     store.ReadStream(stream, folded + 1, page));
    if (events.empty()) {
      return absl::DataLossError(
          absl::StrCat(stream, " has ", folded, " events, fewer than ", version));
    }
    for (const v1::EventEnvelope& e : events) {
      ASSIGN_OR_RETURN(std::unique_ptr<google::protobuf::Message> payload,
                       workflow::UnpackPayload(e));
      RETURN_IF_ERROR(workflow.Apply(*state, e, *payload));
      folded = e.stream_version();
    }
  }
  return state;
}

}  // namespace casework::storage
