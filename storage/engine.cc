#include "storage/engine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "privacy/sealer.h"
#include "storage/engine_internal.h"
#include "storage/erasure.h"
#include "storage/keys.h"
#include "storage/parsed_rows.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::storage {
namespace {

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

// The answer to a command or side write that arrives after Stop().
absl::Status ShuttingDown() {
  return absl::UnavailableError("the server is shutting down; retry against a running instance");
}

}  // namespace

Engine::Engine(EventStore* store, const Clock* clock, EngineOptions options)
    : store_(store), clock_(clock), options_(options), ranges_(options.row_cache_bytes) {
  completer_ = std::thread([this] { Complete(); });
  writer_ = std::thread([this] { Run(); });
}

Engine::~Engine() { Stop(); }

void Engine::Submit(Command command) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(command));
      // A group being written takes what is queued next (RunHereIfIdle
      // wakes the writer thread if it has to).
      if (!writing_) cv_.notify_one();
      return;
    }
  }
  command.done(ShuttingDown(), false);
}

void Engine::SubmitOrRun(Command command) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    lock.unlock();
    command.done(ShuttingDown(), false);
    return;
  }
  queue_.push_back(std::move(command));
  RunHereIfIdle(lock);
}

void Engine::SubmitSideWriteOrRun(SideWrite write) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    lock.unlock();
    write.done(ShuttingDown());
    return;
  }
  side_queue_.push_back(std::move(write));
  RunHereIfIdle(lock);
}

void Engine::RunHereIfIdle(std::unique_lock<std::mutex>& lock) {
  if (writing_) return;  // the thread writing a group takes what was queued next
  std::vector<Command> group;
  std::vector<SideWrite> side;
  TakeGroupLocked(group, side);
  lock.unlock();
  std::vector<Completion> outcomes = CommitGroup(group, side);
  lock.lock();
  writing_ = false;
  // The writer thread waits while another thread writes a group; it takes
  // what was queued meanwhile, and stops only once no group is being
  // written. Notified under the lock: once it is released, Stop() may
  // return and the engine go, and nothing below touches it.
  if (!queue_.empty() || !side_queue_.empty() || stopping_) cv_.notify_all();
  lock.unlock();
  for (Completion& c : outcomes) c.done(std::move(c.reply), c.replayed);
}

void Engine::TakeGroupLocked(std::vector<Command>& group, std::vector<SideWrite>& side) {
  writing_ = true;
  side.swap(side_queue_);
  if (queue_.size() <= options_.max_group_commands) {
    group.swap(queue_);
  } else {
    auto end = queue_.begin() + static_cast<std::ptrdiff_t>(options_.max_group_commands);
    group.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
    queue_.erase(queue_.begin(), end);
  }
}

void Engine::SubmitAll(std::vector<Command> commands) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      for (Command& c : commands) queue_.push_back(std::move(c));
      if (!writing_) cv_.notify_one();
      return;
    }
  }
  for (Command& c : commands) {
    c.done(ShuttingDown(), false);
  }
}

void Engine::SubmitSideWrite(SideWrite write) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      side_queue_.push_back(std::move(write));
      if (!writing_) cv_.notify_one();
      return;
    }
  }
  write.done(ShuttingDown());
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

size_t Engine::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void Engine::Run() {
  std::vector<Command> group;
  std::vector<SideWrite> side;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] {
        return !writing_ && (!queue_.empty() || !side_queue_.empty() || stopping_);
      });
      // Stopping, and everything queued is done.
      if (queue_.empty() && side_queue_.empty()) return;
      TakeGroupLocked(group, side);
    }
    std::vector<Completion> outcomes = CommitGroup(group, side);
    group.clear();
    side.clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
    }
    // The part is given back before any `done` runs: a caller one answers
    // may then write its next command's group itself.
    HandToCompleter(std::move(outcomes));
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

std::vector<Engine::Completion> Engine::CommitGroup(std::vector<Command>& commands,
                                                   std::vector<SideWrite>& side) {
  static thread_local absl::BitGen bitgen;
  Group g{store_->NewBatch(), clock_->Now(), store_->LastPosition() + 1, {}, {}, {}, {}, &bitgen};
  std::vector<Completion> outcomes;
  outcomes.reserve(commands.size());
  uint64_t replays = 0;
  std::vector<std::pair<const std::string*, absl::Duration>> holds;
  holds.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    Command& command = commands[i];
    Completion outcome;
    const auto started = std::chrono::steady_clock::now();
    g.current = outcomes.size();
    outcome.reply = Prepare(command, g, &outcome.replayed);
    holds.emplace_back(&command.meta.method,
                       absl::FromChrono(std::chrono::steady_clock::now() - started));
    if (outcome.replayed) ++replays;
    outcome.done = std::move(command.done);
    outcomes.push_back(std::move(outcome));
    // A command that records erasures ends its group: the keys it erases
    // are destroyed only once the group is durable, and a later command of
    // the same group would otherwise seal new data with them (which the
    // erasure would then destroy too). The rest go first in the next group.
    if (!g.erasures.empty() && i + 1 < commands.size()) {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.insert(queue_.begin(), std::make_move_iterator(commands.begin() + i + 1),
                    std::make_move_iterator(commands.end()));
      commands.resize(i + 1);
      break;
    }
  }

  if (!g.poisoned) {
    for (SideWrite& s : side) s.stage(g.batch, g.now);
  }
  absl::Status written = absl::OkStatus();
  if (g.poisoned) {
    written = absl::AbortedError(
        "another command of the same group failed with an internal error; nothing was "
        "written, retry");
  } else if (g.batch.count() > 0) {
    const auto write_started = std::chrono::steady_clock::now();
    written = store_->Write(g.batch);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - write_started).count();
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.write_seconds.Add(seconds);
    stats_.group_commands.Add(static_cast<double>(commands.size()));
  }
  if (written.ok()) {
    for (auto& [stream, state] : g.states) CachePut(stream, std::move(state));
    RowCacheWritten(g);
    OpenedRows& opened = store_->opened_rows();
    for (auto& [stored, value] : g.opened_summaries) {
      opened.Put(std::move(stored), std::move(value), opened.generation());
    }
    // An erasure derives rows again in the store: no range kept is known
    // good.
    if (!g.erasures.empty()) ranges_.Clear();
    // Erasures take effect once recorded: keys destroyed, read models
    // derived again (storage/erasure.h). A failure leaves them pending, for
    // the next start.
    for (const auto& [index, key_ids] : g.erasures) {
      absl::StatusOr<ErasureOutcome> applied =
          ApplyErasure(*store_, workflow::Workflows(), key_ids);
      if (applied.ok()) {
        for (const std::string& stream : applied->streams) CacheEvict(stream);
        continue;
      }
      std::fprintf(stderr, "casework: an erasure is recorded but not yet applied: %s\n",
                   std::string(applied.status().message()).c_str());
      outcomes[index].reply = ErrorWithReason(
          absl::StatusCode::kUnavailable, "ERASURE_PENDING",
          absl::StrCat("the erasure is recorded; destroying its keys failed (",
                       applied.status().message(),
                       ") and is retried when the server next starts"));
    }
  } else {
    // Nothing of this group may be acknowledged: answers that depended on it
    // (new writes and replays of them) fail with the write error. The states
    // the group folded in place are dropped; the store has what is durable.
    for (Completion& o : outcomes) {
      if (o.reply.ok()) o.reply = written;
    }
    for (const auto& [stream, state] : g.states) CacheEvict(stream);
    // The ranges kept are of the store before the group; should a failed
    // write have reached it in part, none is known good.
    ranges_.Clear();
  }
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.commands += commands.size();
    stats_.groups += g.batch.count() > 0 && !g.poisoned ? 1 : 0;
    stats_.aborted_groups += g.poisoned ? 1 : 0;
    stats_.replays += replays;
    stats_.row_cache_hits = ranges_.hits();
    stats_.row_cache_misses = ranges_.misses();
    stats_.row_cache_bytes = ranges_.bytes();
    for (const auto& [method, hold] : holds) {
      WriterHold& h = stats_.holds[*method];
      ++h.commands;
      h.total += hold;
      h.longest = std::max(h.longest, hold);
    }
  }
  for (SideWrite& s : side) {
    Completion o;
    o.done = [done = std::move(s.done)](absl::StatusOr<std::string> reply, bool) {
      done(reply.status());
    };
    o.reply = written.ok() ? absl::StatusOr<std::string>(std::string()) : written;
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

void Engine::HandToCompleter(std::vector<Completion> outcomes) {
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
  ASSIGN_OR_RETURN(std::optional<internal::RequestRecord> prior, FindRequest(c, request_key, g));
  if (prior.has_value()) {
    if (prior->method() != c.meta.method || prior->fingerprint() != c.meta.fingerprint) {
      return RequestIdReusedError(c.meta, prior->method());
    }
    *replayed = true;
    return Replay(c, *prior, g);
  }

  ASSIGN_OR_RETURN(const Target target, Resolve(c, g));
  const std::string& stream = target.stream;

  // A freshly numbered stream has no events: the sequence and the stream's
  // first events are always written in the same batch.
  GroupStream fresh;
  GroupStream* current = &fresh;
  if (target.number > 0) {
    fresh.state = workflow.NewState();
  } else {
    ASSIGN_OR_RETURN(current, Load(workflow, stream, g));
  }
  if (c.address.expected_version.has_value() && *c.address.expected_version != current->version) {
    return VersionConflictError(stream, *c.address.expected_version, current->version);
  }

  workflow::DecideContext context;
  context.now = g.now;
  context.today = absl::ToCivilDay(g.now, options_.time_zone);
  context.calendar = c.calendar.get();
  context.actor = &c.meta.actor;
  context.stream = stream;
  context.partnership = workflow::PartnershipOfStream(stream);
  context.version = current->version;
  context.number = target.number;
  context.read_state = [this, &g](const workflow::Workflow& other_workflow,
                                   absl::string_view other)
      -> absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> {
    ASSIGN_OR_RETURN(GroupStream * loaded, Load(other_workflow, std::string(other), g));
    return std::shared_ptr<const google::protobuf::Message>(loaded->state);
  };
  context.scan_rows = [this, &g](absl::string_view prefix) {
    return ScanRows(prefix, "", "", 0, g);
  };
  context.scan_range = [this, &g](absl::string_view prefix, absl::string_view after,
                                  absl::string_view until, int limit) {
    return ScanRows(prefix, after, until, limit, g);
  };
  context.registry = &workflow::Workflows();
  if (privacy::Sealer* sealer = store_->sealer()) {
    context.streams_sealed_for = [this, &g, sealer, partnership = context.partnership](
                                     v1::DataSubject subject, absl::string_view reference,
                                     absl::string_view after, int limit)
        -> absl::StatusOr<std::vector<std::string>> {
      std::vector<std::string> streams;
      ASSIGN_OR_RETURN(std::optional<std::string> id,
                       sealer->keys().LiveIdOf(privacy::PersonKeyName(partnership, subject,
                                                                      reference)));
      if (!id.has_value() || limit <= 0) return streams;
      const std::string prefix = keys::PrivacyUsePrefix(*id);
      ASSIGN_OR_RETURN(std::vector<workflow::Row> uses, ScanRows(prefix, after, "", limit, g));
      for (workflow::Row& use : uses) streams.push_back(use.key.substr(prefix.size()));
      return streams;
    };
  }
  ASSIGN_OR_RETURN(workflow::Events events,
                   workflow.Decide(*c.type, *current->state, *c.request, context));

  const google::protobuf::Timestamp recorded = engine_internal::ToTimestamp(g.now);
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
    ASSIGN_OR_RETURN(current, Stage(c, stream, current, current == &fresh, events, recorded, g));
    if (target.number > 0) {
      g.batch.PutSequence(c.address.stream, target.number);
      g.sequences[c.address.stream] = target.number;
    }
  }
  std::string reply = c.type->Reply(*current->state, *c.request, commit);

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

absl::StatusOr<std::optional<internal::RequestRecord>> Engine::FindRequest(
    const Command& c, const std::string& request_key, const Group& g) {
  if (auto it = g.requests.find(request_key); it != g.requests.end()) return it->second;
  ASSIGN_OR_RETURN(std::optional<internal::RequestRecord> prior, store_->GetRequest(request_key));
  if (prior.has_value()) return prior;
  // Recorded before request ids were scoped to the agency.
  return store_->GetRequest(keys::MethodScopedRequestKey(c.meta.method, c.meta.request_id));
}

absl::StatusOr<std::string> Engine::Replay(const Command& c, internal::RequestRecord& prior,
                                           Group& g) {
  if (!prior.reply().empty()) return std::move(*prior.mutable_reply());  // previous format
  ASSIGN_OR_RETURN(GroupStream * current, Load(c.type->workflow(), prior.stream(), g));
  v1::CommitInfo commit;
  commit.set_stream(prior.stream());
  commit.set_first_version(prior.first_version());
  commit.set_last_version(prior.last_version());
  commit.set_first_position(prior.first_position());
  commit.set_last_position(prior.last_position());
  *commit.mutable_recorded_time() = prior.recorded_time();
  return c.type->Reply(*current->state, *c.request, commit);
}

absl::StatusOr<Engine::Target> Engine::Resolve(const Command& c, const Group& g) {
  const workflow::Address& address = c.address;
  Target target{address.stream, 0};
  if (!address.natural_key.empty()) {
    // A stream already holds this natural key: the command goes to it.
    std::optional<std::string> owner;
    if (auto it = g.rows.find(address.natural_key); it != g.rows.end()) {
      owner = it->second;
    } else {
      ASSIGN_OR_RETURN(owner, store_->GetRow(address.natural_key));
    }
    if (owner.has_value()) return Target{*owner, 0};
  }
  if (!address.numbered) return target;
  int64_t last = 0;
  if (auto it = g.sequences.find(address.stream); it != g.sequences.end()) {
    last = it->second;
  } else {
    ASSIGN_OR_RETURN(last, store_->GetSequence(address.stream));
  }
  target.number = last + 1;
  target.stream = absl::StrCat(address.stream, target.number);
  return target;
}

absl::StatusOr<Engine::GroupStream*> Engine::Load(const workflow::Workflow& workflow,
                                                  const std::string& stream, Group& g) {
  if (auto it = g.states.find(stream); it != g.states.end()) return &it->second;
  if (auto it = cache_.find(stream); it != cache_.end()) {
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++stats_.cache_hits;
    }
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    GroupStream& s = g.states[stream];
    s.state = it->second.state;
    s.version = it->second.version;
    s.persisted_version = it->second.persisted_version;
    s.keys_marked = it->second.keys_marked;
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

void Engine::CachePut(const std::string& stream, GroupStream&& state) {
  if (options_.state_cache_entries == 0 || options_.state_cache_bytes == 0) return;
  // The parsed state (ParsedMessageBytes); the map and list nodes, the key
  // twice and the shared pointer add about kCacheEntryOverhead.
  constexpr size_t kCacheEntryOverhead = 256;
  size_t bytes =
      ParsedMessageBytes(state.state->ByteSizeLong()) + 2 * stream.size() + kCacheEntryOverhead;
  for (const std::string& id : state.keys_marked) bytes += sizeof(std::string) + id.capacity() + 1;
  if (auto it = cache_.find(stream); it != cache_.end()) {
    cache_bytes_ -= it->second.bytes;
    it->second.state = std::move(state.state);
    it->second.version = state.version;
    it->second.persisted_version = state.persisted_version;
    it->second.keys_marked = std::move(state.keys_marked);
    it->second.bytes = bytes;
    cache_bytes_ += bytes;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  } else {
    lru_.push_front(stream);
    cache_.emplace(stream,
                   CacheEntry{std::move(state.state), state.version, state.persisted_version,
                              std::move(state.keys_marked), bytes, lru_.begin()});
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
