#include "storage/rebuild.h"

#include <algorithm>
#include <cstdint>
#include <future>
#include <iterator>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "storage/engine.h"
#include "storage/huge_pages.h"
#include "storage/key_order.h"
#include "workflow/common/status.h"

namespace casework::storage {
namespace {

// The store's meta value holding the derived format.
constexpr absl::string_view kDerivedMeta = "derived";

// `stream` is a key of Derived::streams.
void AddRow(std::vector<Derived::Row>& rows, const std::string& stream, workflow::Row row) {
  rows.push_back({std::move(row.key), std::move(row.value), row.type,
                  row.type != nullptr ? &stream : nullptr});
}

using StreamEntry = std::pair<const std::string, Derived::StreamState>;

// Adds to `rows` and `timers` what the final states of `streams` imply.
// Once the first 1,024 streams show how many rows a stream implies, `rows`
// is reserved for the rest (a row to spare per stream), so that it is not
// copied as it grows.
absl::Status RowsOfStates(absl::Span<const StreamEntry* const> streams,
                          const absl::TimeZone& time_zone, std::vector<Derived::Row>& rows,
                          std::vector<std::pair<std::string, internal::TimerRecord>>& timers) {
  constexpr size_t kSampleStreams = 1024;
  const size_t rows_before = rows.size();
  std::vector<workflow::Row> implied;
  std::vector<workflow::TimerSpec> specs;
  timers.reserve(timers.size() + streams.size());
  for (size_t i = 0; i < streams.size(); ++i) {
    if (i == kSampleStreams) {
      const size_t per_stream = (rows.size() - rows_before) / i + 1;
      rows.reserve(rows_before + per_stream * streams.size());
    }
    const auto& [stream, s] = *streams[i];
    implied.clear();
    RETURN_IF_ERROR(s.workflow->Rows(stream, *s.state, &implied));
    for (workflow::Row& row : implied) AddRow(rows, stream, std::move(row));
    specs.clear();
    s.workflow->Timers(*s.state, &specs);
    for (const workflow::TimerSpec& t : specs) timers.push_back(TimerEntry(stream, t, time_zone));
  }
  return absl::OkStatus();
}

// The streams of at least `min_events` events, by name; sorted, so that
// reports list them alike each time.
std::vector<const StreamEntry*> Streams(const Derived& derived, bool sorted,
                                        int64_t min_events = 0) {
  std::vector<const StreamEntry*> streams;
  streams.reserve(derived.streams.size());
  for (const StreamEntry& entry : derived.streams) {
    if (entry.second.version >= min_events) streams.push_back(&entry);
  }
  if (sorted) {
    std::sort(streams.begin(), streams.end(),
              [](const StreamEntry* a, const StreamEntry* b) { return a->first < b->first; });
  }
  return streams;
}

// Puts `rows`, added in log order, in key order with the last row of each
// key, in place: each row is swapped straight to where it belongs (or past
// the end, if a later row has its key), a cycle of the permutation at a
// time, rather than moved into a second vector as large.
void KeepLastOfEachKeyInOrder(std::vector<Derived::Row>& rows) {
  const std::vector<size_t> order = LastOfEachKeyInOrder(
      rows.size(), [&](size_t i) -> absl::string_view { return rows[i].key; });
  constexpr size_t kDropped = SIZE_MAX;
  std::vector<size_t> to(rows.size(), kDropped);
  for (size_t i = 0; i < order.size(); ++i) to[order[i]] = i;
  size_t past_end = order.size();
  for (size_t& t : to) {
    if (t == kDropped) t = past_end++;
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    while (to[i] != i) {
      std::swap(rows[i], rows[to[i]]);
      std::swap(to[i], to[to[i]]);
    }
  }
  rows.resize(order.size());
}

// The derived rows under `prefix`: a range of rows in key order.
absl::Span<const Derived::Row> RowsUnder(const std::vector<Derived::Row>& rows,
                                         absl::string_view prefix) {
  auto first =
      std::lower_bound(rows.begin(), rows.end(), prefix,
                       [](const Derived::Row& row, absl::string_view p) { return row.key < p; });
  auto last = std::find_if_not(first, rows.end(), [&](const Derived::Row& row) {
    return absl::StartsWith(row.key, prefix);
  });
  return absl::MakeConstSpan(rows.data() + (first - rows.begin()),
                             static_cast<size_t>(last - first));
}

}  // namespace

absl::StatusOr<Derived> ComputeDerived(const EventStore& store, const absl::TimeZone& time_zone,
                                       const workflow::Registry& registry) {
  // What the fold allocates is touched once, first: in huge pages.
  HugePageScope huge_pages;
  Derived derived;
  // Most events imply a row or two: room for two per event, so that the
  // rows are not moved (and a second array as large touched) as they grow.
  // Room not filled is address space only: its pages are never touched.
  derived.rows.reserve(2 * store.LastPosition());
  uint64_t expected_position = 1;
  absl::Status failure;
  std::vector<workflow::Row> event_rows;
  // One reusable payload message per event type, and the stream of the
  // previous event (a command's events are consecutive): a fold of millions
  // of events allocates and looks up little per event.
  absl::flat_hash_map<std::string, std::unique_ptr<google::protobuf::Message>> payloads;
  Derived::StreamState* last = nullptr;
  const std::string* last_stream = nullptr;
  RETURN_IF_ERROR(store.ScanLogReadingAhead(1, [&](const v1::EventEnvelope& e) {
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
    for (workflow::Row& row : event_rows) AddRow(derived.rows, *last_stream, std::move(row));
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
  // The final states' rows and timers: half of the streams on a second
  // thread. This thread's half goes straight into the fold's rows (room
  // for two per event), the other half after it.
  const std::vector<const StreamEntry*> streams = Streams(derived, /*sorted=*/false);
  const absl::Span<const StreamEntry* const> all(streams);
  const size_t half = all.size() / 2;
  std::vector<Derived::Row> second_rows;
  std::vector<std::pair<std::string, internal::TimerRecord>> first_timers, second_timers;
  std::future<absl::Status> second = std::async(std::launch::async, [&] {
    return RowsOfStates(all.subspan(half), time_zone, second_rows, second_timers);
  });
  absl::Status first = RowsOfStates(all.subspan(0, half), time_zone, derived.rows, first_timers);
  absl::Status rest = second.get();
  RETURN_IF_ERROR(first);
  RETURN_IF_ERROR(rest);
  derived.rows.insert(derived.rows.end(), std::make_move_iterator(second_rows.begin()),
                      std::make_move_iterator(second_rows.end()));
  for (auto* timers : {&first_timers, &second_timers}) {
    derived.timers.insert(std::make_move_iterator(timers->begin()),
                          std::make_move_iterator(timers->end()));
  }
  KeepLastOfEachKeyInOrder(derived.rows);
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
  for (const StreamEntry* entry : Streams(derived, /*sorted=*/true)) {
    const auto& [stream, s] = *entry;
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
                                             record->version(),
                                             " differs from the fold of the log"));
    }
  }
  // Under each row namespace (every derived row is under one: a workflow
  // writes no other), the stored rows, scanned in key order, merged with
  // the derived ones, also in key order. The namespaces are single key
  // segments, sorted: their ranges are disjoint and in order, so the rows
  // missing are listed in key order.
  std::vector<absl::string_view> missing;
  for (absl::string_view prefix : registry.row_prefixes()) {
    const absl::Span<const Derived::Row> wanted = RowsUnder(derived.rows, prefix);
    auto next = wanted.begin();
    std::string after;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<StoredRow> stored, store.ScanRows(prefix, after, 1000));
      for (const StoredRow& row : stored) {
        for (; next != wanted.end() && next->key < row.key; ++next) missing.push_back(next->key);
        if (next == wanted.end() || next->key != row.key) {
          report.problems.push_back(absl::StrCat("row not implied by the log: ", row.key));
          continue;
        }
        if (next->value != row.value) {
          report.problems.push_back(absl::StrCat("row value differs: ", row.key));
        }
        ++next;
      }
      if (stored.size() < 1000) break;
      after = stored.back().key;
    }
    for (; next != wanted.end(); ++next) missing.push_back(next->key);
  }
  for (absl::string_view key : missing) {
    report.problems.push_back(absl::StrCat("row missing: ", key));
  }
  // The stored timers, in key order, merged with the derived ones.
  ASSIGN_OR_RETURN(auto stored_timers, store.AllTimers());
  auto Name = [](const internal::TimerRecord& record) {
    return absl::StrCat(record.stream(), "#", record.name(), "@", record.generation());
  };
  std::vector<std::string> missing_timers;
  auto next = derived.timers.begin();
  for (const auto& [key, record] : stored_timers) {
    for (; next != derived.timers.end() && next->first < key; ++next) {
      missing_timers.push_back(Name(next->second));
    }
    if (next != derived.timers.end() && next->first == key) {
      ++next;
    } else {
      report.problems.push_back(absl::StrCat("timer not implied by the log: ", Name(record)));
    }
  }
  for (; next != derived.timers.end(); ++next) missing_timers.push_back(Name(next->second));
  for (const std::string& name : missing_timers) {
    report.problems.push_back(absl::StrCat("timer missing: ", name));
  }
  return report;
}

absl::Status RebuildDerived(EventStore& store, const absl::TimeZone& time_zone,
                            const workflow::Registry& registry) {
  ASSIGN_OR_RETURN(Derived derived, ComputeDerived(store, time_zone, registry));
  // What follows is written in many batches: until the last, the directory
  // says its derived data is to be rebuilt, so a start after a crash in
  // between rebuilds it again rather than serving half of it.
  RETURN_IF_ERROR(MarkDerivedStale(store));
  if (store.sealer() != nullptr) {
    for (Derived::Row& row : derived.rows) {
      if (row.type == nullptr) continue;
      ASSIGN_OR_RETURN(row.value,
                       store.sealer()->SealSerialized(*row.stream, row.type, std::move(row.value)));
    }
  }
  // Each row namespace is replaced by its rows, viewed where the fold left
  // them in key order.
  for (absl::string_view prefix : registry.row_prefixes()) {
    const absl::Span<const Derived::Row> under = RowsUnder(derived.rows, prefix);
    std::vector<EventStore::KeyValue> rows;
    rows.reserve(under.size());
    for (const Derived::Row& row : under) {
      rows.emplace_back(row.key, row.value);
    }
    RETURN_IF_ERROR(store.ReplaceRows(prefix, std::move(rows)));
  }
  RETURN_IF_ERROR(store.ReplaceTimers(derived.timers));
  // The state record of each stream the engine would have written one for
  // (one at least kStateRecordInterval events long), at its last version,
  // in stream order; any other is deleted. Most go into table files as the
  // rows do.
  const std::vector<const StreamEntry*> streams =
      Streams(derived, /*sorted=*/true, kStateRecordInterval);
  std::vector<std::string> records(streams.size());
  std::vector<EventStore::KeyValue> wanted;
  wanted.reserve(streams.size());
  for (size_t i = 0; i < streams.size(); ++i) {
    const auto& [stream, s] = *streams[i];
    std::string stored = s.state->SerializeAsString();
    if (store.sealer() != nullptr) {
      ASSIGN_OR_RETURN(stored, store.sealer()->SealSerialized(stream, s.state->GetDescriptor(),
                                                              std::move(stored)));
    }
    StateRecordOf(*s.workflow, s.version, std::move(stored)).SerializeToString(&records[i]);
    wanted.emplace_back(stream, records[i]);
  }
  RETURN_IF_ERROR(store.ReplaceStates(wanted));
  return RecordDerivedFormat(store);
}

absl::StatusOr<int> DerivedFormat(const EventStore& store) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, store.GetMeta(kDerivedMeta));
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
  if (format < kDerivedFormat) {
    RETURN_IF_ERROR(RebuildDerived(store, time_zone, registry));  // records the format
    return true;
  }
  // A new directory: derived as this build derives, from its first event.
  ASSIGN_OR_RETURN(std::optional<std::string> recorded, store.GetMeta(kDerivedMeta));
  if (!recorded.has_value()) RETURN_IF_ERROR(RecordDerivedFormat(store));
  return false;
}

absl::Status RecordDerivedFormat(EventStore& store) {
  return store.PutMeta(kDerivedMeta, absl::StrCat(kDerivedFormat));
}

absl::Status MarkDerivedStale(EventStore& store) { return store.PutMeta(kDerivedMeta, "0"); }

}  // namespace casework::storage
