// The decide/apply kernel every workflow is written against.
//
// A workflow is a pure state machine over one event stream:
//
//   Decide(state, command, context) -> events | typed error     (no effects)
//   Apply(state, event)             -> state'                   (the only mutator)
//   Rows(state)                     -> read-model rows the state implies
//
// The engine in storage/ loads the state (cache, stored snapshot, or replay),
// calls Decide, folds the new events with Apply, and writes events, rows,
// snapshot and idempotency record in one atomic batch. Replay and read-model
// rebuild use the very same Apply and Rows, so they cannot disagree with the
// live path. Nothing here does I/O, reads a clock or starts a thread: the
// time arrives in DecideContext::now.
#ifndef CASEWORK_WORKFLOW_KERNEL_H_
#define CASEWORK_WORKFLOW_KERNEL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "casework/v1/common.pb.h"
#include "casework/v1/events.pb.h"
#include "google/protobuf/message.h"

namespace casework::workflow {

class Calendar;

// An event produced by Decide, before the engine wraps it in an envelope.
using Event = std::unique_ptr<google::protobuf::Message>;
using Events = std::vector<Event>;

// Builds an Events list from event messages: MakeEvents(std::move(a), b).
template <typename... E>
Events MakeEvents(E&&... events) {
  Events out;
  (out.push_back(std::make_unique<std::decay_t<E>>(std::forward<E>(events))),
   ...);
  return out;
}

// A read-model row: a key in the rows keyspace and its value. Keys are
// namespaced by workflow, e.g. "actions/eastbrook/state/OPEN/000000000003".
struct Row {
  std::string key;
  std::string value;
  friend bool operator==(const Row& a, const Row& b) {
    return a.key == b.key && a.value == b.value;
  }
};

class Aggregate;

// What Decide may know beyond the state and the command.
struct DecideContext {
  // The command's recorded time (injected clock).
  absl::Time now;
  // `now` as a civil date in Europe/London.
  absl::CivilDay today;
  // The working-day calendar in force; null for commands that need none.
  const Calendar* calendar = nullptr;
  // Who issued the command.
  const v1::Actor* actor = nullptr;
  // The stream the command targets, e.g. "partnerships/eastbrook/actions/3".
  absl::string_view stream;
  // The stream's current version; 0 when the stream has no events yet.
  int64_t version = 0;
  // For a command that creates a stream with a partnership-scoped number:
  // the number the engine allocated. 0 otherwise.
  int64_t number = 0;

  // Cross-stream reads for decisions that depend on other streams (the
  // policy in force, a complainant's ledger, officers' workloads). They see
  // every committed write and the writes of earlier commands in the same
  // group, so decisions stay consistent without locks. Null when the caller
  // provides none (pure unit tests set them to fakes).
  //
  // The current state of `stream` of `aggregate` (an empty state, version 0,
  // if it has no events).
  std::function<absl::StatusOr<std::shared_ptr<const google::protobuf::Message>>(
      const Aggregate& aggregate, absl::string_view stream)>
      read_state;
  // Every read-model row whose key starts with `prefix`, in key order.
  std::function<absl::StatusOr<std::vector<Row>>(absl::string_view prefix)> scan_rows;
};

// A durable timer implied by a state: it fires once, at the start of
// `fire_on` (Europe/London), unless the state stops implying it first. `name`
// and `generation` identify it within its stream: a timer that is set again
// gets a new generation and so fires again.
struct TimerSpec {
  std::string name;
  int64_t generation = 0;
  absl::CivilDay fire_on;
  friend bool operator==(const TimerSpec& a, const TimerSpec& b) {
    return a.name == b.name && a.generation == b.generation && a.fire_on == b.fire_on;
  }
};

// The stateless definition of one workflow's stream type. Implementations are
// immutable singletons, safe to share between threads.
class Aggregate {
 public:
  virtual ~Aggregate() = default;

  // Short name, e.g. "action". Identifies the stream type in stored snapshots.
  virtual absl::string_view Name() const = 0;

  // Version of the state shape and Apply semantics. Bump it when Apply changes
  // meaning: stored snapshots of another schema are ignored and the state is
  // rebuilt from the stream's events.
  virtual int StateSchema() const = 0;

  // A new, empty state (the state of a stream with no events).
  virtual std::unique_ptr<google::protobuf::Message> NewState() const = 0;

  // Folds one event into `state`. `envelope` gives the event's metadata (its
  // payload field may be empty); `payload` is the unpacked event. Returns
  // INTERNAL only for an event this aggregate cannot apply (a bug or a
  // corrupt log), never for domain reasons: those are Decide's.
  virtual absl::Status Apply(google::protobuf::Message& state,
                             const v1::EventEnvelope& envelope,
                             const google::protobuf::Message& payload) const = 0;

  // Appends to `rows` every read-model row implied by `state` of `stream`.
  // Must be a pure function of its arguments: the engine diffs the rows of the
  // state before and after a command, and a rebuild recomputes them.
  virtual void Rows(absl::string_view stream,
                    const google::protobuf::Message& state,
                    std::vector<Row>* rows) const = 0;

  // Name of the state `state` is in, e.g. "OPEN"; "NEW" for an empty stream.
  virtual std::string StateName(const google::protobuf::Message& state) const = 0;

  // Appends the timers `state` implies. Pure, like Rows. Default: none.
  virtual void Timers(const google::protobuf::Message& state,
                      std::vector<TimerSpec>* timers) const {}

  // Decides what timer `name` does when it fires. Default: nothing.
  virtual absl::StatusOr<Events> OnTimer(const google::protobuf::Message& state,
                                         absl::string_view name,
                                         const DecideContext& context) const {
    return Events();
  }
};

// Typed convenience base: implement the *Typed methods for State.
template <typename State>
class TypedAggregate : public Aggregate {
 public:
  std::unique_ptr<google::protobuf::Message> NewState() const final {
    return std::make_unique<State>();
  }
  absl::Status Apply(google::protobuf::Message& state,
                     const v1::EventEnvelope& envelope,
                     const google::protobuf::Message& payload) const final {
    return ApplyTyped(static_cast<State&>(state), envelope, payload);
  }
  void Rows(absl::string_view stream, const google::protobuf::Message& state,
            std::vector<Row>* rows) const final {
    RowsTyped(stream, static_cast<const State&>(state), rows);
  }
  std::string StateName(const google::protobuf::Message& state) const final {
    return StateNameTyped(static_cast<const State&>(state));
  }
  void Timers(const google::protobuf::Message& state,
              std::vector<TimerSpec>* timers) const final {
    TimersTyped(static_cast<const State&>(state), timers);
  }
  absl::StatusOr<Events> OnTimer(const google::protobuf::Message& state, absl::string_view name,
                                 const DecideContext& context) const final {
    return OnTimerTyped(static_cast<const State&>(state), name, context);
  }

 protected:
  virtual absl::Status ApplyTyped(State& state, const v1::EventEnvelope& envelope,
                                  const google::protobuf::Message& payload) const = 0;
  virtual void RowsTyped(absl::string_view stream, const State& state,
                         std::vector<Row>* rows) const = 0;
  virtual std::string StateNameTyped(const State& state) const = 0;
  virtual void TimersTyped(const State& state, std::vector<TimerSpec>* timers) const {}
  virtual absl::StatusOr<Events> OnTimerTyped(const State& state, absl::string_view name,
                                              const DecideContext& context) const {
    return Events();
  }
};

// One allowed move of a state machine.
struct Transition {
  absl::string_view from;     // state name, "NEW" for a stream with no events
  absl::string_view command;  // command name, e.g. "CompleteAction"
  absl::string_view to;       // resulting state name (documentation and tests)
};

// A workflow's transitions, in one place. Lookup is linear: tables are small.
class TransitionTable {
 public:
  explicit TransitionTable(std::vector<Transition> transitions)
      : transitions_(std::move(transitions)) {}

  // OK if `command` is allowed in `state`; otherwise FAILED_PRECONDITION with
  // an IllegalTransition detail naming `state` and the allowed commands.
  absl::Status Check(absl::string_view stream, absl::string_view state,
                     absl::string_view command) const;

  // The commands allowed in `state`, in table order.
  std::vector<std::string> Allowed(absl::string_view state) const;

  const std::vector<Transition>& transitions() const { return transitions_; }

 private:
  std::vector<Transition> transitions_;
};

// Unpacks `envelope.payload` into a fresh message of the type it names,
// looked up in the generated descriptor pool. DATA_LOSS if the type is unknown
// or the bytes do not parse.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> UnpackPayload(
    const v1::EventEnvelope& envelope);

// "Foo" for a message of type "casework.v1.Foo".
absl::string_view ShortTypeName(const google::protobuf::Message& message);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_H_
