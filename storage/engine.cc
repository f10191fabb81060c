#include "storage/engine.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "absl/container/node_hash_map.h"
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

// A stream's state as the group sees it: the cached object itself, folded in
// place by each command; restored from the store if the group fails.
struct Engine::GroupStream {
  std::shared_ptr<google::protobuf::Message> state;
  int64_t version = 0;
  int64_t persisted_version = 0;
};

struct Engine::Group {
  StoreBatch batch;
  absl::Time now;
  uint64_t next_position;
  // Streams, request records and sequences this group used: later commands
  // must see the group's writes before they reach the store.
  absl::node_hash_map<std::string, GroupStream> states;  // pointers stay valid
  absl::flat_hash_map<std::string, internal::RequestRecord> requests;
  absl::flat_hash_map<std::string, int64_t> sequences;
  // Read-model rows written (value) or deleted (nullopt) by this group.
  std::map<std::string, std::optional<std::string>> rows;
  absl::BitGen* bitgen;
  // Set when a command failed after folding its events (an applier, landing
  // or row bug): the group is abandoned and its other commands retried.
  bool poisoned = false;
};

Engine::Engine(EventStore* store, const Clock* clock, EngineOptions options)
    : store_(store), clock_(clock), options_(options) {
  completer_ = std::thread([this] { Complete(); });
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

void Engine::SubmitAll(std::vector<Command> commands) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      for (Command& c : commands) queue_.push_back(std::move(c));
      cv_.notify_one();
      return;
    }
  }
  for (Command& c : commands) {
    c.done(absl::UnavailableError("the server is shutting down; retry against a running instance"),
           false);
  }
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
  {
    std::lock_guard<std::mutex> lock(completion_mu_);
    completion_stopping_ = true;
  }
  completion_cv_.notify_all();
  if (completer_.joinable()) completer_.join();
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

void Engine::Complete() {
  std::vector<Completion> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(completion_mu_);
      completion_cv_.wait(lock, [&] { return !completions_.empty() || completion_stopping_; });
      if (completions_.empty()) return;  // stopping, and every outcome was delivered
      batch.swap(completions_);
    }
    for (Completion& c : batch) c.done(std::move(c.reply), c.replayed);
    batch.clear();
  }
}

void Engine::CommitGroup(std::vector<Command>& commands) {
  static thread_local absl::BitGen bitgen;
  Group g{store_->NewBatch(), clock_->Now(), store_->LastPosition() + 1, {}, {}, {}, {}, &bitgen};
  std::vector<Completion> outcomes;
  outcomes.reserve(commands.size());
  uint64_t replays = 0;
  std::vector<std::pair<const std::string*, absl::Duration>> holds;
  holds.reserve(commands.size());
  for (Command& command : commands) {
    Completion outcome;
    const auto started = std::chrono::steady_clock::now();
    outcome.reply = Prepare(command, g, &outcome.replayed);
    holds.emplace_back(&command.meta.method,
                       absl::FromChrono(std::chrono::steady_clock::now() - started));
    if (outcome.replayed) ++replays;
    outcome.done = std::move(command.done);
    outcomes.push_back(std::move(outcome));
  }

  absl::Status written = absl::OkStatus();
  if (g.poisoned) {
    written = absl::AbortedError(
        "another command of the same group failed with an internal error; nothing was "
        "written, retry");
  } else if (g.batch.count() > 0) {
    written = store_->Write(g.batch);
  }
  if (written.ok()) {
    for (const auto& [stream, state] : g.states) CachePut(stream, state);
  } else {
    // Nothing of this group may be acknowledged: answers that depended on it
    // (new writes and replays of them) fail with the write error. The states
    // the group folded in place are dropped; the store has what is durable.
    for (Completion& o : outcomes) {
      if (o.reply.ok()) o.reply = written;
    }
    for (const auto& [stream, state] : g.states) CacheEvict(stream);
  }
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.commands += commands.size();
    stats_.groups += g.batch.count() > 0 && !g.poisoned ? 1 : 0;
    stats_.aborted_groups += g.poisoned ? 1 : 0;
    stats_.replays += replays;
    for (const auto& [method, hold] : holds) {
      WriterHold& h = stats_.holds[*method];
      ++h.commands;
      h.total += hold;
      h.longest = std::max(h.longest, hold);
    }
  }
  {
    std::lock_guard<std::mutex> lock(completion_mu_);
    for (Completion& o : outcomes) completions_.push_back(std::move(o));
  }
  completion_cv_.notify_one();
}

absl::StatusOr<std::string> Engine::Prepare(Command& c, Group& g, bool* replayed) {
  RETURN_IF_ERROR(store_->write_status());
  const workflow::Workflow& workflow = c.type->workflow();

  // Idempotency: a request_id the agency used before is answered from its
  // record if it is the same request, and refused for any other.
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
    if (!prior->reply().empty()) return std::move(*prior->mutable_reply());  // previous format
    ASSIGN_OR_RETURN(GroupStream * current, Load(workflow, prior->stream(), g));
    v1::CommitInfo commit;
    commit.set_stream(prior->stream());
    commit.set_first_version(prior->first_version());
    commit.set_last_version(prior->last_version());
    commit.set_first_position(prior->first_position());
    commit.set_last_position(prior->last_position());
    *commit.mutable_recorded_time() = prior->recorded_time();
    return c.type->Reply(*current->state, *c.request, commit);
  }

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

  // A freshly numbered stream has no events: the sequence and the stream's
  // first events are always written in the same batch.
  GroupStream fresh;
  GroupStream* current = &fresh;
  if (numbered) {
    fresh.state = workflow.NewState();
  } else {
    ASSIGN_OR_RETURN(current, Load(workflow, stream, g));
  }
  if (address.expected_version.has_value() && *address.expected_version != current->version) {
    return VersionConflictError(stream, *address.expected_version, current->version);
  }

  workflow::DecideContext context;
  context.now = g.now;
  context.today = absl::ToCivilDay(g.now, options_.time_zone);
  context.calendar = c.calendar.get();
  context.actor = &c.meta.actor;
  context.stream = stream;
  context.partnership = workflow::PartnershipOfStream(stream);
  context.version = current->version;
  context.number = number;
  context.read_state = [this, &g](const workflow::Workflow& other_workflow,
                                   absl::string_view other)
      -> absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> {
    ASSIGN_OR_RETURN(GroupStream * loaded, Load(other_workflow, std::string(other), g));
    return std::shared_ptr<const google::protobuf::Message>(loaded->state);
  };
  context.scan_rows = [this, &g](absl::string_view prefix) { return ScanRows(prefix, g); };
  ASSIGN_OR_RETURN(workflow::Events events,
                   workflow.Decide(*c.type, *current->state, *c.request, context));

  const google::protobuf::Timestamp recorded = ToTimestamp(g.now);
  const int64_t new_version = current->version + static_cast<int64_t>(events.size());
  v1::CommitInfo commit;
  commit.set_stream(stream);
  commit.set_first_version(events.empty() ? current->version : current->version + 1);
  commit.set_last_version(new_version);
  if (!events.empty()) {
    commit.set_first_position(g.next_position);
    commit.set_last_position(g.next_position + events.size() - 1);
  }
  *commit.mutable_recorded_time() = recorded;

  if (!events.empty()) {
    // What the state implied before the command, then fold in place.
    std::vector<workflow::Row> before, after;
    std::vector<workflow::TimerSpec> timers_before, timers_after;
    RETURN_IF_ERROR(workflow.Rows(stream, *current->state, &before));
    workflow.Timers(*current->state, &timers_before);
    const std::string from = workflow.StateName(*current->state);
    if (numbered) current = &g.states.emplace(stream, std::move(fresh)).first->second;

    // From here a failure leaves the folded state half changed: a bug, which
    // abandons the group (its states are reloaded from the store).
    auto poison = [&g](absl::Status status) {
      g.poisoned = true;
      return status;
    };
    google::protobuf::Message& state = *current->state;
    std::vector<v1::EventEnvelope> envelopes(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      v1::EventEnvelope& env = envelopes[i];
      env.set_event_id(absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(*g.bitgen),
                                       absl::Uniform<uint64_t>(*g.bitgen)));
      env.set_stream(stream);
      env.set_stream_version(current->version + static_cast<int64_t>(i) + 1);
      env.set_global_position(g.next_position + i);
      *env.mutable_recorded_time() = recorded;
      *env.mutable_actor() = c.meta.actor;
      env.set_request_id(c.meta.request_id);
      env.set_correlation_id(c.meta.correlation_id.empty() ? c.meta.request_id
                                                           : c.meta.correlation_id);
      env.set_causation_id(c.meta.causation_id);
      if (const int meaning = workflow.CurrentEventVersion(events[i]->GetDescriptor());
          meaning > 1) {
        env.set_event_version(meaning);
      }
      if (absl::Status applied = workflow.Apply(state, env, *events[i]); !applied.ok()) {
        return poison(applied);
      }
      env.set_policy_version(workflow.PinnedPolicyVersion(state));
      env.mutable_payload()->PackFrom(*events[i]);
    }
    if (absl::Status landed = workflow.CheckLanding(*c.type, stream, from, state); !landed.ok()) {
      return poison(landed);
    }
    if (absl::Status rows = workflow.Rows(stream, state, &after); !rows.ok()) return poison(rows);
    workflow.Timers(state, &timers_after);
    current->version = new_version;

    // Stage everything; nothing below can fail.
    for (const v1::EventEnvelope& env : envelopes) g.batch.PutEvent(env);
    if (new_version - current->persisted_version >= options_.state_record_interval) {
      internal::StateRecord record;
      record.set_aggregate(std::string(workflow.name()));
      record.set_schema(workflow.state_schema());
      record.set_version(new_version);
      state.SerializeToString(record.mutable_state());
      g.batch.PutState(stream, record);
      current->persisted_version = new_version;
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++stats_.state_records;
    }

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
  }
  std::string reply = c.type->Reply(*current->state, *c.request, commit);

  if (numbered && !events.empty()) {
    g.batch.PutSequence(address.stream, number);
    g.sequences[address.stream] = number;
  }
  internal::RequestRecord record;
  record.set_method(c.meta.method);
  record.set_fingerprint(c.meta.fingerprint);
  record.set_stream(stream);
  record.set_first_position(commit.first_position());
  record.set_last_position(commit.last_position());
  record.set_first_version(commit.first_version());
  record.set_last_version(commit.last_version());
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

absl::StatusOr<Engine::GroupStream*> Engine::Load(const workflow::Workflow& workflow,
                                                  const std::string& stream, Group& g) {
  if (auto it = g.states.find(stream); it != g.states.end()) return &it->second;
  if (auto it = cache_.find(stream); it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    GroupStream& s = g.states[stream];
    s.state = it->second.state;
    s.version = it->second.version;
    s.persisted_version = it->second.persisted_version;
    return &s;
  }
  uint64_t replayed = 0;
  ASSIGN_OR_RETURN(LoadedState loaded, LoadState(*store_, workflow, stream, &replayed));
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.state_loads += 1;
    stats_.replayed_events += replayed;
  }
  GroupStream& s = g.states[stream];
  // LoadState made a fresh state only this group holds: it may fold it.
  s.state = std::const_pointer_cast<google::protobuf::Message>(loaded.state);
  s.version = loaded.version;
  s.persisted_version = loaded.version - static_cast<int64_t>(replayed);
  return &s;
}

void Engine::CachePut(const std::string& stream, const GroupStream& state) {
  if (options_.state_cache_entries == 0 || options_.state_cache_bytes == 0) return;
  const size_t bytes = state.state->ByteSizeLong() + stream.size();
  if (auto it = cache_.find(stream); it != cache_.end()) {
    cache_bytes_ -= it->second.bytes;
    it->second.state = state.state;
    it->second.version = state.version;
    it->second.persisted_version = state.persisted_version;
    it->second.bytes = bytes;
    cache_bytes_ += bytes;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  } else {
    lru_.push_front(stream);
    cache_.emplace(stream, CacheEntry{state.state, state.version, state.persisted_version, bytes,
                                      lru_.begin()});
    cache_bytes_ += bytes;
  }
  while (!lru_.empty() && (cache_.size() > options_.state_cache_entries ||
                           cache_bytes_ > options_.state_cache_bytes)) {
    CacheEvict(lru_.back());
  }
}

void Engine::CacheEvict(const std::string& stream) {
  auto it = cache_.find(stream);
  if (it == cache_.end()) return;
  cache_bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  cache_.erase(it);
}

}  // namespace casework::storage
