// The writer's working set for one group of commands, shared by engine.cc
// (queue, idempotency, decisions, cache) and engine_stage.cc (folding and
// staging a decision's events). Not part of the engine's interface.
#ifndef CASEWORK_STORAGE_ENGINE_INTERNAL_H_
#define CASEWORK_STORAGE_ENGINE_INTERNAL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/random/random.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "storage/engine.h"

namespace casework::storage {
namespace engine_internal {

// Events read from the store per page when folding a stream, and rows per
// page when scanning.
inline constexpr int kReplayPage = 1000;

inline google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

}  // namespace engine_internal

// A stream's state as the group sees it: the cached object itself, folded in
// place by each command; restored from the store if the group fails.
struct Engine::GroupStream {
  std::shared_ptr<google::protobuf::Message> state;
  int64_t version = 0;
  int64_t persisted_version = 0;
  // Keys whose "privacy/uses" row for this stream is known to be stored
  // (written by an earlier group of this engine, or staged by this one).
  std::vector<std::string> keys_marked;
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
  // The index of the command being prepared, and the erasures the group's
  // commands recorded: by command, the keys to destroy once it is durable.
  size_t current = 0;
  std::vector<std::pair<size_t, std::vector<std::string>>> erasures = {};
  // Summary rows written sealed: as stored, and opened (for the readers'
  // cache once written).
  std::vector<std::pair<std::string, std::string>> opened_summaries = {};
};

// Where a command goes: an existing stream (number 0) or the next stream of
// a numbered collection.
struct Engine::Target {
  std::string stream;
  int64_t number = 0;
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_ENGINE_INTERNAL_H_
