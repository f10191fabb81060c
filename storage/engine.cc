#include "storage/engine.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/time_util.h"
#include "storage/keys.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::storage {
namespace {

constexpr int kReplayPage = 1000;

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

absl::Status RequestIdReusedError(const CommandMeta& meta, const std::string& method) {
  absl::Status status = absl::InvalidArgumentError(absl::StrCat(
      "request_id \"", meta.request_id, "\" was already used by agency ", meta.actor.agency(),
      " for a different request (", method,
      "); use a new request_id for a new request and resend a retry unchanged"));
  v1::RequestIdReused detail;
  detail.set_request_id(meta.request_id);
  detail.set_original_method(method);
  AttachDetail(status, detail);
  return status;
}

}  // namespace

std::pair<std::string, internal::TimerRecord> TimerEntry(absl::string_view stream,
                                                         const workflow::TimerSpec& spec,
                                                         const absl::TimeZone& time_zone) {
  const absl::Time fire_at = absl::FromCivil(absl::CivilSecond(spec.fire_on), time_zone);
  internal::TimerRecord record;
  record.set_stream(std::string(stream));
  record.set_name(spec.name);
  record.set_generation(spec.generation);
  *record.mutable_fire_at() = ToTimestamp(fire_at);
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
      if (!state->ParseFromString(record->state())) {
        return absl::DataLossError(absl::StrCat("corrupt state record of ", stream));
      }
      version = record->version();
    }
  }
  // Fold whatever the record does not cover: nothing normally, the whole
  // stream after a state schema change.
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

struct Engine::Group {
  StoreBatch batch;
  absl::Time now;
  uint64_t next_position;
  // Streams, request records and sequences written by earlier commands of
  // this group: later commands must see them before they reach the store.
  absl::flat_hash_map<std::string, LoadedState> states;
  absl::flat_hash_map<std::string, internal::RequestRecord> requests;
  absl::flat_hash_map<std::string, int64_t> sequences;
  // Read-model rows written (value) or deleted (nullopt) by this group.
  std::map<std::string, std::optional<std::string>> rows;
  absl::BitGen* bitgen;
};

Engine::Engine(EventStore* store, const Clock* clock, EngineOptions options)
    : store_(store), clock_(clock), options_(options) {
  writer_ = std::thread([this] { Run(); });
}

Engine::~Engine() { Stop(); }

void Engine::Submit(Command command) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(command));
      cv_.notify_one();
      return;
    }
  }
  command.done(absl::UnavailableError("the server is shutting down; retry against a running instance"),
               false);
}

void Engine::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  // REQUIRES: Stop is not called from two threads at once (main() and the
  // destructor call it in turn).
  if (writer_.joinable()) writer_.join();
}

EngineStats Engine::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void Engine::Run() {
  std::vector<Command> group;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      if (queue_.size() <= options_.max_group_commands) {
        group.swap(queue_);
      } else {
        auto end = queue_.begin() + static_cast<std::ptrdiff_t>(options_.max_group_commands);
        group.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
        queue_.erase(queue_.begin(), end);
      }
    }
    CommitGroup(group);
    group.clear();
  }
}

void Engine::CommitGroup(std::vector<Command>& commands) {
  static thread_local absl::BitGen bitgen;
  Group g{store_->NewBatch(), clock_->Now(), store_->LastPosition() + 1, {}, {}, {}, {}, &bitgen};
  struct Outcome {
    absl::StatusOr<std::string> reply;
    bool replayed = false;
  };
  std::vector<Outcome> outcomes;
  outcomes.reserve(commands.size());
  uint64_t replays = 0;
  for (Command& command : commands) {
    Outcome outcome;
    outcome.reply = Prepare(command, g, &outcome.replayed);
    if (outcome.replayed) ++replays;
    outcomes.push_back(std::move(outcome));
  }

  absl::Status written = absl::OkStatus();
  if (g.batch.count() > 0) written = store_->Write(g.batch);
  if (written.ok()) {
    for (auto& [stream, state] : g.states) CachePut(stream, std::move(state));
  } else {
    // Nothing of this group may be acknowledged: answers that depended on it
    // (new writes and replays of them) fail with the write error.
    for (Outcome& o : outcomes) {
      if (o.reply.ok()) o.reply = written;
    }
  }
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.commands += commands.size();
    stats_.groups += g.batch.count() > 0 ? 1 : 0;
    stats_.replays += replays;
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    commands[i].done(std::move(outcomes[i].reply), outcomes[i].replayed);
  }
}

absl::StatusOr<std::string> Engine::Prepare(Command& c, Group& g, bool* replayed) {
  RETURN_IF_ERROR(store_->write_status());

  // Idempotency: a request_id the agency used before returns the original
  // reply if it is the same request, and is refused for any other.
  const std::string request_key = keys::RequestKey(c.meta.actor.agency(), c.meta.request_id);
  std::optional<internal::RequestRecord> prior;
  if (auto it = g.requests.find(request_key); it != g.requests.end()) {
    prior = it->second;
  } else {
    ASSIGN_OR_RETURN(prior, store_->GetRequest(request_key));
    if (!prior.has_value()) {
      // Recorded before request ids were scoped to the agency.
      ASSIGN_OR_RETURN(prior, store_->GetRequest(
                                  keys::MethodScopedRequestKey(c.meta.method, c.meta.request_id)));
    }
  }
  if (prior.has_value()) {
    if (prior->method() != c.meta.method || prior->fingerprint() != c.meta.fingerprint) {
      return RequestIdReusedError(c.meta, prior->method());
    }
    *replayed = true;
    return std::move(*prior->mutable_reply());
  }

  const workflow::Workflow& workflow = c.type->workflow();
  const workflow::Address& address = c.address;
  std::string stream = address.stream;
  int64_t number = 0;
  bool numbered = address.numbered;
  if (!address.natural_key.empty()) {
    std::optional<std::string> owner;
    if (auto it = g.rows.find(address.natural_key); it != g.rows.end()) {
      owner = it->second;
    } else {
      ASSIGN_OR_RETURN(owner, store_->GetRow(address.natural_key));
    }
    if (owner.has_value()) {
      stream = *owner;
      numbered = false;
    }
  }
  if (numbered) {
    int64_t last = 0;
    if (auto it = g.sequences.find(address.stream); it != g.sequences.end()) {
      last = it->second;
    } else {
      ASSIGN_OR_RETURN(last, store_->GetSequence(address.stream));
    }
    number = last + 1;
    stream = absl::StrCat(address.stream, number);
  }

  LoadedState current;
  if (numbered) {
    // A freshly numbered stream has no events: the sequence and the stream's
    // first events are always written in the same batch.
    current.state = std::shared_ptr<const google::protobuf::Message>(workflow.NewState());
  } else {
    ASSIGN_OR_RETURN(current, Load(workflow, stream, g));
  }
  if (address.expected_version.has_value() && *address.expected_version != current.version) {
    return VersionConflictError(stream, *address.expected_version, current.version);
  }

  workflow::DecideContext context;
  context.now = g.now;
  context.today = absl::ToCivilDay(g.now, options_.time_zone);
  context.calendar = c.calendar.get();
  context.actor = &c.meta.actor;
  context.stream = stream;
  context.partnership = workflow::PartnershipOfStream(stream);
  context.version = current.version;
  context.number = number;
  context.read_state = [this, &g](const workflow::Workflow& other_workflow,
                                   absl::string_view other)
      -> absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> {
    ASSIGN_OR_RETURN(LoadedState loaded, Load(other_workflow, std::string(other), g));
    return loaded.state;
  };
  context.scan_rows = [this, &g](absl::string_view prefix) { return ScanRows(prefix, g); };
  ASSIGN_OR_RETURN(workflow::Events events,
                   workflow.Decide(*c.type, *current.state, *c.request, context));

  // Fold the new events into a copy of the state.
  std::shared_ptr<google::protobuf::Message> next(current.state->New());
  next->CopyFrom(*current.state);
  std::vector<v1::EventEnvelope> envelopes(events.size());
  const google::protobuf::Timestamp recorded = ToTimestamp(g.now);
  for (size_t i = 0; i < events.size(); ++i) {
    v1::EventEnvelope& env = envelopes[i];
    env.set_event_id(absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(*g.bitgen),
                                     absl::Uniform<uint64_t>(*g.bitgen)));
    env.set_stream(stream);
    env.set_stream_version(current.version + static_cast<int64_t>(i) + 1);
    env.set_global_position(g.next_position + i);
    *env.mutable_recorded_time() = recorded;
    *env.mutable_actor() = c.meta.actor;
    env.set_request_id(c.meta.request_id);
    env.set_correlation_id(c.meta.correlation_id.empty() ? c.meta.request_id
                                                         : c.meta.correlation_id);
    env.set_causation_id(c.meta.causation_id);
    if (const int meaning = workflow.CurrentEventVersion(events[i]->GetDescriptor()); meaning > 1) {
      env.set_event_version(meaning);
    }
    RETURN_IF_ERROR(workflow.Apply(*next, env, *events[i]));
    env.set_policy_version(workflow.PinnedPolicyVersion(*next));
    env.mutable_payload()->PackFrom(*events[i]);
  }
  const int64_t new_version = current.version + static_cast<int64_t>(events.size());
  RETURN_IF_ERROR(workflow.CheckLanding(*c.type, stream, workflow.StateName(*current.state), *next));

  v1::CommitInfo commit;
  commit.set_stream(stream);
  commit.set_first_version(events.empty() ? current.version : current.version + 1);
  commit.set_last_version(new_version);
  if (!events.empty()) {
    commit.set_first_position(g.next_position);
    commit.set_last_position(g.next_position + events.size() - 1);
  }
  *commit.mutable_recorded_time() = recorded;
  std::string reply = c.type->Reply(*next, *c.request, commit);

  std::vector<workflow::Row> before, after;
  if (!events.empty()) {
    RETURN_IF_ERROR(workflow.Rows(stream, *current.state, &before));
    RETURN_IF_ERROR(workflow.Rows(stream, *next, &after));
  }

  // Stage everything; nothing below can fail.
  if (!events.empty()) {
    for (const v1::EventEnvelope& env : envelopes) g.batch.PutEvent(env);
    internal::StateRecord record;
    record.set_aggregate(std::string(workflow.name()));
    record.set_schema(workflow.state_schema());
    record.set_version(new_version);
    next->SerializeToString(record.mutable_state());
    g.batch.PutState(stream, record);

    absl::flat_hash_map<absl::string_view, absl::string_view> old_rows;
    for (const workflow::Row& r : before) old_rows[r.key] = r.value;
    for (const workflow::Row& r : after) {
      auto it = old_rows.find(r.key);
      if (it == old_rows.end() || it->second != r.value) {
        g.batch.PutRow(r.key, r.value);
        g.rows[r.key] = r.value;
      }
      if (it != old_rows.end()) old_rows.erase(it);
    }
    for (const auto& [key, value] : old_rows) {
      g.batch.DeleteRow(key);
      g.rows[std::string(key)] = std::nullopt;
    }

    std::vector<workflow::TimerSpec> timers_before, timers_after;
    workflow.Timers(*current.state, &timers_before);
    workflow.Timers(*next, &timers_after);
    for (const workflow::TimerSpec& t : timers_before) {
      if (std::find(timers_after.begin(), timers_after.end(), t) == timers_after.end()) {
        g.batch.DeleteTimer(TimerEntry(stream, t, options_.time_zone).first);
      }
    }
    for (const workflow::TimerSpec& t : timers_after) {
      if (std::find(timers_before.begin(), timers_before.end(), t) == timers_before.end()) {
        auto [key, record] = TimerEntry(stream, t, options_.time_zone);
        g.batch.PutTimer(key, record);
      }
    }

    g.next_position += events.size();
    g.states[stream] = LoadedState{std::move(next), new_version};
  }
  if (numbered) {
    g.batch.PutSequence(address.stream, number);
    g.sequences[address.stream] = number;
  }
  internal::RequestRecord record;
  record.set_method(c.meta.method);
  record.set_fingerprint(c.meta.fingerprint);
  record.set_reply(reply);
  record.set_stream(stream);
  record.set_first_position(commit.first_position());
  record.set_last_position(commit.last_position());
  *record.mutable_recorded_time() = recorded;
  g.batch.PutRequest(request_key, record);
  g.requests[request_key] = std::move(record);
  return reply;
}

absl::StatusOr<std::vector<workflow::Row>> Engine::ScanRows(absl::string_view prefix,
                                                            const Group& g) {
  ASSIGN_OR_RETURN(std::vector<workflow::Row> rows, store_->ScanRows(prefix, "", INT32_MAX));
  auto first = g.rows.lower_bound(std::string(prefix));
  if (first == g.rows.end() || !absl::StartsWith(first->first, prefix)) return rows;
  // This group wrote under the prefix: merge its writes over the store's.
  std::map<std::string, std::string> merged;
  for (workflow::Row& row : rows) merged.emplace(std::move(row.key), std::move(row.value));
  for (auto it = first; it != g.rows.end() && absl::StartsWith(it->first, prefix); ++it) {
    if (it->second.has_value()) {
      merged[it->first] = *it->second;
    } else {
      merged.erase(it->first);
    }
  }
  rows.clear();
  for (auto& [key, value] : merged) rows.push_back({key, std::move(value)});
  return rows;
}

absl::StatusOr<LoadedState> Engine::Load(const workflow::Workflow& workflow,
                                         const std::string& stream, Group& g) {
  if (auto it = g.states.find(stream); it != g.states.end()) return it->second;
  if (auto it = cache_.find(stream); it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return LoadedState{it->second.state, it->second.version};
  }
  uint64_t replayed = 0;
  ASSIGN_OR_RETURN(LoadedState loaded, LoadState(*store_, workflow, stream, &replayed));
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.state_loads += 1;
    stats_.replayed_events += replayed;
  }
  CachePut(stream, loaded);
  return loaded;
}

void Engine::CachePut(const std::string& stream, LoadedState state) {
  if (options_.state_cache_entries == 0) return;
  if (auto it = cache_.find(stream); it != cache_.end()) {
    it->second.state = std::move(state.state);
    it->second.version = state.version;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  lru_.push_front(stream);
  cache_.emplace(stream, CacheEntry{std::move(state.state), state.version, lru_.begin()});
  while (cache_.size() > options_.state_cache_entries) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace casework::storage
