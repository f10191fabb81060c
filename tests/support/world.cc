#include "tests/support/world.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "casework/internal/records.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/time_util.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/retention/commands.h"
#include "workflow/time/calendar_workflow.h"

namespace casework::testing {

std::string RenderEvent(const google::protobuf::Message& event) {
  std::string fields;
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.PrintToString(event, &fields);
  while (!fields.empty() && fields.back() == ' ') fields.pop_back();
  return absl::StrCat(event.GetDescriptor()->name(), "{", fields, "}");
}

World::World(absl::Time now, const workflow::Registry& registry)
    : registry_(&registry), now_(now) {
  if (!absl::LoadTimeZone("Europe/London", &london_)) AbortWithMessage("install tzdata");
  absl::StatusOr<const workflow::Calendar*> calendar = workflow::BundledCalendar();
  if (!calendar.ok()) AbortWithMessage(calendar.status().ToString());
  calendar_ = std::make_shared<const workflow::Calendar>(**calendar);
  SetActor("eastbrook-council", "u-test", "caseworker");
}

void World::SetActor(const std::string& agency, const std::string& user, const std::string& role) {
  actor_.set_agency(agency);
  actor_.set_user(user);
  actor_.set_role(role);
}

World::Stream& World::StreamOf(const std::string& stream) {
  Stream& s = streams_[stream];
  if (s.workflow == nullptr) {
    s.workflow = registry_->ForStream(stream);
    if (s.workflow == nullptr) AbortWithMessage(absl::StrCat("no workflow owns ", stream));
    s.state = s.workflow->NewState();
  }
  return s;
}

std::shared_ptr<const google::protobuf::Message> World::State(const std::string& stream) const {
  if (auto it = streams_.find(stream); it != streams_.end()) return it->second.state;
  const workflow::Workflow* w = registry_->ForStream(stream);
  return w == nullptr ? nullptr : std::shared_ptr<const google::protobuf::Message>(w->NewState());
}

std::string World::StateName(const std::string& stream) const {
  const workflow::Workflow* w = registry_->ForStream(stream);
  return w == nullptr ? "" : w->StateName(*State(stream));
}

int64_t World::Version(const std::string& stream) const {
  auto it = streams_.find(stream);
  return it == streams_.end() ? 0 : it->second.version;
}

std::vector<std::string> World::Events(const std::string& stream) const {
  std::vector<std::string> out;
  auto it = streams_.find(stream);
  if (it == streams_.end()) return out;
  for (const v1::EventEnvelope& e : it->second.events) {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> payload =
        workflow::UnpackPayload(e);
    out.push_back(payload.ok() ? RenderEvent(**payload) : payload.status().ToString());
  }
  return out;
}

workflow::DecideContext World::Context(const std::string& stream) {
  workflow::DecideContext ctx;
  ctx.now = now_;
  ctx.today = absl::ToCivilDay(now_, london_);
  ctx.calendar = calendar_.get();
  ctx.actor = &actor_;
  ctx.version = Version(stream);
  ctx.read_state = [this](const workflow::Workflow& workflow, absl::string_view other)
      -> absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> {
    const std::string name(other);
    if (registry_->ForStream(name) != &workflow) {
      return absl::InvalidArgumentError(absl::StrCat(name, " is not a ", workflow.name(), " stream"));
    }
    return State(name);
  };
  ctx.scan_range = [this](absl::string_view prefix, absl::string_view after,
                          absl::string_view until,
                          int limit) -> absl::StatusOr<std::vector<workflow::Row>> {
    const std::string first = absl::StrCat(prefix, after);
    const std::string last = absl::StrCat(prefix, until);
    std::vector<workflow::Row> rows;
    for (auto it = after.empty() ? rows_.lower_bound(std::string(prefix)) : rows_.upper_bound(first);
         it != rows_.end() && absl::StartsWith(it->first, prefix); ++it) {
      if (!until.empty() && it->first > last) break;
      if (limit > 0 && rows.size() >= static_cast<size_t>(limit)) break;
      rows.push_back({it->first, it->second});
    }
    rows_scanned_ += static_cast<int64_t>(rows.size());
    return rows;
  };
  ctx.scan_rows = [scan = ctx.scan_range](absl::string_view prefix) { return scan(prefix, "", "", 0); };
  ctx.registry = registry_;
  // Nothing is sealed here: a person's key counts as used in every stream
  // of the partnership whose state names them.
  ctx.streams_sealed_for = [this, partnership = std::string(workflow::PartnershipOfStream(stream))](
                               v1::DataSubject subject, absl::string_view reference,
                               absl::string_view after, int limit)
      -> absl::StatusOr<std::vector<std::string>> {
    std::vector<std::string> streams;
    const std::pair<v1::DataSubject, std::string> person(subject, std::string(reference));
    for (const auto& [name, s] : streams_) {
      if (static_cast<int>(streams.size()) >= limit) break;
      if (!after.empty() && name <= after) continue;
      if (workflow::PartnershipOfStream(name) != partnership || s.state == nullptr) continue;
      const auto people = workflow::retention::PeopleNamedIn(*s.state);
      if (std::find(people.begin(), people.end(), person) != people.end()) streams.push_back(name);
    }
    return streams;
  };
  return ctx;
}

absl::Status World::Append(const std::string& stream, const workflow::CommandType* type,
                           workflow::Events events) {
  Stream& s = StreamOf(stream);
  const workflow::Workflow& w = *s.workflow;
  std::shared_ptr<google::protobuf::Message> next(s.state->New());
  next->CopyFrom(*s.state);
  std::vector<v1::EventEnvelope> envelopes(events.size());
  std::vector<workflow::Row> event_rows;
  for (size_t i = 0; i < events.size(); ++i) {
    v1::EventEnvelope& env = envelopes[i];
    env.set_stream(stream);
    env.set_stream_version(s.version + static_cast<int64_t>(i) + 1);
    env.set_global_position(position_ + i + 1);
    *env.mutable_recorded_time() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now_));
    *env.mutable_actor() = actor_;
    if (const int meaning = w.CurrentEventVersion(events[i]->GetDescriptor()); meaning > 1) {
      env.set_event_version(meaning);
    }
    RETURN_IF_ERROR(w.Apply(*next, env, *events[i]));
    env.set_policy_version(w.PinnedPolicyVersion(*next));
    RETURN_IF_ERROR(w.EventRows(stream, env, *events[i], &event_rows));
    env.mutable_payload()->PackFrom(*events[i]);
  }
  if (type != nullptr) {
    RETURN_IF_ERROR(w.CheckLanding(*type, stream, w.StateName(*s.state), *next));
  }
  std::vector<workflow::Row> before, after;
  RETURN_IF_ERROR(w.Rows(stream, *s.state, &before));
  RETURN_IF_ERROR(w.Rows(stream, *next, &after));
  for (const workflow::Row& r : before) rows_.erase(r.key);
  for (const workflow::Row& r : after) rows_[r.key] = r.value;
  for (const workflow::Row& r : event_rows) rows_[r.key] = r.value;
  position_ += events.size();
  s.version += static_cast<int64_t>(events.size());
  s.state = std::move(next);
  for (v1::EventEnvelope& env : envelopes) s.events.push_back(std::move(env));
  return absl::OkStatus();
}

void World::Given(const std::string& stream, workflow::Events events) {
  absl::Status status = Append(stream, nullptr, std::move(events));
  if (!status.ok()) AbortWithMessage(absl::StrCat("Given(", stream, "): ", status.ToString()));
}

Outcome World::Run(const workflow::CommandType& type, const google::protobuf::Message& request) {
  Outcome out;
  workflow::ValidateContext validate;
  validate.today = absl::ToCivilDay(now_, london_);
  validate.registry = registry_;
  out.status = type.Validate(request, validate);
  if (!out.status.ok()) return out;
  const workflow::Address address = type.AddressOf(request);
  std::string stream = address.stream;
  bool numbered = address.numbered;
  int64_t number = 0;
  if (!address.natural_key.empty()) {
    if (auto it = rows_.find(address.natural_key); it != rows_.end()) {
      stream = it->second;
      numbered = false;
    }
  }
  if (numbered) {
    number = sequences_[address.stream] + 1;
    stream = absl::StrCat(address.stream, number);
  }
  out.stream = stream;
  if (registry_->ForStream(stream) != &type.workflow()) {
    out.status = absl::InvalidArgumentError(
        absl::StrCat(stream, " is not a ", type.workflow().name(), " stream"));
    return out;
  }
  const int64_t version = Version(stream);
  if (address.expected_version.has_value() && *address.expected_version != version) {
    out.status = VersionConflictError(stream, *address.expected_version, version);
    return out;
  }
  workflow::DecideContext ctx = Context(stream);
  ctx.stream = out.stream;
  ctx.partnership = workflow::PartnershipOfStream(out.stream);
  ctx.number = number;
  std::shared_ptr<const google::protobuf::Message> state = State(stream);
  absl::StatusOr<workflow::Events> events = type.workflow().Decide(type, *state, request, ctx);
  if (!events.ok()) {
    out.status = events.status();
    return out;
  }
  for (const workflow::Event& e : *events) out.events.push_back(RenderEvent(*e));
  const size_t count = events->size();
  const uint64_t first_position = position_ + 1;
  out.status = Append(stream, &type, *std::move(events));
  if (!out.status.ok()) {
    out.events.clear();
    return out;
  }
  if (numbered) sequences_[address.stream] = number;
  v1::CommitInfo commit;
  commit.set_stream(stream);
  commit.set_first_version(count == 0 ? version : version + 1);
  commit.set_last_version(version + static_cast<int64_t>(count));
  if (count > 0) {
    commit.set_first_position(first_position);
    commit.set_last_position(first_position + count - 1);
  }
  out.reply = type.Reply(*State(stream), request, commit);
  return out;
}

Outcome World::FireTimer(const std::string& stream, const std::string& name) {
  internal::FireTimerRequest request;
  request.set_request_id(absl::StrCat("timer:", stream, "#", name));
  request.set_stream(stream);
  request.set_name(name);
  const workflow::Workflow* w = registry_->ForStream(stream);
  if (w == nullptr) AbortWithMessage(absl::StrCat("no workflow owns ", stream));
  return Run(w->timer_command(), request);
}

}  // namespace casework::testing
