// The writer's second half of a command: fold the decided events into the
// group's state in place and stage everything they imply in the group's
// batch (events, state record, read-model rows, timers). Also the row scans
// decisions make, which see the group's staged rows.
#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/engine.h"
#include "storage/engine_internal.h"
#include "storage/erasure.h"
#include "storage/keys.h"
#include "workflow/common/status.h"
#include "privacy/sealer.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/transitions.h"

namespace casework::storage {

using engine_internal::kReplayPage;

absl::StatusOr<Engine::GroupStream*> Engine::Stage(const Command& c, const std::string& stream,
                                                   GroupStream* current, bool fresh,
                                                   const workflow::Events& events,
                                                   const google::protobuf::Timestamp& recorded,
                                                   Group& g) {
  const workflow::Workflow& workflow = c.type->workflow();
  // What the state implied before the command, then fold in place.
  std::vector<workflow::Row> before, after;
  std::vector<workflow::TimerSpec> timers_before, timers_after;
  RETURN_IF_ERROR(workflow.IndexRows(stream, *current->state, &before));
  workflow.Timers(*current->state, &timers_before);
  const std::string from = workflow.StateName(*current->state);
  if (fresh) current = &g.states.emplace(stream, std::move(*current)).first->second;

  // From here a failure leaves the folded state half changed: a bug, which
  // abandons the group (its states are reloaded from the store).
  auto poison = [&g](absl::Status status) {
    g.poisoned = true;
    return status;
  };
  google::protobuf::Message& state = *current->state;
  const int64_t new_version = current->version + static_cast<int64_t>(events.size());
  std::vector<v1::EventEnvelope> envelopes(events.size());
  std::vector<workflow::Row> event_rows;
  // What is stored has its personal fields sealed (the group keeps them
  // plain); a failure to seal (the key store unreadable) abandons the group.
  privacy::Sealer* sealer = store_->sealer();
  std::vector<std::string> key_ids;
  std::vector<v1::Erasure> erasures;  // Definition::Erases, read before sealing
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
    if (absl::Status added = workflow.EventRows(stream, env, *events[i], &event_rows);
        !added.ok()) {
      return poison(added);
    }
    // An event is sealed before it is packed (an envelope's other fields
    // are never personal): sealing the envelope would parse the payload
    // again and encode it twice.
    if (sealer != nullptr) {
      workflow.ErasuresOf(*events[i], &erasures);
      if (absl::Status sealed = sealer->Seal(stream, events[i].get(), &key_ids); !sealed.ok()) {
        return poison(sealed);
      }
    }
    env.mutable_payload()->PackFrom(*events[i]);
  }
  if (absl::Status landed = workflow.CheckLanding(*c.type, stream, from, state); !landed.ok()) {
    return poison(landed);
  }
  if (absl::Status rows = workflow.IndexRows(stream, state, &after); !rows.ok()) {
    return poison(rows);
  }
  workflow.Timers(state, &timers_after);

  // The rows to write: those the events imply, the summary (it holds the
  // state, which changed), and the index rows that changed.
  std::vector<workflow::Row> puts = std::move(event_rows);
  if (const std::string summary = workflow.SummaryRowKey(stream);
      !summary.empty() && workflow.StateName(state) != workflow::kNewState) {
    puts.push_back(workflow::MessageRow(summary, state));
  }
  absl::flat_hash_map<absl::string_view, absl::string_view> old_rows;
  for (const workflow::Row& r : before) old_rows[r.key] = r.value;
  for (workflow::Row& r : after) {
    auto it = old_rows.find(r.key);
    const bool changed = it == old_rows.end() || it->second != r.value;
    if (it != old_rows.end()) old_rows.erase(it);
    if (changed) puts.push_back(std::move(r));
  }
  const bool write_state = new_version - current->persisted_version >= options_.state_record_interval;

  std::vector<std::string> stored_values(puts.size());
  std::string stored_state;
  if (write_state) state.SerializeToString(&stored_state);
  if (sealer != nullptr) {
    // Rows holding the same message (a ledger entry in three indexes) are
    // sealed once.
    absl::flat_hash_map<absl::string_view, size_t> sealed_once;
    for (size_t i = 0; i < puts.size(); ++i) {
      if (puts[i].type == nullptr) continue;
      if (auto same = sealed_once.find(puts[i].value);
          same != sealed_once.end() && puts[same->second].type == puts[i].type) {
        stored_values[i] = stored_values[same->second];
        continue;
      }
      absl::StatusOr<std::string> sealed =
          sealer->SealSerialized(stream, puts[i].type, puts[i].value);
      if (!sealed.ok()) return poison(sealed.status());
      stored_values[i] = *std::move(sealed);
      sealed_once.emplace(puts[i].value, i);
    }
    if (write_state) {
      absl::StatusOr<std::string> sealed =
          sealer->SealSerialized(stream, state.GetDescriptor(), std::move(stored_state));
      if (!sealed.ok()) return poison(sealed.status());
      stored_state = *std::move(sealed);
    }
  }
  // Erasures (Definition::Erases): the live keys they destroy once durable,
  // pending till then (storage/erasure.h); among them the keys this very
  // command's events were just sealed with.
  std::vector<std::pair<std::string, std::string>> pending_erasures;  // row key, record
  if (sealer != nullptr) {
    std::vector<std::string> ids;
    const absl::string_view partnership = workflow::PartnershipOfStream(stream);
    for (const v1::Erasure& erasure : erasures) {
      for (const std::string& name : ErasureKeyNames(partnership, erasure)) {
        absl::StatusOr<std::optional<std::string>> id = sealer->keys().LiveIdOf(name);
        if (!id.ok()) return poison(id.status());
        if (!id->has_value() || std::find(ids.begin(), ids.end(), **id) != ids.end()) continue;
        internal::ErasureRecord record = ErasureRecordOf(erasure);
        record.set_key_id(**id);
        pending_erasures.emplace_back(absl::StrCat("privacy/pending/", **id),
                                      record.SerializeAsString());
        ids.push_back(**id);
      }
    }
    if (!ids.empty()) g.erasures.emplace_back(g.current, std::move(ids));
  }

  current->version = new_version;

  // Stage everything; nothing below can fail.
  for (const v1::EventEnvelope& env : envelopes) g.batch.PutEvent(env);
  // Which records each key sealed something in: what erasing the key
  // re-derives (docs/data-protection.md). Such a row is never deleted, so
  // it is written once per stream and key, not by every command: again
  // only once the stream's state has left the cache, which forgets what it
  // marked. A failed group never reaches the cache.
  uint64_t use_rows = 0;
  for (std::string& id : key_ids) {
    std::vector<std::string>& marked = current->keys_marked;
    if (std::find(marked.begin(), marked.end(), id) != marked.end()) continue;
    std::string use = keys::PrivacyUseKey(id, stream);
    g.batch.PutRow(use, "");
    g.rows[std::move(use)] = std::string();  // seen by later decisions of the group
    marked.push_back(std::move(id));
    ++use_rows;
  }
  if (use_rows > 0) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.use_rows += use_rows;
  }
  for (const auto& [key, record] : pending_erasures) g.batch.PutRow(key, record);
  if (write_state) {
    g.batch.PutState(stream, StateRecordOf(workflow, new_version, std::move(stored_state)));
    current->persisted_version = new_version;
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.state_records;
  }
  // The case's summary row is what readers open most (a Get, a list
  // page, an access check): its opened value goes to their cache once
  // the group is written.
  const std::string summary_key = sealer != nullptr ? workflow.SummaryRowKey(stream) : "";
  for (size_t i = 0; i < puts.size(); ++i) {
    const bool sealed = puts[i].type != nullptr && sealer != nullptr;
    g.batch.PutRow(puts[i].key, sealed ? stored_values[i] : puts[i].value);
    if (sealed && !summary_key.empty() && puts[i].key == summary_key) {
      g.opened_summaries.emplace_back(stored_values[i], puts[i].value);
    }
    g.rows[puts[i].key] = std::move(puts[i].value);
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
  return current;
}

absl::StatusOr<std::vector<workflow::Row>> Engine::ScanRows(absl::string_view prefix,
                                                            absl::string_view after,
                                                            absl::string_view until,
                                                            int limit, const Group& g) {
  const std::string first = absl::StrCat(prefix, after);  // rows sort after this key
  const std::string last = absl::StrCat(prefix, until);   // and not after this one
  auto in_range = [&](absl::string_view key) {
    return absl::StartsWith(key, prefix) && (after.empty() || key > first) &&
           (until.empty() || key <= last);
  };
  auto written = g.rows.lower_bound(std::string(prefix));
  const bool group_wrote = written != g.rows.end() && absl::StartsWith(written->first, prefix);
  // A limit applies to the store's rows only when this group wrote nothing
  // under the prefix (it could have deleted some); else all are read and
  // the merge is cut short.
  const size_t store_limit = limit > 0 && !group_wrote ? static_cast<size_t>(limit) : SIZE_MAX;
  // What the writer holds of the range first, then the store's rows beyond.
  ScannedRanges::Found kept =
      ranges_.Find(prefix, after, until, store_limit == SIZE_MAX ? 0 : store_limit);
  std::vector<workflow::Row> rows = std::move(kept.rows);
  if (!kept.complete) {
    std::vector<workflow::Row> read;
    std::string start = kept.resume_after.empty() ? std::string()
                                                  : absl::StrCat(prefix, kept.resume_after);
    // Where the store's rows were known to end: at the prefix's end (none
    // left), past `until`, or at the last row the limit let in.
    std::optional<std::string> known_to;
    for (;;) {
      const size_t wanted = store_limit - rows.size() - read.size();
      const int page_size = static_cast<int>(std::min<size_t>(kReplayPage, wanted));
      ASSIGN_OR_RETURN(std::vector<workflow::Row> page,
                       store_->ScanRows(prefix, start, page_size, /*open=*/false));
      bool past = false;
      for (workflow::Row& row : page) {
        if (!until.empty() && row.key > last) {
          past = true;
          break;
        }
        ASSIGN_OR_RETURN(row.value, store_->OpenRow(std::move(row.value), /*remember=*/false));
        read.push_back(std::move(row));
      }
      if (past) {
        known_to = std::string(until);
        break;
      }
      if (static_cast<int>(page.size()) < page_size) break;  // none left under the prefix
      if (rows.size() + read.size() >= store_limit) {
        known_to = read.back().key.substr(prefix.size());
        break;
      }
      start = read.back().key;
    }
    ranges_.Fill(prefix, kept.resume_after, known_to, read);
    std::move(read.begin(), read.end(), std::back_inserter(rows));
  }
  if (!group_wrote) return rows;
  // This group wrote under the prefix: merge its writes over the store's.
  std::map<std::string, std::string> merged;
  for (workflow::Row& row : rows) merged.emplace(std::move(row.key), std::move(row.value));
  for (auto it = written; it != g.rows.end() && absl::StartsWith(it->first, prefix); ++it) {
    if (!in_range(it->first)) continue;
    if (it->second.has_value()) {
      merged[it->first] = *it->second;
    } else {
      merged.erase(it->first);
    }
  }
  rows.clear();
  for (auto& [key, value] : merged) {
    if (limit > 0 && rows.size() >= static_cast<size_t>(limit)) break;
    rows.push_back({key, std::move(value)});
  }
  return rows;
}

void Engine::RowCacheWritten(const Group& g) {
  for (const auto& [key, value] : g.rows) ranges_.Written(key, value);
}

}  // namespace casework::storage
