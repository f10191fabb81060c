// Events as decisions produce them, and the helpers to build and read them.
//
// A decision returns a list of event messages (the payloads); the engine wraps
// each in a casework.v1.EventEnvelope (stream, version, position, time, actor,
// and the event's meaning version) and folds it with the workflow's applier.
//
// Stored forever: an event's message name (its type URL) and field numbers
// are part of every history written with it. Never rename or renumber an
// event message or its fields; when an event's meaning must change, register a
// new applier version (Definition::On(..., version)) and keep the old one, so
// old histories replay exactly as they were decided.
#ifndef CASEWORK_WORKFLOW_KERNEL_EVENTS_H_
#define CASEWORK_WORKFLOW_KERNEL_EVENTS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "casework/v1/events.pb.h"
#include "google/protobuf/message.h"
#include "workflow/kernel/context.h"

namespace casework::workflow {

// An event produced by a decision, before the engine wraps it in an envelope.
using Event = std::unique_ptr<google::protobuf::Message>;
using Events = std::vector<Event>;

// Builds an Events list from event messages: MakeEvents(std::move(a), b).
template <typename... E>
Events MakeEvents(E&&... events) {
  Events out;
  (out.push_back(std::make_unique<std::decay_t<E>>(std::forward<E>(events))), ...);
  return out;
}

// The events one decision emits, in order. Knows the stream version each
// will get, for events that record it (a deadline's set_at_version).
class Decision {
 public:
  explicit Decision(const DecideContext& context) : context_(context) {}

  template <typename E>
  void Emit(E event) {
    static_assert(std::is_base_of_v<google::protobuf::Message, E>, "events are messages");
    events_.push_back(std::make_unique<E>(std::move(event)));
  }
  // Emits `event` if it has a value.
  template <typename E>
  void Emit(std::optional<E> event) {
    if (event.has_value()) Emit(*std::move(event));
  }
  // Emits every event of `events`, in order.
  template <typename E>
  void EmitAll(std::vector<E> events) {
    for (E& e : events) Emit(std::move(e));
  }

  // The stream version the next emitted event will have.
  int64_t NextVersion() const {
    return context_.version + static_cast<int64_t>(events_.size()) + 1;
  }
  const DecideContext& context() const { return context_; }
  const Events& events() const { return events_; }
  Events Take() { return std::move(events_); }

 private:
  const DecideContext& context_;
  Events events_;
};

// Unpacks `envelope.payload` into a fresh message of the type it names,
// looked up in the generated descriptor pool. DATA_LOSS if the type is unknown
// or the bytes do not parse.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> UnpackPayload(
    const v1::EventEnvelope& envelope);

// "Foo" for a message of type "casework.v1.Foo".
absl::string_view ShortTypeName(const google::protobuf::Message& message);

// The meaning version of an envelope's payload: event_version, or 1 when it
// is unset (every event written before versions were recorded).
inline int EventVersionOf(const v1::EventEnvelope& envelope) {
  return envelope.event_version() == 0 ? 1 : envelope.event_version();
}

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_EVENTS_H_
