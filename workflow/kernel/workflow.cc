#include "workflow/kernel/workflow.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "casework/internal/records.pb.h"

namespace casework::workflow {

absl::string_view CommandType::collection() const { return workflow_->collection(); }

namespace {

constexpr absl::string_view kTimerMethod = "casework.internal.Timers/Fire";

// The built-in command every workflow has: fire one of its durable timers.
class TimerCommand final : public CommandType {
 public:
  TimerCommand(const Workflow* workflow, std::function<absl::StatusOr<Events>(
                                             const google::protobuf::Message&, absl::string_view,
                                             const DecideContext&)>
                                             on_timer)
      : CommandType(workflow, "FireTimer", Target::kDerived), on_timer_(std::move(on_timer)) {}

  const google::protobuf::Descriptor* request_type() const override {
    return internal::FireTimerRequest::descriptor();
  }
  std::unique_ptr<google::protobuf::Message> NewRequest() const override {
    return std::make_unique<internal::FireTimerRequest>();
  }
  std::string RequestId(const google::protobuf::Message& request) const override {
    return kernel_internal::As<internal::FireTimerRequest>(request).request_id();
  }
  Address AddressOf(const google::protobuf::Message& request) const override {
    Address address;
    address.stream = kernel_internal::As<internal::FireTimerRequest>(request).stream();
    return address;
  }
  absl::Status Validate(const google::protobuf::Message& request,
                        const ValidateContext&) const override {
    const auto& r = kernel_internal::As<internal::FireTimerRequest>(request);
    FieldErrors errors;
    CheckRequestId(r.request_id(), errors);
    if (r.stream().empty()) errors.Add("stream", "required", "is required");
    if (r.name().empty()) errors.Add("name", "required", "is required");
    return errors.ToStatus();
  }
  absl::StatusOr<Events> DecideOnly(const google::protobuf::Message& state,
                                    const google::protobuf::Message& request,
                                    const DecideContext& context) const override {
    if (!on_timer_) return Events();
    return on_timer_(state, kernel_internal::As<internal::FireTimerRequest>(request).name(),
                     context);
  }
  std::string Reply(const google::protobuf::Message&, const google::protobuf::Message&,
                    const v1::CommitInfo& commit) const override {
    return commit.SerializeAsString();
  }

 private:
  std::function<absl::StatusOr<Events>(const google::protobuf::Message&, absl::string_view,
                                       const DecideContext&)>
      on_timer_;
};

}  // namespace

Workflow::Workflow(WorkflowInfo info) : info_(info) {}

Workflow::~Workflow() = default;

void Workflow::AddCommand(std::unique_ptr<CommandType> command) {
  command->method_ = absl::StrCat(info_.service, "/", command->name());
  if (!commands_.emplace(command->name(), command.get()).second) {
    AbortWithMessage(absl::StrCat("workflow ", info_.name, " defines command ", command->name(),
                                  " twice"));
  }
  command_list_.push_back(command.get());
  owned_commands_.push_back(std::move(command));
}

void Workflow::Finish() {
  auto fail = [this](absl::string_view problem) {
    AbortWithMessage(absl::StrCat("workflow ", info_.name, ": ", problem));
  };
  if (info_.name.empty() || info_.collection.empty()) fail("name and collection are required");
  if (!new_state_ || !state_name_ || states_.empty()) fail("States or StateField is required");
  if (states_.front() != kNewState) fail(absl::StrCat("the first state must be ", kNewState));
  const absl::flat_hash_set<std::string> states(states_.begin(), states_.end());
  for (const Transition& t : transitions_.transitions()) {
    if (!states.contains(t.from)) fail(absl::StrCat("table row from unknown state ", t.from));
    if (t.to.empty()) fail(absl::StrCat("table row ", t.from, " ", t.command, " has no to state"));
    for (absl::string_view to : t.to) {
      if (!states.contains(to)) {
        fail(absl::StrCat("table row ", t.from, " ", t.command, " to unknown state ", to));
      }
      if (to == kNewState) fail(absl::StrCat("table row ", t.from, " ", t.command, " goes to NEW"));
    }
    if (!commands_.contains(t.command)) {
      fail(absl::StrCat("table names command ", t.command, ", which is not defined"));
    }
  }
  for (const CommandType* command : command_list_) {
    bool in_table = false;
    for (const Transition& t : transitions_.transitions()) in_table |= t.command == command->name();
    if (!in_table) fail(absl::StrCat("command ", command->name(), " has no row in the table"));
    if (command->target() == Target::kCreate) {
      if (transitions_.Find(kNewState, command->name()) == nullptr) {
        fail(absl::StrCat("command ", command->name(), " creates streams but has no NEW row"));
      }
    }
  }
  for (const std::string& n : row_namespaces_) {
    if (n.empty() || absl::StrContains(n, '/')) {
      fail(absl::StrCat("row namespace \"", n, "\" must be one key segment"));
    }
  }
  std::sort(row_namespaces_.begin(), row_namespaces_.end());
  row_namespaces_.erase(std::unique(row_namespaces_.begin(), row_namespaces_.end()),
                        row_namespaces_.end());
  for (const OutboxRoute& route : outbox_) {
    const std::string ns = route.prefix.substr(0, route.prefix.find('/'));
    if (route.name.empty() || !route.deliver || route.target_method.empty() ||
        !absl::EndsWith(route.prefix, "/") ||
        !std::binary_search(row_namespaces_.begin(), row_namespaces_.end(), ns)) {
      fail(absl::StrCat("outbox route \"", route.name,
                        "\" needs a name, a target method, a delivery and a prefix ending in '/' "
                        "under a declared row namespace (got \"",
                        route.prefix, "\")"));
    }
  }
  if ((!rows_.empty() || !event_rows_.empty()) && row_namespaces_.empty()) {
    fail("rows are defined without a namespace");
  }
  timer_command_ = std::make_unique<TimerCommand>(this, on_timer_);
  timer_command_->method_ = std::string(kTimerMethod);
}

absl::Status Workflow::Apply(google::protobuf::Message& state, const v1::EventEnvelope& envelope,
                             const google::protobuf::Message& payload) const {
  const int version = EventVersionOf(envelope);
  auto it = appliers_.find(payload.GetDescriptor());
  if (it == appliers_.end() || version > static_cast<int>(it->second.size())) {
    return absl::InternalError(absl::StrCat(info_.name, " stream cannot apply event type ",
                                            ShortTypeName(payload), " version ", version));
  }
  stamp_(state, envelope);
  it->second[version - 1](state, envelope, payload);
  return absl::OkStatus();
}

int Workflow::CurrentEventVersion(const google::protobuf::Descriptor* type) const {
  auto it = appliers_.find(type);
  return it == appliers_.end() ? 0 : static_cast<int>(it->second.size());
}

std::string RetentionClosedPrefix(absl::string_view partnership, absl::string_view collection) {
  return absl::StrCat(kRetentionNamespace, "/", partnership, "/closed/", collection, "/");
}

void Workflow::RetentionRow(absl::string_view stream, const google::protobuf::Message& state,
                            std::vector<Row>* rows) const {
  const std::optional<absl::Time> closed = ClosedAt(state);
  if (!closed.has_value()) return;
  const std::optional<ResourceName> name = ResourceNameOf(stream, info_.collection);
  if (!name.has_value()) return;
  rows->push_back(Row{absl::StrCat(RetentionClosedPrefix(name->partnership, info_.collection),
                                   SortableNumber(absl::ToUnixSeconds(*closed)), "/",
                                   SortableNumber(name->number)),
                      std::string(stream)});
}

absl::Status Workflow::Rows(absl::string_view stream, const google::protobuf::Message& state,
                            std::vector<Row>* rows) const {
  const size_t first = rows->size();
  for (const RowsFn& fn : rows_) fn(stream, state, rows);
  RetentionRow(stream, state, rows);
  if (summary_row_ && StateName(state) != kNewState) {
    rows->push_back(MessageRow(summary_row_(stream), state));
  }
  return CheckRowNamespaces(*rows, first);
}

absl::Status Workflow::IndexRows(absl::string_view stream, const google::protobuf::Message& state,
                                 std::vector<Row>* rows) const {
  const size_t first = rows->size();
  for (const RowsFn& fn : rows_) fn(stream, state, rows);
  RetentionRow(stream, state, rows);
  return CheckRowNamespaces(*rows, first);
}

absl::Status Workflow::EventRows(absl::string_view stream, const v1::EventEnvelope& envelope,
                                 const google::protobuf::Message& payload,
                                 std::vector<Row>* rows) const {
  auto it = event_rows_.find(payload.GetDescriptor());
  if (it == event_rows_.end()) return absl::OkStatus();
  const size_t first = rows->size();
  it->second(stream, envelope, payload, rows);
  return CheckRowNamespaces(*rows, first);
}

absl::Status Workflow::CheckRowNamespaces(const std::vector<Row>& rows, size_t first) const {
  for (size_t i = first; i < rows.size(); ++i) {
    const std::string& key = rows[i].key;
    const absl::string_view space = absl::string_view(key).substr(0, key.find('/'));
    if (key.find('/') == std::string::npos ||
        !std::binary_search(row_namespaces_.begin(), row_namespaces_.end(), space)) {
      return absl::InternalError(absl::StrCat(
          "workflow ", info_.name, " wrote row \"", key, "\" outside its row namespaces (",
          absl::StrJoin(row_namespaces_, ", "), "); declare the namespace with its rows"));
    }
  }
  return absl::OkStatus();
}

void Workflow::Timers(const google::protobuf::Message& state, std::vector<TimerSpec>* timers) const {
  for (const TimersFn& fn : timers_) fn(state, timers);
}

const CommandType* Workflow::FindCommand(absl::string_view name) const {
  auto it = commands_.find(name);
  return it == commands_.end() ? nullptr : it->second;
}

absl::StatusOr<Events> Workflow::Decide(const CommandType& command,
                                        const google::protobuf::Message& state,
                                        const google::protobuf::Message& request,
                                        const DecideContext& context) const {
  if (&command.workflow() != this) {
    return absl::InternalError(absl::StrCat("command ", command.method(), " is not of workflow ",
                                            info_.name));
  }
  if (&command != timer_command_.get()) {
    const std::string from = StateName(state);
    if (from == kNewState && command.target() == Target::kExisting) {
      return NotFoundFor(context.stream);
    }
    if (from != kNewState && (context.actor == nullptr || !MayRead(state, *context.actor))) {
      // A create sent to an existing stream by its natural key (a complaint
      // recorded again): the caller knows the key, not the record.
      if (command.target() == Target::kCreate) {
        return ErrorWithReason(absl::StatusCode::kAlreadyExists, "KEY_HELD_BY_ANOTHER_PARTY",
                               "a record with this key exists and the caller is not a party "
                               "to it: check the source reference");
      }
      return NotFoundFor(context.stream);
    }
    RETURN_IF_ERROR(transitions_.Check(context.stream, from, command.name()));
  }
  return command.DecideOnly(state, request, context);
}

absl::Status Workflow::CheckLanding(const CommandType& command, absl::string_view stream,
                                    absl::string_view from,
                                    const google::protobuf::Message& next) const {
  const std::string to = StateName(next);
  if (&command == timer_command_.get()) {
    if (to == from) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("a timer moved ", stream, " from state ", from,
                                            " to ", to, "; timers must not change the state"));
  }
  return transitions_.CheckLanding(stream, from, command.name(), to);
}

std::vector<std::string> Workflow::EventTypes() const {
  std::vector<std::string> types;
  for (const auto& [type, versions] : appliers_) types.push_back(type->full_name());
  std::sort(types.begin(), types.end());
  return types;
}

}  // namespace casework::workflow
