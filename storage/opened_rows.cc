#include "storage/opened_rows.h"

#include "absl/hash/hash.h"

namespace casework::storage {

OpenedRows::OpenedRows(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

OpenedRows::Shard& OpenedRows::ShardOf(absl::string_view stored) {
  return shards_[absl::HashOf(stored) % kShards];
}

std::optional<std::string> OpenedRows::Find(absl::string_view stored) {
  if (shard_capacity_ == 0) return std::nullopt;
  Shard& shard = ShardOf(stored);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.index.find(stored);
  if (it == shard.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second->opened;
}

void OpenedRows::Put(std::string stored, std::string opened, uint64_t generation) {
  Entry entry{std::move(stored), std::move(opened)};
  const size_t cost = Cost(entry);
  if (cost > shard_capacity_ / 4) return;  // one value may not flush a shard
  Shard& shard = ShardOf(entry.stored);
  std::lock_guard<std::mutex> lock(shard.mu);
  // Under the shard's lock: Clear raises the generation before it takes
  // each shard's lock, so either this sees the raise or Clear empties the
  // entry after it.
  if (generation_.load(std::memory_order_acquire) != generation) return;
  if (shard.index.contains(entry.stored)) return;
  while (shard.bytes + cost > shard_capacity_ && !shard.lru.empty()) {
    shard.bytes -= Cost(shard.lru.back());
    shard.index.erase(shard.lru.back().stored);
    shard.lru.pop_back();
  }
  shard.lru.push_front(std::move(entry));
  shard.index.emplace(shard.lru.front().stored, shard.lru.begin());
  shard.bytes += cost;
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
