// The workflow kit: how every workflow of casework is defined.
//
// A workflow is a pure state machine over one kind of event stream (one case
// review, one action, one complaint). Its definition, written once in its own
// folder, says:
//
//   * its identity (WorkflowInfo): the stored name of its state records, the
//     collection of its streams, its gRPC service and its doc;
//   * its states and its transition table (transitions.h);
//   * its commands (command.h): per command a request type, a target, a
//     validation of the request's own fields and a decision
//       absl::Status Decide(const State&, const Request&, const DecideContext&, Decision&)
//     that emits events or returns a typed error, and never does I/O;
//   * one applier per event type and version, the only code that changes a
//     state (replay and rebuild use the same appliers);
//   * its read-model rows and their namespaces, its durable timers, its
//     replies and its section of the partnership policy.
//
// Definition<State> assembles these into a Workflow, the type-erased object
// the engine (storage/), the services, the registry and the generic tests use.
// docs/adding-a-workflow.md is the recipe.
//
// Contracts the kernel promises and asks for:
//   * Decisions, appliers, rows, timers and replies run on the engine's single
//     writer thread, one command at a time: they must be pure, must not block
//     and must not read a clock. Their cost is paid by every caller waiting
//     behind them.
//   * Rows and Timers are pure functions of the state; the engine diffs them
//     before and after each command, and a rebuild recomputes them from the
//     log, so both must give the same answer.
//   * Stored forever: WorkflowInfo::name (in every state record),
//     WorkflowInfo::collection (in every stream name), command names (the
//     scope of request_ids), event message names and field numbers (in every
//     history). Never rename or renumber them.
#ifndef CASEWORK_WORKFLOW_KERNEL_WORKFLOW_H_
#define CASEWORK_WORKFLOW_KERNEL_WORKFLOW_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "casework/v1/common.pb.h"
#include "casework/v1/data_protection.pb.h"
#include "casework/v1/events.pb.h"
#include "casework/v1/policy.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/command.h"
#include "workflow/kernel/context.h"
#include "workflow/kernel/events.h"
#include "workflow/kernel/outbox.h"
#include "workflow/kernel/transitions.h"
#include "workflow/kernel/typed_command.h"

namespace casework::workflow {

// Whether a workflow's streams may be shared, for reading, with agencies
// that are not parties (Definition::ReadAccess).
enum class Sharing {
  kByPolicy,  // as the partnership's policy says (Policy.access)
  kNever,     // never: parties only (death reviews before publication)
};

// The row namespace of retention (Definition::Retention): every closed case
// of a workflow with retention has the row
//   retention/{p}/closed/{collection}/{closing time, Unix seconds}/{number}
// whose value is the case's stream name.
inline constexpr absl::string_view kRetentionNamespace = "retention";
std::string RetentionClosedPrefix(absl::string_view partnership, absl::string_view collection);

// Who a workflow is.
struct WorkflowInfo {
  // Short stored name, e.g. "case_review": recorded in every state record.
  absl::string_view name;
  // The collection segment of its stream names: "caseReviews" in
  // "partnerships/{p}/caseReviews/{n}"; for a stream outside partnerships,
  // its first segment ("calendars" in "calendars/england-and-wales").
  absl::string_view collection;
  // Version of the state shape and the appliers' semantics. Bump it when the
  // state message changes meaning: stored state records of another schema
  // are ignored and the state is rebuilt from the stream's events.
  int state_schema = 1;
  // The fully qualified gRPC service that runs its commands, e.g.
  // "casework.v1.CaseReviewService".
  absl::string_view service;
  // The repository path of the doc whose transition section is generated from
  // the table, e.g. "docs/workflows/case-review.md"; empty for none.
  absl::string_view doc;
};

// A workflow's section of the partnership policy document (a field of
// casework.v1.Policy). The workflow validates and defaults its own section;
// the document as a whole requires none.
struct PolicySection {
  // The field of casework.v1.Policy, e.g. "case_review".
  absl::string_view field;
  // Checks a present section, reporting field paths that start with
  // "<field>.", e.g. "case_review.threshold.complaint_count".
  void (*validate)(const v1::Policy& policy, FieldErrors& errors) = nullptr;
  // Writes the section a new partnership starts from into `policy`.
  void (*set_default)(absl::string_view partnership, v1::Policy* policy) = nullptr;
};

class Workflow {
 public:
  const WorkflowInfo& info() const { return info_; }
  absl::string_view name() const { return info_.name; }
  absl::string_view collection() const { return info_.collection; }
  int state_schema() const { return info_.state_schema; }
  absl::string_view service() const { return info_.service; }

  // A new, empty state: the state of a stream with no events.
  std::unique_ptr<google::protobuf::Message> NewState() const { return new_state_(); }

  // Folds one event into `state` with the applier registered for its type and
  // meaning version. INTERNAL for an event this workflow has no applier for
  // (a bug or a corrupt log), never for domain reasons: those are decided.
  absl::Status Apply(google::protobuf::Message& state, const v1::EventEnvelope& envelope,
                     const google::protobuf::Message& payload) const;

  // The meaning version new events of `type` are recorded with (the highest
  // registered applier version); 0 for a type without applier.
  int CurrentEventVersion(const google::protobuf::Descriptor* type) const;

  // The name of the state `state` is in, e.g. "OPEN"; kNewState ("NEW") for
  // an empty stream.
  std::string StateName(const google::protobuf::Message& state) const {
    return state_name_(state);
  }
  // Every state name, kNewState first.
  const std::vector<std::string>& states() const { return states_; }

  // Appends every read-model row `state` of `stream` implies. INTERNAL if a
  // row falls outside the workflow's declared row namespaces.
  absl::Status Rows(absl::string_view stream, const google::protobuf::Message& state,
                    std::vector<Row>* rows) const;
  // Rows() without the summary row: what the engine diffs before and after
  // a command (it rewrites the summary row whenever the state changes).
  absl::Status IndexRows(absl::string_view stream, const google::protobuf::Message& state,
                         std::vector<Row>* rows) const;
  // Appends the rows event `payload` (of `envelope`) adds for good: an
  // entry of an unbounded list (a progress note) kept out of the state.
  // Written with the event, never removed by a later state; rebuilt from the
  // log like every row. INTERNAL outside the row namespaces.
  absl::Status EventRows(absl::string_view stream, const v1::EventEnvelope& envelope,
                         const google::protobuf::Message& payload, std::vector<Row>* rows) const;
  // The key of the row that holds the state itself (Definition::SummaryRow),
  // so reads take one row instead of folding events; empty for none.
  std::string SummaryRowKey(absl::string_view stream) const {
    return summary_row_ ? summary_row_(stream) : std::string();
  }
  // The namespaces (first key segment) of its rows, e.g. {"caseReviews",
  // "deadlines"}.
  const std::vector<std::string>& row_namespaces() const { return row_namespaces_; }

  // The messages it sends other workflows (kernel/outbox.h), in the order
  // they were declared.
  const std::vector<OutboxRoute>& outbox() const { return outbox_; }

  // Appends the durable timers `state` implies.
  void Timers(const google::protobuf::Message& state, std::vector<TimerSpec>* timers) const;

  const TransitionTable& transitions() const { return transitions_; }

  // The commands, in the order they were defined.
  const std::vector<const CommandType*>& commands() const { return command_list_; }
  // The command called `name`, or null.
  const CommandType* FindCommand(absl::string_view name) const;
  // The command `name` declares. REQUIRES: it is defined (checked: a command
  // constant without a definition is a bug, and aborts).
  template <typename Request>
  const CommandType& Command(CommandName<Request> name) const;
  // The built-in command that fires a durable timer (method
  // "casework.internal.Timers/Fire", request casework.internal.FireTimerRequest).
  // Not in the transition table: it may run in any state and must leave the
  // state name unchanged.
  const CommandType& timer_command() const { return *timer_command_; }

  // Decides `command` on `state`: NOT_FOUND for a command on an existing
  // stream that has no events, and the same NOT_FOUND when the actor may not
  // read the stream (MayRead: the refusal does not tell whether the stream
  // exists; ALREADY_EXISTS KEY_HELD_BY_ANOTHER_PARTY for a create whose
  // natural key found such a stream); FAILED_PRECONDITION (IllegalTransition) when
  // the table has no row for the current state; else the command's decision.
  absl::StatusOr<Events> Decide(const CommandType& command, const google::protobuf::Message& state,
                                const google::protobuf::Message& request,
                                const DecideContext& context) const;

  // OK if `command`, run in state `from`, may leave the stream in the state
  // of `next`; INTERNAL otherwise (see transitions.h).
  absl::Status CheckLanding(const CommandType& command, absl::string_view stream,
                            absl::string_view from, const google::protobuf::Message& next) const;

  // The partnership policy version `state` is pinned to, recorded on every
  // event of the stream (EventEnvelope.policy_version); 0 for a workflow
  // whose streams are not pinned to a policy.
  int64_t PinnedPolicyVersion(const google::protobuf::Message& state) const {
    return pinned_policy_ ? pinned_policy_(state) : 0;
  }

  // True if the workflow restricts who may read its streams (ReadAccess).
  bool restricted() const { return static_cast<bool>(read_access_); }
  // True if the partnership's policy may share the workflow's streams with
  // agencies that are not parties (Policy.access; ReadAccess's `sharing`).
  bool shareable() const { return restricted() && sharing_ == Sharing::kByPolicy; }
  // True if `actor` is a party to `state` (a stream of this workflow), and
  // so may read it and act on it: always for a workflow without ReadAccess,
  // and for the engine itself. A policy share (read only) is the services'
  // to add (services/access.h).
  bool MayRead(const google::protobuf::Message& state, const v1::Actor& actor) const {
    return !read_access_ || IsEngineActor(actor) || read_access_(state, actor);
  }

  // Retention (Definition::Retention): true if its streams are cases kept
  // for a period after they close, then reviewed (docs/data-protection.md).
  bool has_retention() const { return static_cast<bool>(closed_at_); }
  // When the case `state` closed, the time its retention period runs from;
  // nullopt while it is open (or for a workflow without retention).
  std::optional<absl::Time> ClosedAt(const google::protobuf::Message& state) const {
    if (!closed_at_) return std::nullopt;
    const int64_t seconds = closed_at_(state);
    if (seconds <= 0) return std::nullopt;
    return absl::FromUnixSeconds(seconds);
  }

  // Appends the erasures event `payload` records (Definition::Erases): the
  // engine destroys their keys once the event is durable (storage/
  // erasure.h). Appends nothing for other events.
  void ErasuresOf(const google::protobuf::Message& payload, std::vector<v1::Erasure>* out) const {
    if (auto it = erasures_.find(payload.GetDescriptor()); it != erasures_.end()) {
      it->second(payload, out);
    }
  }

  // The section of the policy document this workflow owns, or null.
  const PolicySection* policy_section() const {
    return policy_section_.field.empty() ? nullptr : &policy_section_;
  }

  // Every event type with an applier, by full name, sorted.
  std::vector<std::string> EventTypes() const;

  ~Workflow();
  Workflow(const Workflow&) = delete;
  Workflow& operator=(const Workflow&) = delete;

 private:
  template <typename State>
  friend class Definition;
  using Applier = std::function<void(google::protobuf::Message&, const v1::EventEnvelope&,
                                     const google::protobuf::Message&)>;
  using RowsFn = std::function<void(absl::string_view, const google::protobuf::Message&,
                                    std::vector<Row>*)>;
  using EventRowsFn = std::function<void(absl::string_view, const v1::EventEnvelope&,
                                         const google::protobuf::Message&, std::vector<Row>*)>;
  using TimersFn =
      std::function<void(const google::protobuf::Message&, std::vector<TimerSpec>*)>;
  using OnTimerFn = std::function<absl::StatusOr<Events>(
      const google::protobuf::Message&, absl::string_view, const DecideContext&)>;

  explicit Workflow(WorkflowInfo info);
  // Checks the definition is whole and consistent; aborts naming the problem
  // otherwise (a definition is code: any test that touches it fails).
  void Finish();
  void AddCommand(std::unique_ptr<CommandType> command);

  WorkflowInfo info_;
  std::function<std::unique_ptr<google::protobuf::Message>()> new_state_;
  std::function<void(google::protobuf::Message&, const v1::EventEnvelope&)> stamp_;
  std::function<std::string(const google::protobuf::Message&)> state_name_;
  std::vector<std::string> states_;
  // Appliers by event type; index v-1 holds meaning version v.
  absl::flat_hash_map<const google::protobuf::Descriptor*, std::vector<Applier>> appliers_;
  // Appends the retention row of a closed case (kRetentionNamespace).
  void RetentionRow(absl::string_view stream, const google::protobuf::Message& state,
                    std::vector<Row>* rows) const;
  // INTERNAL unless every row from `first` on is under a row namespace.
  absl::Status CheckRowNamespaces(const std::vector<Row>& rows, size_t first) const;

  std::vector<RowsFn> rows_;
  std::function<std::string(absl::string_view)> summary_row_;
  absl::flat_hash_map<const google::protobuf::Descriptor*, EventRowsFn> event_rows_;
  std::vector<std::string> row_namespaces_;
  std::vector<TimersFn> timers_;
  std::vector<OutboxRoute> outbox_;
  OnTimerFn on_timer_;
  std::function<int64_t(const google::protobuf::Message&)> pinned_policy_;
  std::function<bool(const google::protobuf::Message&, const v1::Actor&)> read_access_;
  std::function<int64_t(const google::protobuf::Message&)> closed_at_;
  absl::flat_hash_map<const google::protobuf::Descriptor*,
                      std::function<void(const google::protobuf::Message&,
                                         std::vector<v1::Erasure>*)>>
      erasures_;
  Sharing sharing_ = Sharing::kByPolicy;
  TransitionTable transitions_;
  std::vector<std::unique_ptr<CommandType>> owned_commands_;
  std::vector<const CommandType*> command_list_;
  absl::flat_hash_map<absl::string_view, const CommandType*> commands_;
  std::unique_ptr<CommandType> timer_command_;
  PolicySection policy_section_;
};


// Options of one command being defined (returned by Definition::Create and
// friends).
template <typename State, typename Request>
class CommandOptions {
 public:
  explicit CommandOptions(kernel_internal::TypedCommand<State, Request>* command)
      : command_(command) {}
  // For a kCreate command: the natural key of the new stream (Address).
  CommandOptions& NaturalKey(std::string (*key)(const Request&)) {
    command_->natural_key_ = key;
    return *this;
  }
  // This command's reply instead of the workflow's default.
  template <typename Response>
  CommandOptions& Reply(Response (*reply)(const State&, const Request&, const v1::CommitInfo&)) {
    command_->reply_ = [reply](const State& s, const Request& r, const v1::CommitInfo& c) {
      return reply(s, r, c).SerializeAsString();
    };
    return *this;
  }

 private:
  kernel_internal::TypedCommand<State, Request>* command_;
};

// Builds a Workflow over state message `State`. Typical use, in the
// workflow's own folder:
//
//   const Workflow& ActionWorkflow() {
//     static const Workflow* workflow = [] {
//       Definition<v1::Action> d({"action", "actions", 1, "casework.v1.ActionService",
//                                 "docs/workflows/actions.md"});
//       d.StateField(&v1::Action::state);
//       d.Transitions({{"NEW", kCreateAction.name, {"OPEN"}}, ...});
//       d.Create(kCreateAction, DecideCreate, ValidateCreate);
//       d.On<v1::ActionCreated>(ApplyCreated);
//       d.Rows(ActionRows, {"actions"});
//       d.Reply(ActionReply);
//       return std::move(d).Build();
//     }();
//     return *workflow;
//   }
template <typename State>
class Definition {
 public:
  template <typename Request>
  using DecideFn = absl::Status (*)(const State&, const Request&, const DecideContext&, Decision&);
  template <typename Request>
  using ValidateFn = void (*)(const Request&, const ValidateContext&, FieldErrors&);

  explicit Definition(WorkflowInfo info) : workflow_(new Workflow(info)) {
    workflow_->new_state_ = [] { return std::make_unique<State>(); };
    workflow_->stamp_ = [](google::protobuf::Message& message, const v1::EventEnvelope& envelope) {
      State& state = kernel_internal::AsMutable<State>(message);
      if constexpr (kernel_internal::HasVersion<State>::value) {
        state.set_version(envelope.stream_version());
      }
      if constexpr (kernel_internal::HasUpdateTime<State>::value) {
        *state.mutable_update_time() = envelope.recorded_time();
      }
    };
  }

  // The state's name from a function, and every state name it can return
  // (kNewState included).
  Definition& States(std::string (*state_name)(const State&), std::vector<std::string> states) {
    workflow_->state_name_ = [state_name](const google::protobuf::Message& m) {
      return state_name(kernel_internal::As<State>(m));
    };
    workflow_->states_ = std::move(states);
    return *this;
  }
  // The state's name is the name of its enum field `field` (e.g.
  // &v1::Action::state); the enum's zero value is kNewState.
  template <typename Enum>
  Definition& StateField(Enum (State::*field)() const) {
    const google::protobuf::EnumDescriptor* e = google::protobuf::GetEnumDescriptor<Enum>();
    workflow_->state_name_ = [field, e](const google::protobuf::Message& m) {
      const int value = (kernel_internal::As<State>(m).*field)();
      if (value == 0) return std::string(kNewState);
      const google::protobuf::EnumValueDescriptor* v = e->FindValueByNumber(value);
      return v == nullptr ? absl::StrCat(value) : v->name();
    };
    workflow_->states_ = {std::string(kNewState)};
    for (int i = 0; i < e->value_count(); ++i) {
      if (e->value(i)->number() != 0) workflow_->states_.push_back(e->value(i)->name());
    }
    return *this;
  }

  Definition& Transitions(std::vector<Transition> table) {
    workflow_->transitions_ = TransitionTable(std::move(table));
    return *this;
  }

  // A command that creates a new numbered stream under request.parent().
  template <typename Request>
  CommandOptions<State, Request> Create(CommandName<Request> name, DecideFn<Request> decide,
                                        ValidateFn<Request> validate = nullptr) {
    static_assert(kernel_internal::HasParent<Request>::value,
                  "a Create command's request needs a parent field");
    return CommandOptions<State, Request>(Add(name, Target::kCreate, decide, validate));
  }
  // A command on the existing stream request.name().
  template <typename Request>
  CommandOptions<State, Request> Update(CommandName<Request> name, DecideFn<Request> decide,
                                        ValidateFn<Request> validate = nullptr) {
    static_assert(kernel_internal::HasName<Request>::value,
                  "an Update command's request needs a name field");
    return CommandOptions<State, Request>(Add(name, Target::kExisting, decide, validate));
  }
  // A command on the stream `stream` derives from the request.
  template <typename Request>
  CommandOptions<State, Request> OnDerivedStream(CommandName<Request> name,
                                                 std::string (*stream)(const Request&),
                                                 DecideFn<Request> decide,
                                                 ValidateFn<Request> validate = nullptr) {
    kernel_internal::TypedCommand<State, Request>* command =
        Add(name, Target::kDerived, decide, validate);
    command->stream_ = stream;
    return CommandOptions<State, Request>(command);
  }

  // The applier of event type E in meaning version `version` (1 for the
  // first). Each (type, version) has exactly one applier.
  template <typename E>
  Definition& On(void (*apply)(State&, const E&, const v1::EventEnvelope&), int version = 1) {
    AddApplier(E::descriptor(), version,
               [apply](google::protobuf::Message& s, const v1::EventEnvelope& env,
                       const google::protobuf::Message& e) {
                 apply(kernel_internal::AsMutable<State>(s), kernel_internal::As<E>(e), env);
               });
    return *this;
  }
  template <typename E>
  Definition& On(void (*apply)(State&, const E&), int version = 1) {
    AddApplier(E::descriptor(), version,
               [apply](google::protobuf::Message& s, const v1::EventEnvelope&,
                       const google::protobuf::Message& e) {
                 apply(kernel_internal::AsMutable<State>(s), kernel_internal::As<E>(e));
               });
    return *this;
  }
  // True if E already has an applier (shared event families, such as the
  // deadline events, register only what the workflow did not).
  template <typename E>
  bool Applies() const {
    return workflow_->appliers_.contains(E::descriptor());
  }

  // Rows `state` implies, all under the given namespaces (first key
  // segments). May be called more than once; the rows add up.
  Definition& Rows(std::function<void(absl::string_view stream, const State&, std::vector<Row>*)> rows,
                   std::vector<std::string> namespaces) {
    workflow_->rows_.push_back([rows](absl::string_view stream, const google::protobuf::Message& m,
                                      std::vector<Row>* out) {
      rows(stream, kernel_internal::As<State>(m), out);
    });
    for (std::string& n : namespaces) workflow_->row_namespaces_.push_back(std::move(n));
    return *this;
  }
  // The row `key(stream)` holds the whole state (not NEW) for reads: Get and
  // List answer from it without folding events. Its namespace must be
  // declared with Rows. The state must be bounded (keep unbounded lists in
  // EventRows), since the row is rewritten by every command.
  Definition& SummaryRow(std::string (*key)(absl::string_view stream)) {
    workflow_->summary_row_ = key;
    return *this;
  }
  // Rows event type E adds for good (Workflow::EventRows), all under the
  // given namespaces. At most one function per event type.
  template <typename E>
  Definition& EventRows(void (*rows)(absl::string_view stream, const E& event,
                                     const v1::EventEnvelope& envelope, std::vector<Row>* out),
                        std::vector<std::string> namespaces) {
    if (!workflow_->event_rows_
             .emplace(E::descriptor(),
                      [rows](absl::string_view stream, const v1::EventEnvelope& env,
                             const google::protobuf::Message& e, std::vector<Row>* out) {
                        rows(stream, kernel_internal::As<E>(e), env, out);
                      })
             .second) {
      AbortWithMessage(absl::StrCat("workflow ", workflow_->name(), ": event rows of ",
                                    E::descriptor()->full_name(), " defined twice"));
    }
    for (std::string& n : namespaces) workflow_->row_namespaces_.push_back(std::move(n));
    return *this;
  }
  // A kind of message this workflow sends another (kernel/outbox.h). Its
  // prefix must be under a namespace declared with Rows. May be called more
  // than once.
  Definition& Outbox(OutboxRoute route) {
    workflow_->outbox_.push_back(std::move(route));
    return *this;
  }
  // Timers `state` implies. May be called more than once.
  Definition& Timers(std::function<void(const State&, std::vector<TimerSpec>*)> timers) {
    workflow_->timers_.push_back([timers](const google::protobuf::Message& m,
                                          std::vector<TimerSpec>* out) {
      timers(kernel_internal::As<State>(m), out);
    });
    return *this;
  }
  // What a timer decides when it fires. At most one.
  Definition& OnTimer(
      std::function<absl::StatusOr<Events>(const State&, absl::string_view, const DecideContext&)>
          on_timer) {
    workflow_->on_timer_ = [on_timer](const google::protobuf::Message& m, absl::string_view name,
                                      const DecideContext& context) {
      return on_timer(kernel_internal::As<State>(m), name, context);
    };
    return *this;
  }

  // The reply of every command that does not set its own.
  template <typename Response>
  Definition& Reply(Response (*reply)(const State&, const v1::CommitInfo&)) {
    *default_reply_ = [reply](const State& s, const v1::CommitInfo& c) {
      return reply(s, c).SerializeAsString();
    };
    return *this;
  }

  // The policy version a state is pinned to (see
  // Workflow::PinnedPolicyVersion). Default: none (0).
  Definition& PinnedPolicy(int64_t (*version)(const State&)) {
    workflow_->pinned_policy_ = [version](const google::protobuf::Message& m) {
      return version(kernel_internal::As<State>(m));
    };
    return *this;
  }

  // Who may read a stream and act on it, its parties: `may_read(state,
  // actor)`, from the state alone (the agencies named on the case, the roles
  // that oversee the case type). The engine itself is always a party.
  // Decide refuses a command on an existing stream whose party the actor is
  // not with the NOT_FOUND a missing stream gets, before the table is
  // consulted (so the refusal tells nothing of the stream or its state); the
  // services filter every read the same way (services/access.h), adding
  // the agencies the policy shares the workflow with when `sharing` is
  // kByPolicy. Default: everyone reads everything.
  Definition& ReadAccess(bool (*may_read)(const State&, const v1::Actor&),
                         Sharing sharing = Sharing::kByPolicy) {
    workflow_->read_access_ = [may_read](const google::protobuf::Message& m,
                                         const v1::Actor& actor) {
      return may_read(kernel_internal::As<State>(m), actor);
    };
    workflow_->sharing_ = sharing;
    return *this;
  }

  // The workflow's streams are cases under the partnership's retention
  // schedule (docs/data-protection.md): `closed_at(state)` is when the case
  // closed, in Unix seconds, or 0 while it is open. The kit then indexes
  // every closed case by its closing time under the "retention" row
  // namespace (kRetentionClosedRow), which the retention review reads.
  Definition& Retention(int64_t (*closed_at)(const State&)) {
    workflow_->closed_at_ = [closed_at](const google::protobuf::Message& m) {
      return closed_at(kernel_internal::As<State>(m));
    };
    workflow_->row_namespaces_.push_back(std::string(kRetentionNamespace));
    return *this;
  }

  // Events of type E record erasures: `erasures(event, out)` appends them.
  // Once such an event is durable the engine destroys the keys the
  // erasures name and derives again what used them (storage/erasure.h).
  template <typename E>
  Definition& Erases(void (*erasures)(const E& event, std::vector<v1::Erasure>* out)) {
    workflow_->erasures_.emplace(E::descriptor(), [erasures](const google::protobuf::Message& e,
                                                             std::vector<v1::Erasure>* out) {
      erasures(kernel_internal::As<E>(e), out);
    });
    return *this;
  }

  Definition& Policy(PolicySection section) {
    workflow_->policy_section_ = section;
    return *this;
  }

  // The finished workflow. Aborts naming the problem if the definition is
  // not whole (a command missing from the table or the table naming an
  // undefined command, an unknown state, a command without a reply).
  const Workflow* Build() && {
    for (const auto& set_default : reply_defaults_) set_default();
    workflow_->Finish();
    return workflow_.release();
  }

 private:
  template <typename Request>
  kernel_internal::TypedCommand<State, Request>* Add(CommandName<Request> name, Target target,
                                                     DecideFn<Request> decide,
                                                     ValidateFn<Request> validate) {
    auto command = std::make_unique<kernel_internal::TypedCommand<State, Request>>(
        workflow_.get(), name, target, decide, validate);
    kernel_internal::TypedCommand<State, Request>* raw = command.get();
    reply_defaults_.push_back([workflow = workflow_.get(), default_reply = default_reply_, raw] {
      if (raw->reply_) return;
      if (!*default_reply) {
        AbortWithMessage(absl::StrCat("workflow ", workflow->name(), ": command ", raw->name(),
                                      " has no reply (set Definition::Reply)"));
      }
      raw->reply_ = [reply = *default_reply](const State& s, const Request&,
                                             const v1::CommitInfo& c) { return reply(s, c); };
    });
    workflow_->AddCommand(std::move(command));
    return raw;
  }
  void AddApplier(const google::protobuf::Descriptor* type, int version, Workflow::Applier applier) {
    std::vector<Workflow::Applier>& versions = workflow_->appliers_[type];
    if (version < 1 || version != static_cast<int>(versions.size()) + 1) {
      AbortWithMessage(absl::StrCat("workflow ", workflow_->name(), ": applier of ",
                                    type->full_name(), " version ", version,
                                    " must follow version ", versions.size(),
                                    " (each type and version has exactly one applier)"));
    }
    versions.push_back(std::move(applier));
  }

  std::unique_ptr<Workflow> workflow_;
  // Shared with the closures in reply_defaults_, so a Definition can move.
  std::shared_ptr<std::function<std::string(const State&, const v1::CommitInfo&)>> default_reply_ =
      std::make_shared<std::function<std::string(const State&, const v1::CommitInfo&)>>();
  // Run by Build: gives commands without a reply of their own the default.
  std::vector<std::function<void()>> reply_defaults_;
};

template <typename Request>
const CommandType& Workflow::Command(CommandName<Request> name) const {
  const CommandType* command = FindCommand(name.name);
  if (command == nullptr || command->request_type() != Request::descriptor()) {
    AbortWithMessage(absl::StrCat("workflow ", info_.name, " has no command ", name.name,
                                  " taking ", Request::descriptor()->full_name()));
  }
  return *command;
}

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_WORKFLOW_H_
