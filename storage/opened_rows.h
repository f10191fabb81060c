// A cache of opened sealed rows. Opening a row opens every sealed field in
// it (a key lookup and AES-GCM per field, then the message re-encoded),
// and the same rows are read again and again between writes. Two are kept:
//
// * The readers' (EventStore::opened_rows), keyed by the bytes stored: a
//   row written again is stored as new bytes (every seal draws a fresh
//   nonce), so an entry can never be stale. The writer adds the summary
//   rows it writes.
// * The writer's (the engine's row cache), keyed by the row's key: the
//   ledger windows decisions read; the writer replaces or erases the rows
//   it writes.
//
// An erasure destroys a person's key but leaves the stored bytes as they
// were, so it empties both (Clear); an opening that began before the
// erasure is not kept (the generation check in Put).
//
// Bounded by bytes (keys, opened values and their bookkeeping), in sixteen
// shards, each least recently used first out.
#ifndef CASEWORK_STORAGE_OPENED_ROWS_H_
#define CASEWORK_STORAGE_OPENED_ROWS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace casework::storage {

class OpenedRows {
 public:
  // `capacity_bytes` 0: nothing is kept.
  explicit OpenedRows(size_t capacity_bytes);
  OpenedRows(const OpenedRows&) = delete;
  OpenedRows& operator=(const OpenedRows&) = delete;

  // Noted by a reader before it opens a row, and passed to Put.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // The opened value kept under `key`, if any.
  std::optional<std::string> Find(absl::string_view key);

  // Keeps `opened` under `key` (replacing what was kept), unless Clear ran
  // after `generation` was noted or the entry alone would take more than a
  // quarter of its shard.
  void Put(std::string key, std::string opened, uint64_t generation);

  // Forgets what is kept under `key`.
  void Erase(absl::string_view key);

  // Forgets every value (an erasure).
  void Clear();

  // What an entry counts against the capacity.
  static size_t Cost(absl::string_view key, absl::string_view opened) {
    return key.size() + opened.size() + 96;
  }
  // The most an entry may count: a quarter of a shard.
  size_t max_entry_bytes() const { return shard_capacity_ / 4; }

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t bytes() const;

 private:
  static constexpr int kShards = 16;
  struct Entry {
    std::string key;
    std::string opened;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recent at front
    // Keys view the `key` of their entry (list nodes never move).
    absl::flat_hash_map<absl::string_view, std::list<Entry>::iterator> index;
    size_t bytes = 0;
  };
  static size_t Cost(const Entry& e) { return Cost(e.key, e.opened); }
  Shard& ShardOf(absl::string_view key);
  // REQUIRES: shard.mu held.
  static void EraseLocked(Shard& shard, std::list<Entry>::iterator it);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_OPENED_ROWS_H_
