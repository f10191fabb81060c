#include "workflow/actions.h"

#include "absl/strings/str_cat.h"
#include "workflow/deadlines.h"
#include "workflow/status.h"
#include "workflow/validation.h"

namespace casework::workflow {
namespace {

constexpr size_t kMaxTitle = 500;
constexpr size_t kMaxNote = 4000;
constexpr absl::string_view kCollection = "actions";

std::string StateLabel(v1::Action::State state) {
  if (state == v1::Action::STATE_UNSPECIFIED) return "NEW";
  return v1::Action::State_Name(state);
}

void CheckName(absl::string_view name, FieldErrors& errors) {
  ParseResourceName("name", name, kCollection, errors);
}

struct Validator {
  FieldErrors& errors;
  void operator()(const v1::CreateActionRequest& r) {
    ParsePartnershipName("parent", r.parent(), errors);
    CheckRequestId(r.request_id(), errors);
    CheckText("title", r.title(), true, kMaxTitle, errors);
    CheckId("owner_agency", r.owner_agency(), errors);
    CheckDate("due_date", r.due_date(), errors);
    CheckText("source", r.source(), false, kMaxTitle, errors);
  }
  void operator()(const v1::RecordProgressRequest& r) {
    Common(r);
    CheckText("note", r.note(), true, kMaxNote, errors);
  }
  void operator()(const v1::ChangeDueDateRequest& r) {
    Common(r);
    CheckDate("due_date", r.due_date(), errors);
    CheckText("reason", r.reason(), true, kMaxNote, errors);
  }
  void operator()(const v1::CompleteActionRequest& r) {
    Common(r);
    CheckText("note", r.note(), true, kMaxNote, errors);
  }
  void operator()(const v1::CancelActionRequest& r) {
    Common(r);
    CheckText("reason", r.reason(), true, kMaxNote, errors);
  }
  void operator()(const v1::ReopenActionRequest& r) {
    Common(r);
    CheckText("reason", r.reason(), true, kMaxNote, errors);
  }
  void operator()(const v1::PutActionOnHoldRequest& r) {
    Common(r);
    CheckText("reason", r.reason(), true, kMaxNote, errors);
  }
  void operator()(const v1::ResumeActionRequest& r) {
    Common(r);
    CheckText("note", r.note(), false, kMaxNote, errors);
  }
  template <typename R>
  void Common(const R& r) {
    CheckName(r.name(), errors);
    CheckRequestId(r.request_id(), errors);
    if (r.has_expected_version() && r.expected_version() < 0) {
      errors.Add("expected_version", "range", "must not be negative");
    }
  }
};

struct Decider {
  const v1::Action& state;
  const DecideContext& ctx;

  // Stream version the n-th event (1-based) of this decision will have.
  int64_t VersionOf(size_t n) const { return ctx.version + static_cast<int64_t>(n); }

  absl::StatusOr<Events> operator()(const v1::CreateActionRequest& r) const {
    v1::ActionCreated e;
    FieldErrors ignored;
    e.set_partnership(*ParsePartnershipName("parent", r.parent(), ignored));
    e.set_number(ctx.number);
    e.set_title(r.title());
    e.set_owner_agency(r.owner_agency());
    *e.mutable_due_date() = r.due_date();
    e.set_source(r.source());
    return MakeEvents(std::move(e), SetFixedDeadline(*ctx.calendar, kCompleteBy, ctx.today,
                                                     ToCivilDay(r.due_date()), VersionOf(2)));
  }
  absl::StatusOr<Events> operator()(const v1::RecordProgressRequest& r) const {
    v1::ActionProgressRecorded e;
    e.set_note(r.note());
    return MakeEvents(std::move(e));
  }
  absl::StatusOr<Events> operator()(const v1::ChangeDueDateRequest& r) const {
    if (ToCivilDay(r.due_date()) == ToCivilDay(state.due_date())) {
      return FieldError("due_date", "unchanged",
                        absl::StrCat("is already ", FormatDate(state.due_date())));
    }
    v1::ActionDueDateChanged e;
    *e.mutable_previous_due_date() = state.due_date();
    *e.mutable_due_date() = r.due_date();
    e.set_reason(r.reason());
    return MakeEvents(std::move(e), SetFixedDeadline(*ctx.calendar, kCompleteBy, ctx.today,
                                                     ToCivilDay(r.due_date()), VersionOf(2)));
  }
  absl::StatusOr<Events> operator()(const v1::CompleteActionRequest& r) const {
    v1::ActionCompleted e;
    e.set_note(r.note());
    Events events = MakeEvents(std::move(e));
    if (auto met = MeetDeadline(state.deadlines(), kCompleteBy)) {
      events.push_back(std::make_unique<v1::DeadlineMet>(*std::move(met)));
    }
    return events;
  }
  absl::StatusOr<Events> operator()(const v1::CancelActionRequest& r) const {
    v1::ActionCancelled e;
    e.set_reason(r.reason());
    Events events = MakeEvents(std::move(e));
    for (v1::DeadlineCancelled& c : CancelOpenDeadlines(state.deadlines(), r.reason())) {
      events.push_back(std::make_unique<v1::DeadlineCancelled>(std::move(c)));
    }
    return events;
  }
  absl::StatusOr<Events> operator()(const v1::ReopenActionRequest& r) const {
    v1::ActionReopened e;
    e.set_reason(r.reason());
    return MakeEvents(std::move(e), SetFixedDeadline(*ctx.calendar, kCompleteBy, ctx.today,
                                                     ToCivilDay(state.due_date()), VersionOf(2)));
  }
  absl::StatusOr<Events> operator()(const v1::PutActionOnHoldRequest& r) const {
    v1::ActionPutOnHold e;
    e.set_reason(r.reason());
    Events events = MakeEvents(std::move(e));
    if (auto paused = PauseDeadlines(*ctx.calendar, state.deadlines(), ctx.today, r.reason())) {
      events.push_back(std::make_unique<v1::DeadlinesPaused>(*std::move(paused)));
    }
    return events;
  }
  absl::StatusOr<Events> operator()(const v1::ResumeActionRequest& r) const {
    v1::ActionResumed e;
    e.set_note(r.note());
    Events events = MakeEvents(std::move(e));
    if (auto resumed =
            ResumeDeadlines(*ctx.calendar, state.deadlines(), ctx.today, VersionOf(2))) {
      events.push_back(std::make_unique<v1::DeadlinesResumed>(*std::move(resumed)));
    }
    return events;
  }
};

class ActionAggregateImpl final : public TypedAggregate<v1::Action> {
 public:
  absl::string_view Name() const override { return "action"; }
  int StateSchema() const override { return 1; }

 protected:
  absl::Status ApplyTyped(v1::Action& a, const v1::EventEnvelope& env,
                          const google::protobuf::Message& payload) const override {
    *a.mutable_update_time() = env.recorded_time();
    a.set_version(env.stream_version());
    if (ApplyDeadlineEvent(payload, env, a.mutable_deadlines())) {
      // A resumed clock moves the action's due date with it.
      if (const v1::Deadline* d = FindDeadline(a.deadlines(), kCompleteBy);
          d != nullptr && ShortTypeName(payload) == "DeadlinesResumed") {
        *a.mutable_due_date() = d->due();
      }
      return absl::OkStatus();
    }
    absl::string_view type = ShortTypeName(payload);
    if (type == "ActionCreated") {
      const auto& e = static_cast<const v1::ActionCreated&>(payload);
      a.set_name(ActionStream(e.partnership(), e.number()));
      a.set_title(e.title());
      a.set_owner_agency(e.owner_agency());
      *a.mutable_due_date() = e.due_date();
      a.set_source(e.source());
      a.set_state(v1::Action::OPEN);
      *a.mutable_create_time() = env.recorded_time();
    } else if (type == "ActionProgressRecorded") {
      const auto& e = static_cast<const v1::ActionProgressRecorded&>(payload);
      v1::ProgressNote* note = a.add_notes();
      note->set_text(e.note());
      *note->mutable_author() = env.actor();
      *note->mutable_time() = env.recorded_time();
    } else if (type == "ActionDueDateChanged") {
      const auto& e = static_cast<const v1::ActionDueDateChanged&>(payload);
      *a.mutable_due_date() = e.due_date();
    } else if (type == "ActionCompleted") {
      a.set_state(v1::Action::COMPLETED);
      a.set_resolution(static_cast<const v1::ActionCompleted&>(payload).note());
    } else if (type == "ActionCancelled") {
      a.set_state(v1::Action::CANCELLED);
      a.set_resolution(static_cast<const v1::ActionCancelled&>(payload).reason());
    } else if (type == "ActionReopened") {
      a.set_state(v1::Action::OPEN);
      a.set_resolution(static_cast<const v1::ActionReopened&>(payload).reason());
    } else if (type == "ActionPutOnHold") {
      a.set_state(v1::Action::ON_HOLD);
      a.set_resolution(static_cast<const v1::ActionPutOnHold&>(payload).reason());
    } else if (type == "ActionResumed") {
      a.set_state(v1::Action::OPEN);
    } else {
      return absl::InternalError(
          absl::StrCat("action stream cannot apply event type ", type));
    }
    return absl::OkStatus();
  }

  void RowsTyped(absl::string_view stream, const v1::Action& a,
                 std::vector<Row>* rows) const override {
    if (a.state() == v1::Action::STATE_UNSPECIFIED) return;
    FieldErrors ignored;
    std::optional<ResourceName> name =
        ParseResourceName("name", a.name(), kCollection, ignored);
    if (!name) return;
    const std::string n = SortableNumber(name->number);
    const std::string& p = name->partnership;
    rows->push_back({absl::StrCat(ActionRowPrefix(p, "all"), n), ""});
    rows->push_back(
        {absl::StrCat(ActionRowPrefix(p, "state"), StateLabel(a.state()), "/", n), ""});
    rows->push_back(
        {absl::StrCat(ActionRowPrefix(p, "owner"), a.owner_agency(), "/", n), ""});
    if (a.state() == v1::Action::OPEN) {
      rows->push_back(
          {absl::StrCat(ActionRowPrefix(p, "due"), FormatDate(a.due_date()), "/", n),
           ""});
    }
    DeadlineRows(p, stream, a.deadlines(), rows);
  }

  void TimersTyped(const v1::Action& a, std::vector<TimerSpec>* timers) const override {
    DeadlineTimers(a.deadlines(), timers);
  }

  absl::StatusOr<Events> OnTimerTyped(const v1::Action& a, absl::string_view name,
                                      const DecideContext& context) const override {
    return OnDeadlineTimer(a.deadlines(), name, context);
  }

  std::string StateNameTyped(const v1::Action& a) const override {
    return StateLabel(a.state());
  }
};

}  // namespace

absl::string_view CommandName(const ActionCommand& command) {
  static constexpr absl::string_view kNames[] = {
      "CreateAction", "RecordProgress", "ChangeDueDate",
      "CompleteAction", "CancelAction", "ReopenAction", "PutActionOnHold", "ResumeAction"};
  return kNames[command.index()];
}

const TransitionTable& ActionTransitions() {
  static const TransitionTable* table = new TransitionTable({
      {"NEW", "CreateAction", "OPEN"},
      {"OPEN", "RecordProgress", "OPEN"},
      {"OPEN", "ChangeDueDate", "OPEN"},
      {"OPEN", "CompleteAction", "COMPLETED"},
      {"OPEN", "CancelAction", "CANCELLED"},
      {"OPEN", "PutActionOnHold", "ON_HOLD"},
      {"COMPLETED", "ReopenAction", "OPEN"},
      {"ON_HOLD", "ResumeAction", "OPEN"},
      {"ON_HOLD", "CancelAction", "CANCELLED"},
  });
  return *table;
}

absl::Status ValidateActionCommand(const ActionCommand& command) {
  FieldErrors errors;
  std::visit(Validator{errors}, command);
  return errors.ToStatus();
}

absl::StatusOr<Events> DecideAction(const v1::Action& state,
                                    const ActionCommand& command,
                                    const DecideContext& context) {
  const std::string current = StateLabel(state.state());
  if (current == "NEW" && !std::holds_alternative<v1::CreateActionRequest>(command)) {
    return absl::NotFoundError(absl::StrCat(context.stream, " does not exist"));
  }
  RETURN_IF_ERROR(
      ActionTransitions().Check(context.stream, current, CommandName(command)));
  return std::visit(Decider{state, context}, command);
}

const TypedAggregate<v1::Action>& ActionAggregate() {
  static const ActionAggregateImpl* aggregate = new ActionAggregateImpl();
  return *aggregate;
}

std::string ActionRowPrefix(absl::string_view partnership, absl::string_view index) {
  return absl::StrCat("actions/", partnership, "/", index, "/");
}

std::string ActionStream(absl::string_view partnership, int64_t number) {
  return FormatResourceName(partnership, kCollection, number);
}

}  // namespace casework::workflow
