// Definition<State>: how a workflow's folder assembles its Workflow
// (workflow.h has the kit's contracts; docs/adding-a-workflow.md the recipe).
#ifndef CASEWORK_WORKFLOW_KERNEL_DEFINITION_H_
#define CASEWORK_WORKFLOW_KERNEL_DEFINITION_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow {

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

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_DEFINITION_H_
