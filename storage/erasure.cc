#include "storage/erasure.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "privacy/sealer.h"
#include "storage/keys.h"
#include "storage/rebuild.h"
#include "workflow/common/status.h"
#include "workflow/kernel/events.h"

namespace casework::storage {
namespace {

constexpr absl::string_view kPendingPrefix = "privacy/pending/";
constexpr absl::string_view kErasedPrefix = "privacy/erased/";
constexpr int kPage = 1000;

// A row and the stream that implies it.
struct Derived1 {
  std::string stream;
  workflow::Row row;
};
using RowMap = std::map<std::string, Derived1>;

void Add(RowMap* rows, const std::string& stream, workflow::Row row) {
  std::string key = row.key;
  (*rows)[std::move(key)] = Derived1{stream, std::move(row)};
}

// Every row `stream`'s history implies: its events' rows and its state's.
absl::Status DeriveStream(const EventStore& store, const workflow::Workflow& w,
                          const std::string& stream, RowMap* rows) {
  std::shared_ptr<google::protobuf::Message> state = w.NewState();
  int64_t next = 1;
  std::vector<workflow::Row> out;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events, store.ReadStream(stream, next, kPage));
    for (const v1::EventEnvelope& e : events) {
      ASSIGN_OR_RETURN(std::unique_ptr<google::protobuf::Message> payload,
                       workflow::UnpackPayload(e));
      RETURN_IF_ERROR(w.Apply(*state, e, *payload));
      out.clear();
      RETURN_IF_ERROR(w.EventRows(stream, e, *payload, &out));
      for (workflow::Row& r : out) Add(rows, stream, std::move(r));
      next = e.stream_version() + 1;
    }
    if (static_cast<int>(events.size()) < kPage) break;
  }
  out.clear();
  RETURN_IF_ERROR(w.Rows(stream, *state, &out));
  for (workflow::Row& r : out) Add(rows, stream, std::move(r));
  return absl::OkStatus();
}

absl::StatusOr<RowMap> DeriveStreams(const EventStore& store, const workflow::Registry& registry,
                                     const std::set<std::string>& streams) {
  RowMap rows;
  for (const std::string& stream : streams) {
    const workflow::Workflow* w = registry.ForStream(stream);
    if (w == nullptr) continue;  // a stream this build no longer knows: nothing derived
    RETURN_IF_ERROR(DeriveStream(store, *w, stream, &rows));
  }
  return rows;
}

// Every row whose key starts with `prefix`.
absl::StatusOr<std::vector<StoredRow>> AllRows(const EventStore& store, absl::string_view prefix) {
  std::vector<StoredRow> all;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<StoredRow> page, store.ScanRows(prefix, after, kPage));
    for (StoredRow& row : page) all.push_back(std::move(row));
    if (static_cast<int>(page.size()) < kPage) break;
    after = all.back().key;
  }
  return all;
}

absl::StatusOr<std::set<std::string>> StreamsUsing(const EventStore& store,
                                                   const std::vector<std::string>& key_ids) {
  std::set<std::string> streams;
  for (const std::string& id : key_ids) {
    const std::string prefix = keys::PrivacyUsePrefix(id);
    ASSIGN_OR_RETURN(std::vector<StoredRow> uses, AllRows(store, prefix));
    for (const StoredRow& row : uses) streams.insert(row.key.substr(prefix.size()));
  }
  return streams;
}

}  // namespace

std::vector<std::string> ErasureKeyNames(absl::string_view partnership,
                                         const v1::Erasure& erasure) {
  if (!erasure.record().empty()) {
    std::vector<std::string> names;
    for (int s = v1::DataSubject_MIN; s <= v1::DataSubject_MAX; ++s) {
      if (!v1::DataSubject_IsValid(s)) continue;
      const auto subject = static_cast<v1::DataSubject>(s);
      if (privacy::IsSealedSubject(subject)) {
        names.push_back(privacy::RecordKeyName(erasure.record(), subject));
      }
    }
    return names;
  }
  const std::string* reference = nullptr;
  switch (erasure.subject()) {
    case v1::COMPLAINANT: reference = &erasure.complainant_reference(); break;
    case v1::REPRESENTATIVE: reference = &erasure.representative_reference(); break;
    case v1::PERPETRATOR: reference = &erasure.perpetrator_reference(); break;
    case v1::PANEL_SUBJECT: reference = &erasure.panel_subject_reference(); break;
    default: return {};
  }
  if (reference->empty() || *reference == privacy::kErasedText) return {};
  return {privacy::PersonKeyName(partnership, erasure.subject(), *reference)};
}

internal::ErasureRecord ErasureRecordOf(const v1::Erasure& erasure) {
  internal::ErasureRecord record;
  record.set_agency(erasure.erased_by().agency());
  record.set_user(erasure.erased_by().user());
  record.set_role(erasure.erased_by().role());
  record.set_legal_basis(erasure.legal_basis());
  *record.mutable_erased_time() = erasure.erase_time();
  record.set_subject_kind(erasure.record().empty() ? v1::DataSubject_Name(erasure.subject())
                                                   : "");
  record.set_scope(erasure.record().empty() ? "person" : "record");
  return record;
}

absl::StatusOr<ErasureOutcome> ApplyErasure(EventStore& store, const workflow::Registry& registry,
                                            const std::vector<std::string>& key_ids) {
  privacy::Sealer* sealer = store.sealer();
  if (sealer == nullptr) {
    return absl::FailedPreconditionError("erasure needs sealing (a master key and key store)");
  }
  ErasureOutcome outcome;
  ASSIGN_OR_RETURN(std::set<std::string> streams, StreamsUsing(store, key_ids));
  // What the streams imply while the keys open their fields...
  ASSIGN_OR_RETURN(RowMap before, DeriveStreams(store, registry, streams));
  StoreBatch batch = store.NewBatch();
  for (const std::string& id : key_ids) {
    const std::string pending_key = absl::StrCat(kPendingPrefix, id);
    ASSIGN_OR_RETURN(std::optional<std::string> pending, store.GetRow(pending_key));
    internal::ErasureRecord record;
    if (pending.has_value() && !record.ParseFromString(*pending)) {
      return absl::DataLossError(absl::StrCat("unreadable pending erasure ", id));
    }
    record.set_key_id(id);
    RETURN_IF_ERROR(sealer->keys().EraseId(record));
    // The readers' opened and parsed rows, and what they keep by a stream
    // watch, may hold what the key opened; the stored bytes stay as they
    // were (storage/opened_rows.h, storage/stream_watch.h).
    store.opened_rows().Clear();
    store.InvalidateReaders();
    batch.DeleteRow(pending_key);
    batch.PutRow(absl::StrCat(kErasedPrefix, id), record.SerializeAsString());
    outcome.key_ids.push_back(id);
  }
  // ... and once they are gone: the difference is written.
  ASSIGN_OR_RETURN(RowMap after, DeriveStreams(store, registry, streams));
  for (const auto& [key, was] : before) {
    if (after.count(key) == 0) batch.DeleteRow(key);
  }
  for (auto& [key, now] : after) {
    auto was = before.find(key);
    if (was != before.end() && was->second.row.value == now.row.value) continue;
    ASSIGN_OR_RETURN(std::string value,
                     sealer->SealSerialized(now.stream, now.row.type, std::move(now.row.value)));
    batch.PutRow(key, value);
  }
  RETURN_IF_ERROR(store.Write(batch));
  outcome.streams.assign(streams.begin(), streams.end());
  return outcome;
}

absl::StatusOr<ReconcileReport> ReconcileErasures(EventStore& store,
                                                  const absl::TimeZone& time_zone,
                                                  const workflow::Registry& registry) {
  ReconcileReport report;
  privacy::Sealer* sealer = store.sealer();
  if (sealer == nullptr) return report;
  bool rebuild = false;
  StoreBatch markers = store.NewBatch();

  // Pending: applied now, or (the key already gone) rebuilt below.
  ASSIGN_OR_RETURN(std::vector<StoredRow> pending, AllRows(store, kPendingPrefix));
  std::vector<std::string> to_apply;
  for (const StoredRow& row : pending) {
    const std::string id = row.key.substr(kPendingPrefix.size());
    ASSIGN_OR_RETURN(auto key, sealer->keys().Get(id));
    if (key.first == privacy::KeyState::kLive) {
      to_apply.push_back(id);
    } else {
      rebuild = true;
      markers.DeleteRow(row.key);
      markers.PutRow(absl::StrCat(kErasedPrefix, id), row.value);
    }
  }
  if (!to_apply.empty()) {
    RETURN_IF_ERROR(ApplyErasure(store, registry, to_apply).status());
    report.applied = static_cast<int>(to_apply.size());
  }

  // Marked erased here, still held by the key store: destroyed again.
  ASSIGN_OR_RETURN(std::vector<StoredRow> erased, AllRows(store, kErasedPrefix));
  std::set<std::string> marked;
  for (const StoredRow& row : erased) {
    const std::string id = row.key.substr(kErasedPrefix.size());
    marked.insert(id);
    ASSIGN_OR_RETURN(auto key, sealer->keys().Get(id));
    if (key.first != privacy::KeyState::kLive) continue;
    internal::ErasureRecord record;
    if (!record.ParseFromString(row.value)) record.set_legal_basis("re-applied");
    record.set_key_id(id);
    RETURN_IF_ERROR(sealer->keys().EraseId(record));
    ++report.redestroyed;
  }

  // Erased by the key store, unknown here: derived again and reported.
  ASSIGN_OR_RETURN(std::vector<internal::ErasureRecord> erasures, sealer->keys().Erasures());
  for (internal::ErasureRecord& record : erasures) {
    if (marked.count(record.key_id()) > 0) continue;
    ASSIGN_OR_RETURN(std::set<std::string> streams, StreamsUsing(store, {record.key_id()}));
    if (streams.empty()) continue;  // never used here
    rebuild = true;
    markers.PutRow(absl::StrCat(kErasedPrefix, record.key_id()), record.SerializeAsString());
    absl::string_view first = *streams.begin();
    std::string partnership;
    if (absl::ConsumePrefix(&first, "partnerships/")) {
      partnership = std::string(first.substr(0, first.find('/')));
    }
    report.missing.push_back({std::move(record), std::move(partnership)});
  }
  if (rebuild) {
    RETURN_IF_ERROR(RebuildDerived(store, time_zone, registry));
    report.rebuilt = true;
  }
  if (markers.count() > 0) RETURN_IF_ERROR(store.Write(markers));
  return report;
}

}  // namespace casework::storage
