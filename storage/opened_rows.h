// The readers' cache of opened sealed rows (EventStore::opened_rows).
// Opening a row opens every sealed field in it (a key lookup and AES-GCM
// per field, then the message re-encoded), and the same rows are read again
// and again between writes. It is keyed by the bytes stored: a row written
// again is stored as new bytes (every seal draws a fresh nonce), so an entry
// can never be stale. The writer adds the summary rows it writes. (The
// writer's own reads, the ledger windows decisions scan, have a cache of
// their own: storage/scanned_ranges.h.)
//
// An erasure destroys a person's key but leaves the stored bytes as they
// were, so it empties the cache (Clear); an opening that began before the
// erasure is not kept (the generation check in Put).
//
// Bounded by bytes (keys, opened values and their bookkeeping), in sixteen
// shards, each least recently used first out (storage/lru_cache.h).
#ifndef CASEWORK_STORAGE_OPENED_ROWS_H_
#define CASEWORK_STORAGE_OPENED_ROWS_H_

#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "storage/lru_cache.h"

namespace casework::storage {

class OpenedRows : public LruCache<std::string> {
 public:
  using LruCache::LruCache;

  // Keeps `opened` under `key` (replacing what was kept), unless Clear ran
  // after `generation` was noted or the entry alone would take more than a
  // quarter of its shard.
  void Put(std::string key, std::string opened, uint64_t generation) {
    const size_t cost = Cost(key, opened);
    LruCache::Put(std::move(key), std::move(opened), cost, generation);
  }

  // What an entry counts against the capacity.
  static size_t Cost(absl::string_view key, absl::string_view opened) {
    return key.size() + opened.size() + 96;
  }
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_OPENED_ROWS_H_
