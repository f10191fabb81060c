// A cache bounded by bytes, in sixteen shards, each least recently used
// first out, with a generation that keeps values read before a change out
// of it. The caches of opened and parsed rows are built on it
// (storage/opened_rows.h, storage/parsed_rows.h).
//
// How a reader fills it without ever keeping a stale value: it notes
// generation() before it reads, and passes it to Put; whoever changes what
// the values were read from raises the generation after the change and then
// drops the entries it changed (Invalidate) or all of them (Clear). A Put
// checks the generation under its shard's lock, and the raise comes before
// the drop takes that lock: either the Put sees the raise and keeps
// nothing, or it ran first and the drop removes what it kept.
#ifndef CASEWORK_STORAGE_LRU_CACHE_H_
#define CASEWORK_STORAGE_LRU_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <iterator>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace casework::storage {

template <typename Value>
class LruCache {
 public:
  // `capacity_bytes` 0: nothing is kept.
  explicit LruCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // Noted by a reader before it reads what it will Put.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // The value kept under `key`, if any (counted as a hit or a miss).
  std::optional<Value> Find(absl::string_view key) {
    if (shard_capacity_ == 0) return std::nullopt;
    Shard& shard = ShardOf(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.index.find(key);
    if (it == shard.index.end()) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second->value;
  }

  // Keeps `value` under `key`, counting `cost` bytes (replacing what was
  // kept), unless the generation was raised after `generation` was noted or
  // the entry alone would take more than a quarter of its shard.
  void Put(std::string key, Value value, size_t cost, uint64_t generation) {
    if (cost > max_entry_bytes()) return;  // one value may not flush a shard
    Shard& shard = ShardOf(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    if (generation_.load(std::memory_order_acquire) != generation) return;
    if (auto kept = shard.index.find(key); kept != shard.index.end()) {
      EraseLocked(shard, kept->second);
    }
    while (shard.bytes + cost > shard_capacity_ && !shard.lru.empty()) {
      EraseLocked(shard, std::prev(shard.lru.end()));
    }
    shard.lru.push_front(Entry{std::move(key), std::move(value), cost});
    shard.index.emplace(shard.lru.front().key, shard.lru.begin());
    shard.bytes += cost;
  }

  // Forgets what is kept under `key`.
  void Erase(absl::string_view key) {
    if (shard_capacity_ == 0) return;
    Shard& shard = ShardOf(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    if (auto kept = shard.index.find(key); kept != shard.index.end()) {
      EraseLocked(shard, kept->second);
    }
  }

  // What the values were read from changed under these keys: raises the
  // generation, then forgets them.
  template <typename Keys>
  void Invalidate(const Keys& keys) {
    generation_.fetch_add(1, std::memory_order_acq_rel);
    if (shard_capacity_ == 0) return;
    for (const auto& key : keys) Erase(key);
  }

  // Raises the generation and forgets every value.
  void Clear() {
    generation_.fetch_add(1, std::memory_order_acq_rel);
    for (Shard& shard : shards_) {
      std::lock_guard<std::mutex> lock(shard.mu);
      shard.index.clear();
      shard.lru.clear();
      shard.bytes = 0;
    }
  }

  // The most an entry may count: a quarter of a shard.
  size_t max_entry_bytes() const { return shard_capacity_ / 4; }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t bytes() const {
    size_t total = 0;
    for (const Shard& shard : shards_) {
      std::lock_guard<std::mutex> lock(shard.mu);
      total += shard.bytes;
    }
    return total;
  }

 private:
  static constexpr int kShards = 16;
  struct Entry {
    std::string key;
    Value value;
    size_t cost;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recent at front
    // Keys view the `key` of their entry (list nodes never move).
    absl::flat_hash_map<absl::string_view, typename std::list<Entry>::iterator> index;
    size_t bytes = 0;
  };
  Shard& ShardOf(absl::string_view key) { return shards_[absl::HashOf(key) % kShards]; }
  // REQUIRES: shard.mu held.
  void EraseLocked(Shard& shard, typename std::list<Entry>::iterator it) {
    shard.bytes -= it->cost;
    shard.index.erase(it->key);
    shard.lru.erase(it);
  }

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_LRU_CACHE_H_
