// A count of the writes that added events to a chosen set of streams
// (EventStore::WatchStreams), for a reader's cache of what those streams
// imply: while the count stands still, nothing it read from them changed,
// and it need not look at the store again. The policy in force is kept
// this way (services/policy_cache.h): every call needs it, and a policy is
// published a few times a year.
//
// How a reader keeps a value without ever serving a stale one: it notes
// generation() before it reads the streams, and keeps the value with that
// note; a later read whose note is the same uses the value. The store
// raises the count after a write that adds events to a watched stream is
// applied and before the writer acknowledges it, and also after anything
// that changes the store, or what it opens to, other than by a write (a
// failed write, whose effect is unknown until a reopen; ranges replaced
// wholesale; an erasure, after which a sealed field opens to "[erased]"):
// a value read before such a change is kept with an older note, which no
// longer matches.
#ifndef CASEWORK_STORAGE_STREAM_WATCH_H_
#define CASEWORK_STORAGE_STREAM_WATCH_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <utility>

#include "absl/strings/string_view.h"

namespace casework::storage {

class StreamWatch {
 public:
  // `picks` says whether a stream is watched; it is called on the
  // writer, once for each event written, and must be cheap.
  explicit StreamWatch(std::function<bool(absl::string_view stream)> picks)
      : picks_(std::move(picks)) {}
  StreamWatch(const StreamWatch&) = delete;
  StreamWatch& operator=(const StreamWatch&) = delete;

  // Noted by a reader before it reads the watched streams.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  bool Picks(absl::string_view stream) const { return picks_(stream); }
  // The store: a watched stream, or the store as a whole, changed.
  void Raise() { generation_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  const std::function<bool(absl::string_view)> picks_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_STREAM_WATCH_H_
