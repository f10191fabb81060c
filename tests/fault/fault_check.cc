#include "tests/fault/fault_check.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "casework/v1/complaints.pb.h"
#include "casework/v1/events.pb.h"
#include "privacy/key_store.h"
#include "privacy/sealer.h"
#include "storage/event_store.h"
#include "storage/rebuild.h"

namespace casework::fault {
namespace {

// Every key the data was sealed with ("privacy/uses/" rows) is live, and
// each action's record key is bound to the action's key name.
int KeyProblems(const storage::EventStore& store) {
  int problems = 0;
  privacy::KeyStore& keys = store.sealer()->keys();
  absl::flat_hash_map<std::string, std::vector<std::string>> ids_of;  // stream -> key ids
  constexpr absl::string_view kUses = "privacy/uses/";
  std::string after;
  for (;;) {
    absl::StatusOr<std::vector<storage::StoredRow>> rows = store.ScanRows(kUses, after, 1000);
    if (!rows.ok()) return problems + 1;
    for (const storage::StoredRow& row : *rows) {
      const absl::string_view rest = absl::string_view(row.key).substr(kUses.size());
      const size_t slash = rest.find('/');
      ids_of[rest.substr(slash + 1)].emplace_back(rest.substr(0, slash));
    }
    if (rows->size() < 1000) break;
    after = rows->back().key;
  }
  int actions = 0;
  for (const auto& [stream, ids] : ids_of) {
    for (const std::string& id : ids) {
      absl::StatusOr<std::pair<privacy::KeyState, privacy::Key256>> key = keys.Get(id);
      if (!key.ok() || key->first != privacy::KeyState::kLive) {
        std::fprintf(stderr, "key %s of %s is not live\n", id.c_str(), stream.c_str());
        ++problems;
      }
    }
    if (!absl::StrContains(stream, "/actions/")) continue;
    ++actions;
    absl::StatusOr<std::optional<std::string>> bound =
        keys.LiveIdOf(privacy::RecordKeyName(stream, v1::CASE_SUBJECT));
    if (!bound.ok() || !bound->has_value() ||
        std::find(ids.begin(), ids.end(), **bound) == ids.end()) {
      std::fprintf(stderr, "the record key of %s is not bound to its name\n", stream.c_str());
      ++problems;
    }
  }
  if (actions == 0) {
    std::fprintf(stderr, "no sealed action found\n");
    ++problems;
  }
  return problems;
}

}  // namespace

CheckCounts CheckDataDirectory(const std::string& data_dir, const std::string& master_key_file,
                               const std::vector<Ack>& acks) {
  CheckCounts counts;
  int& lost = counts.lost;
  int& duplicated = counts.duplicated;
  int& mismatched = counts.mismatched;
  storage::StoreOptions options;
  options.path = data_dir;
  if (!master_key_file.empty()) {
    absl::StatusOr<std::shared_ptr<privacy::Sealer>> sealer =
        privacy::OpenSealer(master_key_file, privacy::DefaultKeyStorePath(data_dir));
    if (!sealer.ok()) {
      std::fprintf(stderr, "cannot open the key store: %s\n",
                   std::string(sealer.status().message()).c_str());
      std::exit(2);
    }
    options.sealer = *sealer;
  }
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open the data directory: %s\n",
                 std::string(store.status().message()).c_str());
    std::exit(2);
  }
  absl::flat_hash_map<std::string, int> recorded;  // request id -> first events
  absl::flat_hash_map<std::string, int> misses;     // stream -> DeadlineMissed
  absl::flat_hash_map<std::string, int> sources;    // source reference -> ComplaintRecorded
  absl::flat_hash_map<uint64_t, std::string> at_position;
  absl::Status scan = (*store)->ScanLog(1, [&](const v1::EventEnvelope& e) {
    const std::string& type = e.payload().type_url();
    if (absl::EndsWith(type, ".ComplaintRecorded")) {
      v1::ComplaintRecorded recorded_event;
      if (!e.payload().UnpackTo(&recorded_event)) {
        std::fprintf(stderr, "event at %llu does not unpack\n",
                     static_cast<unsigned long long>(e.global_position()));
        ++mismatched;
      }
      ++sources[recorded_event.complaint().source_reference()];
      ++recorded[e.request_id()];
    } else if (absl::EndsWith(type, ".ActionCreated")) {
      ++recorded[e.request_id()];
    } else if (absl::EndsWith(type, ".DeadlineMissed")) {
      ++misses[e.stream()];
    }
    at_position[e.global_position()] = e.request_id();
    return true;
  });
  if (!scan.ok()) ++mismatched;
  for (const Ack& ack : acks) {
    const std::string request_id = absl::StrCat(std::string(1, ack.kind), "-", ack.id);
    auto it = recorded.find(request_id);
    if (it == recorded.end()) {
      ++lost;
      std::fprintf(stderr, "lost: %s\n", request_id.c_str());
    } else if (it->second != 1) {
      ++duplicated;
    } else if (at_position[ack.first_position] != request_id) {
      ++mismatched;
      std::fprintf(stderr, "position %llu does not hold %s\n",
                   static_cast<unsigned long long>(ack.first_position), request_id.c_str());
    }
  }
  for (const auto& [source, count] : sources) duplicated += count > 1 ? 1 : 0;
  for (const auto& [stream, count] : misses) duplicated += count > 1 ? 1 : 0;
  int actions_created = 0;
  for (const auto& [request_id, count] : recorded) actions_created += request_id[0] == 'a';
  // Every action's timer was due: after the last clean start it fired once.
  if (static_cast<int>(misses.size()) != actions_created) {
    std::fprintf(stderr, "%d actions but %zu timers fired\n", actions_created, misses.size());
    ++mismatched;
  }
  absl::TimeZone london;
  absl::LoadTimeZone("Europe/London", &london);
  absl::StatusOr<storage::VerifyReport> report = storage::VerifyStore(**store, london);
  if (!report.ok()) {
    ++mismatched;
  } else {
    for (const std::string& problem : report->problems) {
      std::fprintf(stderr, "mismatch: %s\n", problem.c_str());
    }
    mismatched += static_cast<int>(report->problems.size());
  }
  if (options.sealer != nullptr) mismatched += KeyProblems(**store);
  return counts;
}

}  // namespace casework::fault
