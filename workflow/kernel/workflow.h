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
// Definition<State> (definition.h) assembles these into a Workflow, the
// type-erased object the engine (storage/), the services, the registry and
// the generic tests use.
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
