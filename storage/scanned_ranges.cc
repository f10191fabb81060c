// The writer's cache of scanned index ranges; see scanned_ranges.h.
#include "storage/scanned_ranges.h"

#include <iterator>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace casework::storage {

namespace {

// Whether the ranges (a1, l1] and (a2, l2] overlap or touch; an absent
// `after` is the prefix's start, an absent `last` its end.
bool Meet(const std::optional<std::string>& after1, const std::optional<std::string>& last1,
          const std::optional<std::string>& after2, const std::optional<std::string>& last2) {
  const bool second_starts_in_time = !after2.has_value() || !last1.has_value() || *after2 <= *last1;
  const bool first_starts_in_time = !after1.has_value() || !last2.has_value() || *after1 <= *last2;
  return second_starts_in_time && first_starts_in_time;
}

}  // namespace

bool ScannedRanges::Covers(const Range& range, absl::string_view remainder) {
  return (!range.after.has_value() || remainder > *range.after) &&
         (!range.last.has_value() || remainder <= *range.last);
}

ScannedRanges::Found ScannedRanges::Find(absl::string_view prefix, absl::string_view after,
                                         absl::string_view until, size_t limit) {
  Found found;
  found.resume_after = std::string(after);
  if (capacity_ == 0 || !absl::EndsWith(prefix, "/")) return found;
  auto it = ranges_.find(prefix);
  if (it == ranges_.end()) return found;
  Range& range = it->second;
  lru_.splice(lru_.begin(), lru_, range.lru);
  // The range must begin where the scan does, or before.
  if (range.after.has_value() && (after.empty() || after < *range.after)) return found;
  auto row = after.empty() ? range.rows.begin() : range.rows.upper_bound(after);
  for (; row != range.rows.end(); ++row) {
    if ((!until.empty() && row->first > until) || (limit > 0 && found.rows.size() == limit)) {
      found.complete = true;  // the range reaches past the scan's end
      break;
    }
    found.rows.push_back({absl::StrCat(prefix, row->first), row->second});
  }
  hits_ += found.rows.size();
  if (found.complete || (limit > 0 && found.rows.size() == limit) || !range.last.has_value() ||
      (!until.empty() && *range.last >= until)) {
    found.complete = true;
    return found;
  }
  // The rest lies beyond the range's top, or beyond the scan's start.
  if (after.empty() || *range.last > after) found.resume_after = *range.last;
  return found;
}

void ScannedRanges::Fill(absl::string_view prefix, absl::string_view after,
                         const std::optional<std::string>& last,
                         const std::vector<workflow::Row>& rows) {
  misses_ += rows.size();
  if (capacity_ == 0 || !absl::EndsWith(prefix, "/") || (last.has_value() && last->empty())) {
    return;
  }
  Range fresh;
  fresh.bytes = RangeCost(prefix);
  if (!after.empty()) fresh.after = std::string(after);
  fresh.last = last;
  for (const workflow::Row& row : rows) {
    const absl::string_view remainder = absl::string_view(row.key).substr(prefix.size());
    if (remainder.empty()) return;  // a row keyed by the prefix itself: not kept
    fresh.rows.emplace_hint(fresh.rows.end(), std::string(remainder), row.value);
    fresh.bytes += Cost(remainder, row.value);
  }
  auto it = ranges_.find(prefix);
  if (it != ranges_.end() &&
      Meet(it->second.after, it->second.last, fresh.after, fresh.last)) {
    Range& range = it->second;
    if (!fresh.after.has_value() || (range.after.has_value() && *fresh.after < *range.after)) {
      range.after = std::move(fresh.after);
    }
    if (!fresh.last.has_value() || (range.last.has_value() && *fresh.last > *range.last)) {
      range.last = std::move(fresh.last);
    }
    for (auto& [remainder, value] : fresh.rows) {
      auto [kept, added] = range.rows.try_emplace(remainder);
      const size_t before = added ? 0 : Cost(remainder, kept->second);
      kept->second = std::move(value);
      range.bytes += Cost(remainder, kept->second) - before;
      bytes_ += Cost(remainder, kept->second) - before;
    }
    lru_.splice(lru_.begin(), lru_, range.lru);
  } else {
    if (it != ranges_.end()) Erase(it->first);
    const std::string key(prefix);
    lru_.push_front(key);
    fresh.lru = lru_.begin();
    bytes_ += fresh.bytes;
    it = ranges_.emplace(key, std::move(fresh)).first;
  }
  FitRange(it->first, it->second);
  EvictBeyondCapacity();
}

void ScannedRanges::Written(absl::string_view key, const std::optional<std::string>& value) {
  if (ranges_.empty()) return;
  for (size_t slash = key.find('/'); slash != absl::string_view::npos;
       slash = key.find('/', slash + 1)) {
    auto it = ranges_.find(key.substr(0, slash + 1));
    if (it == ranges_.end()) continue;
    Range& range = it->second;
    const absl::string_view remainder = key.substr(slash + 1);
    if (remainder.empty() || !Covers(range, remainder)) continue;
    auto kept = range.rows.find(remainder);
    if (kept != range.rows.end()) {
      range.bytes -= Cost(remainder, kept->second);
      bytes_ -= Cost(remainder, kept->second);
      range.rows.erase(kept);
    }
    if (value.has_value()) {
      range.rows.emplace(std::string(remainder), *value);
      range.bytes += Cost(remainder, *value);
      bytes_ += Cost(remainder, *value);
    }
    FitRange(it->first, range);
  }
  EvictBeyondCapacity();
}

void ScannedRanges::Clear() {
  ranges_.clear();
  lru_.clear();
  bytes_ = 0;
}

bool ScannedRanges::FitRange(const std::string& prefix, Range& range) {
  if (range.bytes <= capacity_ / 4) return true;
  while (range.bytes > capacity_ / 4 && !range.rows.empty()) {
    auto top = std::prev(range.rows.end());
    range.bytes -= Cost(top->first, top->second);
    bytes_ -= Cost(top->first, top->second);
    range.rows.erase(top);
  }
  if (range.rows.empty()) {
    Erase(prefix);
    return false;
  }
  // What is left is known in full up to its last row.
  range.last = std::prev(range.rows.end())->first;
  return true;
}

void ScannedRanges::Erase(const std::string& prefix) {
  auto it = ranges_.find(prefix);
  if (it == ranges_.end()) return;
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  ranges_.erase(it);
}

void ScannedRanges::EvictBeyondCapacity() {
  while (bytes_ > capacity_ && !lru_.empty()) Erase(std::string(lru_.back()));
}

}  // namespace casework::storage
