#include "storage/rebuild.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/engine.h"
#include "workflow/common/status.h"

namespace casework::storage {
namespace {

void AddRow(Derived& derived, const std::string& stream, workflow::Row row) {
  if (row.type != nullptr) {
    derived.row_types[row.key] = {stream, row.type};
  } else {
    derived.row_types.erase(row.key);
  }
  derived.rows[std::move(row.key)] = std::move(row.value);
}

}  // namespace

absl::StatusOr<Derived> ComputeDerived(const EventStore& store, const absl::TimeZone& time_zone,
                                       const workflow::Registry& registry) {
  Derived derived;
  uint64_t expected_position = 1;
  absl::Status failure;
  std::vector<workflow::Row> event_rows;
  // One reusable payload message per event type, and the stream of the
  // previous event (a command's events are consecutive): a fold of millions
  // of events allocates and looks up little per event.
  absl::flat_hash_map<std::string, std::unique_ptr<google::protobuf::Message>> payloads;
  Derived::StreamState* last = nullptr;
  const std::string* last_stream = nullptr;
  RETURN_IF_ERROR(store.ScanLog(1, [&](const v1::EventEnvelope& e) {
    if (e.global_position() != expected_position) {
      failure = absl::DataLossError(absl::StrCat("log gap: expected position ", expected_position,
                                                 ", found ", e.global_position()));
      return false;
    }
    ++expected_position;
    if (last == nullptr || *last_stream != e.stream()) {
      auto [it, inserted] = derived.streams.try_emplace(e.stream());
      last = &it->second;
      last_stream = &it->first;
    }
    Derived::StreamState& s = *last;
    if (s.workflow == nullptr) {
      s.workflow = registry.ForStream(e.stream());
      if (s.workflow == nullptr) {
        failure = absl::DataLossError(absl::StrCat("event ", e.global_position(),
                                                   " belongs to unknown stream ", e.stream()));
        return false;
      }
      s.state = s.workflow->NewState();
    }
    if (e.stream_version() != s.version + 1) {
      failure = absl::DataLossError(absl::StrCat("stream ", e.stream(), " jumps from version ",
                                                 s.version, " to ", e.stream_version()));
      return false;
    }
    std::unique_ptr<google::protobuf::Message>& payload = payloads[e.payload().type_url()];
    if (payload == nullptr) {
      absl::StatusOr<std::unique_ptr<google::protobuf::Message>> first = workflow::UnpackPayload(e);
      if (!first.ok()) {
        failure = first.status();
        return false;
      }
      payload = *std::move(first);
    } else if (!payload->ParseFromString(e.payload().value())) {
      failure = absl::DataLossError(absl::StrCat("event ", e.global_position(),
                                                 " payload does not parse as ",
                                                 payload->GetTypeName()));
      return false;
    }
    failure = s.workflow->Apply(*s.state, e, *payload);
    if (!failure.ok()) return false;
    event_rows.clear();
    failure = s.workflow->EventRows(e.stream(), e, *payload, &event_rows);
    if (!failure.ok()) return false;
    for (workflow::Row& row : event_rows) AddRow(derived, e.stream(), std::move(row));
    // Every event records the policy version its case is pinned to; events
    // written before versions were recorded carry 0, but only before the
    // stream's first that does.
    const int64_t pinned = s.workflow->PinnedPolicyVersion(*s.state);
    if (e.policy_version() != pinned &&
        (e.policy_version() != 0 || s.policy_versions_recorded)) {
      derived.event_problems.push_back(absl::StrCat(
          "event ", e.global_position(), " of ", e.stream(), " records policy version ",
          e.policy_version(), ", its case is pinned to ", pinned));
    }
    s.policy_versions_recorded |= e.policy_version() != 0;
    s.version = e.stream_version();
    ++derived.events;
    return true;
  }));
  RETURN_IF_ERROR(failure);
  std::vector<workflow::Row> rows;
  std::vector<workflow::TimerSpec> timers;
  for (const auto& [stream, s] : derived.streams) {
    rows.clear();
    RETURN_IF_ERROR(s.workflow->Rows(stream, *s.state, &rows));
    for (workflow::Row& row : rows) AddRow(derived, stream, std::move(row));
    timers.clear();
    s.workflow->Timers(*s.state, &timers);
    for (const workflow::TimerSpec& t : timers) derived.timers.insert(TimerEntry(stream, t, time_zone));
  }
  return derived;
}

absl::StatusOr<VerifyReport> VerifyStore(const EventStore& store,
                                         const absl::TimeZone& time_zone,
                                         const workflow::Registry& registry) {
  ASSIGN_OR_RETURN(Derived derived, ComputeDerived(store, time_zone, registry));
  VerifyReport report;
  report.events = derived.events;
  report.streams = derived.streams.size();
  report.rows = derived.rows.size();
  report.timers = derived.timers.size();
  report.problems = derived.event_problems;
  if (derived.events != store.LastPosition()) {
    report.problems.push_back(absl::StrCat("log has ", derived.events,
                                           " events but the head position is ",
                                           store.LastPosition()));
  }
  for (const auto& [stream, s] : derived.streams) {
    ASSIGN_OR_RETURN(int64_t indexed, store.StreamVersion(stream));
    if (indexed != s.version) {
      report.problems.push_back(absl::StrCat("stream index of ", stream, " ends at version ",
                                             indexed, ", log has ", s.version));
    }
    // A state record may lag its stream (the engine rewrites it every few
    // events); it must equal the fold at its own version.
    ASSIGN_OR_RETURN(std::optional<internal::StateRecord> record, store.GetState(stream));
    if (!record.has_value()) continue;  // loading folds the whole stream
    if (record->aggregate() != s.workflow->name() ||
        record->schema() != s.workflow->state_schema() || record->version() > s.version) {
      report.problems.push_back(absl::StrCat("state record of ", stream, " is a ",
                                             record->aggregate(), " record of schema ",
                                             record->schema(), " at version ", record->version(),
                                             "; the log has ", s.version, " events of a ",
                                             s.workflow->name(), " stream"));
      continue;
    }
    std::shared_ptr<google::protobuf::Message> at = s.state;
    if (record->version() != s.version) {
      ASSIGN_OR_RETURN(at, FoldStream(store, *s.workflow, stream, record->version()));
    }
    std::string stored_state = std::move(*record->mutable_state());
    if (store.sealer() != nullptr) {
      ASSIGN_OR_RETURN(stored_state, store.sealer()->OpenSerialized(std::move(stored_state)));
    }
    if (stored_state != at->SerializeAsString()) {
      report.problems.push_back(absl::StrCat("state record of ", stream, " at version ",
                                             record->version(), " differs from the fold of the log"));
    }
  }
  // The derived rows the scan of the stored ones met (keys of derived.rows,
  // which no longer changes): only the others are looked up one by one.
  absl::flat_hash_set<absl::string_view> found;
  for (absl::string_view prefix : registry.row_prefixes()) {
    std::string after;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<StoredRow> stored, store.ScanRows(prefix, after, 1000));
      for (const StoredRow& row : stored) {
        auto it = derived.rows.find(row.key);
        if (it == derived.rows.end()) {
          report.problems.push_back(absl::StrCat("row not implied by the log: ", row.key));
          continue;
        }
        if (it->second != row.value) {
          report.problems.push_back(absl::StrCat("row value differs: ", row.key));
        }
        found.insert(it->first);
      }
      if (stored.size() < 1000) break;
      after = stored.back().key;
    }
  }
  for (const auto& [key, value] : derived.rows) {
    if (found.contains(key)) continue;
    ASSIGN_OR_RETURN(std::optional<std::string> stored, store.GetRow(key));
    if (!stored.has_value()) report.problems.push_back(absl::StrCat("row missing: ", key));
  }
  ASSIGN_OR_RETURN(auto stored_timers, store.AllTimers());
  std::map<std::string, internal::TimerRecord> remaining = derived.timers;
  for (const auto& [key, record] : stored_timers) {
    auto it = remaining.find(key);
    if (it == remaining.end()) {
      report.problems.push_back(absl::StrCat("timer not implied by the log: ", record.stream(),
                                             "#", record.name(), "@", record.generation()));
    } else {
      remaining.erase(it);
    }
  }
  for (const auto& [key, record] : remaining) {
    report.problems.push_back(absl::StrCat("timer missing: ", record.stream(), "#", record.name(),
                                           "@", record.generation()));
  }
  return report;
}

absl::Status RebuildDerived(EventStore& store, const absl::TimeZone& time_zone,
                            const workflow::Registry& registry) {
  ASSIGN_OR_RETURN(Derived derived, ComputeDerived(store, time_zone, registry));
  for (absl::string_view prefix : registry.row_prefixes()) {
    std::vector<StoredRow> rows;
    for (auto it = derived.rows.lower_bound(std::string(prefix));
         it != derived.rows.end() && absl::StartsWith(it->first, prefix); ++it) {
      StoredRow& row = rows.emplace_back(StoredRow{it->first, it->second});
      auto typed = derived.row_types.find(it->first);
      if (store.sealer() != nullptr && typed != derived.row_types.end()) {
        ASSIGN_OR_RETURN(row.value, store.sealer()->SealSerialized(
                                        typed->second.first, typed->second.second,
                                        std::move(row.value)));
      }
    }
    RETURN_IF_ERROR(store.ReplaceRows(prefix, rows));
  }
  RETURN_IF_ERROR(store.ReplaceTimers({derived.timers.begin(), derived.timers.end()}));
  StoreBatch batch = store.NewBatch();
  for (const auto& [stream, s] : derived.streams) {
    internal::StateRecord record;
    record.set_aggregate(std::string(s.workflow->name()));
    record.set_schema(s.workflow->state_schema());
    record.set_version(s.version);
    s.state->SerializeToString(record.mutable_state());
    if (store.sealer() != nullptr) {
      ASSIGN_OR_RETURN(*record.mutable_state(),
                       store.sealer()->SealSerialized(stream, s.state->GetDescriptor(),
                                                      std::move(*record.mutable_state())));
    }
    batch.PutState(stream, record);
  }
  return store.Write(batch);
}

absl::StatusOr<int> DerivedFormat(const EventStore& store) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, store.GetMeta("derived"));
  if (!value.has_value()) return store.LastPosition() == 0 ? kDerivedFormat : 1;
  int format = 0;
  if (!absl::SimpleAtoi(*value, &format)) {
    return absl::DataLossError(absl::StrCat("unreadable derived format \"", *value, "\""));
  }
  return format;
}

absl::StatusOr<bool> UpgradeDerived(EventStore& store, const absl::TimeZone& time_zone,
                                    const workflow::Registry& registry) {
  ASSIGN_OR_RETURN(int format, DerivedFormat(store));
  if (format > kDerivedFormat) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the data directory was derived by a newer build (format ", format, ", this build knows ",
        kDerivedFormat, "); run that build"));
  }
  const bool rebuild = format < kDerivedFormat;
  if (rebuild) RETURN_IF_ERROR(RebuildDerived(store, time_zone, registry));
  ASSIGN_OR_RETURN(std::optional<std::string> recorded, store.GetMeta("derived"));
  if (rebuild || !recorded.has_value()) {
    RETURN_IF_ERROR(store.PutMeta("derived", absl::StrCat(kDerivedFormat)));
  }
  return rebuild;
}

}  // namespace casework::storage
