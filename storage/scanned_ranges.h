// The writer's cache of the index ranges decisions scan: a complainant's or
// a locality's ledger window, read by every intake and threshold
// evaluation there. For each prefix (ending in '/') it keeps one contiguous
// range of the keys under it, known in full: every row whose key's
// remainder (after the prefix) is inside the range, with its opened value.
// A scan inside the range is answered from memory, with no seek through
// RocksDB's memtables and levels and nothing to open; a scan that runs past
// it reads only the part beyond and widens the range.
//
// It is exact only because the writer is the one thread that writes rows
// while the server runs, and tells the cache every row it wrote or deleted
// once the write is durable (Written). Anything else that changes rows
// (an erasure's rows derived again) must Clear it. Only the writer uses it:
// it has no lock.
//
// Bounded by bytes (prefixes, remainders, values and their bookkeeping): one prefix
// keeps at most a quarter of the capacity (its range is cut at the top to
// fit), and the prefixes used least recently go first.
#ifndef CASEWORK_STORAGE_SCANNED_RANGES_H_
#define CASEWORK_STORAGE_SCANNED_RANGES_H_

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "workflow/kernel/context.h"

namespace casework::storage {

class ScannedRanges {
 public:
  // `capacity_bytes` 0: nothing is kept.
  explicit ScannedRanges(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  ScannedRanges(const ScannedRanges&) = delete;
  ScannedRanges& operator=(const ScannedRanges&) = delete;

  // What the cache holds of a scan.
  struct Found {
    // The scan's first rows, in key order (full keys).
    std::vector<workflow::Row> rows;
    // True if `rows` is the whole answer.
    bool complete = false;
    // Else the store must be read for the rest: the rows whose remainder
    // sorts after this one (empty: from the prefix's start) and not after
    // the scan's `until`, as many as `limit` still allows.
    std::string resume_after;
  };

  // The rows under `prefix` whose remainder sorts after `after` (empty:
  // from the start) and not after `until` (empty: no bound), at most
  // `limit` of them (0: no limit), as far as the cache knows them.
  Found Find(absl::string_view prefix, absl::string_view after, absl::string_view until,
             size_t limit);

  // Tells the cache that the rows under `prefix` whose remainder sorts
  // after `after` (empty: from the start) and not after `last` (nullopt:
  // to the prefix's end) are exactly `rows` (full keys, in key order, values
  // opened), as the store holds them now. Kept, and joined to the range
  // kept for the prefix when the two meet; else it replaces that range.
  void Fill(absl::string_view prefix, absl::string_view after,
            const std::optional<std::string>& last, const std::vector<workflow::Row>& rows);

  // A row the writer wrote (`value`, opened) or deleted (nullopt), now
  // durable: a kept range that covers its key takes the change.
  void Written(absl::string_view key, const std::optional<std::string>& value);

  // Forgets everything.
  void Clear();

  size_t bytes() const { return bytes_; }
  // Rows answered from memory, and rows the scans had to read from the
  // store (as Fill was told of them).
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

  // What a row counts against the capacity.
  static size_t Cost(absl::string_view remainder, absl::string_view value) {
    return remainder.size() + value.size() + 96;
  }
  // What a prefix's range counts besides its rows: an empty range (a new
  // complainant's ledger) is kept too, and must not be free.
  static size_t RangeCost(absl::string_view prefix) { return prefix.size() + 192; }

 private:
  struct Range {
    // The remainders the range covers: after `after` (nullopt: from the
    // start) and not after `last` (nullopt: to the prefix's end).
    std::optional<std::string> after;
    std::optional<std::string> last;
    std::map<std::string, std::string, std::less<>> rows;  // remainder -> opened value
    size_t bytes = 0;
    std::list<std::string>::iterator lru;
  };

  static bool Covers(const Range& range, absl::string_view remainder);
  // Cuts `range` at the top until it takes at most a quarter of the
  // capacity; erases it (false) when nothing would be left.
  bool FitRange(const std::string& prefix, Range& range);
  void Erase(const std::string& prefix);
  void EvictBeyondCapacity();

  const size_t capacity_;
  absl::flat_hash_map<std::string, Range> ranges_;
  std::list<std::string> lru_;  // most recently used first
  size_t bytes_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_SCANNED_RANGES_H_
