#include "storage/opened_rows.h"

#include "absl/hash/hash.h"

namespace casework::storage {

OpenedRows::OpenedRows(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

OpenedRows::Shard& OpenedRows::ShardOf(absl::string_view key) {
  return shards_[absl::HashOf(key) % kShards];
}

void OpenedRows::EraseLocked(Shard& shard, std::list<Entry>::iterator it) {
  shard.bytes -= Cost(*it);
  shard.index.erase(it->key);
  shard.lru.erase(it);
}

std::optional<std::string> OpenedRows::Find(absl::string_view key) {
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
  return it->second->opened;
}

void OpenedRows::Put(std::string key, std::string opened, uint64_t generation) {
  Entry entry{std::move(key), std::move(opened)};
  const size_t cost = Cost(entry);
  if (cost > max_entry_bytes()) return;  // one value may not flush a shard
  Shard& shard = ShardOf(entry.key);
  std::lock_guard<std::mutex> lock(shard.mu);
  // Under the shard's lock: Clear raises the generation before it takes
  // each shard's lock, so either this sees the raise or Clear empties the
  // entry after it.
  if (generation_.load(std::memory_order_acquire) != generation) return;
  if (auto kept = shard.index.find(entry.key); kept != shard.index.end()) {
    EraseLocked(shard, kept->second);
  }
  while (shard.bytes + cost > shard_capacity_ && !shard.lru.empty()) {
    EraseLocked(shard, std::prev(shard.lru.end()));
  }
  shard.lru.push_front(std::move(entry));
  shard.index.emplace(shard.lru.front().key, shard.lru.begin());
  shard.bytes += cost;
}

void OpenedRows::Erase(absl::string_view key) {
  if (shard_capacity_ == 0) return;
  Shard& shard = ShardOf(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  if (auto kept = shard.index.find(key); kept != shard.index.end()) {
    EraseLocked(shard, kept->second);
  }
}

void OpenedRows::Clear() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.index.clear();
    shard.lru.clear();
    shard.bytes = 0;
  }
}

size_t OpenedRows::bytes() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    total += shard.bytes;
  }
  return total;
}

}  // namespace casework::storage
