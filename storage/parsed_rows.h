// The readers' cache of parsed summary rows (EventStore::parsed_rows),
// keyed by the row's key. A case's summary row is what reads fetch most:
// every Get, and the access check the event log, the deadline queues and
// the outbox make for each restricted case they meet. Each such read was a
// RocksDB lookup, an opening (storage/opened_rows.h) and a parse of the
// whole summary; a hit here is none of them. It keeps other message rows a
// Get reads with the summary the same way (a case review's considered
// complaints: services::ReadRowMessage).
//
// Never stale: EventStore::Write invalidates the key of every row a batch
// puts or deletes once the batch is written and before the writer
// acknowledges it (the generation rule of storage/lru_cache.h keeps out a
// value a reader read before the write and offers after it); a failed
// write and an erasure (the stored bytes of an erased person do not change,
// what they open to does) empty it.
//
// Values are shared and immutable: a caller that wants to change one
// copies it. Bounded by bytes, an entry counted as ParsedMessageBytes of
// its serialised size plus its key and 256 bytes of bookkeeping.
#ifndef CASEWORK_STORAGE_PARSED_ROWS_H_
#define CASEWORK_STORAGE_PARSED_ROWS_H_

#include <memory>
#include <string>
#include <utility>

#include "google/protobuf/message.h"
#include "storage/lru_cache.h"

namespace casework::storage {

// The memory a parsed message of `serialized_bytes` takes, estimated for
// the caches that hold parsed messages (this one and the engine's states).
// Measured with Message::SpaceUsedLong over the states the bench's mix
// caches: 2.8 times the serialised size for complaints, 2.9 for actions,
// 3.0 for case reviews and 3.5 for policy histories, before the
// allocator's rounding.
inline size_t ParsedMessageBytes(size_t serialized_bytes) { return 3 * serialized_bytes; }

class ParsedRows : public LruCache<std::shared_ptr<const google::protobuf::Message>> {
 public:
  using LruCache::LruCache;

  // Keeps `row`, parsed from `serialized_bytes` bytes, under `key`, unless
  // a write or a clear came after `generation` was noted.
  void Put(std::string key, std::shared_ptr<const google::protobuf::Message> row,
           size_t serialized_bytes, uint64_t generation) {
    const size_t cost = key.size() + ParsedMessageBytes(serialized_bytes) + 256;
    LruCache::Put(std::move(key), std::move(row), cost, generation);
  }
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_PARSED_ROWS_H_
