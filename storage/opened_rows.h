// The readers' cache of opened sealed rows. Reading a case's summary row,
// a list page or an access check opens every sealed field of the rows it
// reads (a key lookup and AES-GCM per field, then the message re-encoded);
// the same rows are read again and again between writes.
//
// Entries are keyed by the bytes stored, not by the row's key: a row
// written again is stored as new bytes (every seal draws a fresh nonce),
// so an entry can never be stale. An erasure destroys a person's key but
// leaves the stored bytes as they were, so it empties the cache (Clear);
// an opening that began before the erasure is not kept (the generation
// check in Put).
//
// Bounded by bytes (stored and opened values and their bookkeeping), in
// sixteen shards, each least recently used first out.
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

  // The opened value of the row stored as `stored`, if kept.
  std::optional<std::string> Find(absl::string_view stored);

  // Keeps `opened` as the opened value of `stored`, unless Clear ran after
  // `generation` was noted or the value alone exceeds a shard's share.
  void Put(std::string stored, std::string opened, uint64_t generation);

  // Forgets every value (an erasure).
  void Clear();

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t bytes() const;

 private:
  static constexpr int kShards = 16;
  struct Entry {
    std::string stored;
    std::string opened;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recent at front
    // Keys view the `stored` of their entry (list nodes never move).
    absl::flat_hash_map<absl::string_view, std::list<Entry>::iterator> index;
    size_t bytes = 0;
  };
  static size_t Cost(const Entry& e) { return e.stored.size() + e.opened.size() + 96; }
  Shard& ShardOf(absl::string_view stored);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_OPENED_ROWS_H_
