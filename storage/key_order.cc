#include "storage/key_order.h"

#include <algorithm>
#include <cstdint>
#include <future>

namespace casework::storage {
namespace {

// A key's place in the sort.
struct Place {
  // The key's bytes [depth, depth + 8) at the depth being sorted, as a
  // big-endian integer, zero where the key has ended.
  uint64_t digit = 0;
  const char* data = nullptr;
  size_t size = 0;
  size_t index = 0;  // its position in the caller's order
  // How many of the digit's eight bytes are the key's: 9 if it goes on past
  // them. Of two keys with equal digits, the one that ends first is the
  // smaller; two that end at the same byte are the same key.
  uint8_t has = 0;
  bool superseded = false;  // a later position holds the same key
};

absl::string_view KeyOf(const Place& p) { return absl::string_view(p.data, p.size); }

// Ranges of at most this many places are sorted by whole keys.
constexpr ptrdiff_t kWholeKeys = 16;
// Ranges of at least this many are sorted on two threads.
constexpr ptrdiff_t kTwoThreads = 1 << 16;

void LoadDigits(Place* first, Place* last, size_t depth) {
  constexpr ptrdiff_t kAhead = 16;  // keys lie wherever they were allocated
  for (Place* p = first; p != last; ++p) {
    if (last - p > kAhead) __builtin_prefetch(p[kAhead].data + std::min(depth, p[kAhead].size));
    const size_t left = p->size > depth ? p->size - depth : 0;
    const size_t n = std::min<size_t>(left, 8);
    uint64_t digit = 0;
    for (size_t i = 0; i < n; ++i) {
      digit |= uint64_t{static_cast<unsigned char>(p->data[depth + i])} << (56 - 8 * i);
    }
    p->digit = digit;
    p->has = static_cast<uint8_t>(left > 8 ? 9 : left);
  }
}

bool ByDigit(const Place& a, const Place& b) {
  return a.digit < b.digit || (a.digit == b.digit && a.has < b.has);
}
bool SameDigit(const Place& a, const Place& b) { return a.digit == b.digit && a.has == b.has; }

// A range whose keys are all the same: each but the last position is
// superseded.
void MarkSameKey(Place* first, Place* last) {
  const Place* latest = std::max_element(
      first, last, [](const Place& a, const Place& b) { return a.index < b.index; });
  for (Place* p = first; p != last; ++p) p->superseded = p != latest;
}

// A short range, sorted by whole keys (those of a range agree on its
// depth, so comparing them whole is right, and few comparisons are made).
void SortWholeKeys(Place* first, Place* last) {
  std::sort(first, last, [](const Place& a, const Place& b) {
    const int c = KeyOf(a).compare(KeyOf(b));
    return c < 0 || (c == 0 && a.index < b.index);
  });
  for (Place* p = first; p + 1 < last; ++p) p->superseded = KeyOf(*p) == KeyOf(p[1]);
}

// Loads the digits at `depth` and sorts [first, last) by them.
void SortByDigit(Place* first, Place* last, size_t depth) {
  LoadDigits(first, last, depth);
  std::sort(first, last, ByDigit);
}

// The end of the run of equal digits that starts at `run`.
Place* RunEnd(Place* run, Place* last) {
  return std::find_if_not(run + 1, last, [&](const Place& p) { return SameDigit(p, *run); });
}

void SortFrom(Place* first, Place* last, size_t depth, bool two_threads);

// A run of keys that agree on their first `depth` + 8 bytes: sorted by what
// follows, or, if they end there, all the same key.
void SortRun(Place* run, Place* end, size_t depth, bool two_threads) {
  if (end - run < 2) return;
  if (run->has == 9) {
    SortFrom(run, end, depth + 8, two_threads);
  } else {
    MarkSameKey(run, end);
  }
}

// [first, last) is sorted by digit at `depth`: sorts each run by what
// follows, on this thread.
void SortRuns(Place* first, Place* last, size_t depth) {
  for (Place* run = first; run != last;) {
    Place* end = RunEnd(run, last);
    SortRun(run, end, depth, /*two_threads=*/false);
    run = end;
  }
}

// Sorts [first, last), whose keys agree on their first `depth` bytes.
void SortFrom(Place* first, Place* last, size_t depth, bool two_threads) {
  const ptrdiff_t count = last - first;
  if (count <= kWholeKeys) {
    SortWholeKeys(first, last);
    return;
  }
  if (!two_threads || count < kTwoThreads) {
    SortByDigit(first, last, depth);
    SortRuns(first, last, depth);
    return;
  }
  Place* middle = first + count / 2;
  std::future<void> first_half =
      std::async(std::launch::async, [&] { SortByDigit(first, middle, depth); });
  SortByDigit(middle, last, depth);
  first_half.get();
  std::inplace_merge(first, middle, last, ByDigit);
  // A run of more than half the range (keys of one namespace, say) is
  // sorted with both threads, after the runs beside it are sorted on this
  // one; otherwise the runs are shared out at the first boundary past the
  // middle.
  for (Place* run = first; run != last;) {
    Place* end = RunEnd(run, last);
    if (end - run > count / 2) {
      SortRuns(first, run, depth);
      SortRuns(end, last, depth);
      SortRun(run, end, depth, /*two_threads=*/true);
      return;
    }
    run = end;
  }
  Place* split = RunEnd(middle - 1, last);
  std::future<void> before = std::async(std::launch::async, [&] { SortRuns(first, split, depth); });
  SortRuns(split, last, depth);
  before.get();
}

}  // namespace

std::vector<size_t> LastOfEachKeyInOrder(size_t count,
                                         absl::FunctionRef<absl::string_view(size_t)> key_of) {
  if (count == 0) return {};
  std::vector<Place> places(count);
  for (size_t i = 0; i < count; ++i) {
    const absl::string_view key = key_of(i);
    places[i].data = key.data();
    places[i].size = key.size();
    places[i].index = i;
  }
  SortFrom(places.data(), places.data() + count, 0, /*two_threads=*/true);
  std::vector<size_t> order;
  order.reserve(count);
  for (const Place& p : places) {
    if (!p.superseded) order.push_back(p.index);
  }
  return order;
}

}  // namespace casework::storage
