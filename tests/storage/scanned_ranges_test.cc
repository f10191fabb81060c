// The writer's cache of scanned ranges on its own, against a model of the
// store: a range read once is answered from memory; a scan past it reads
// only what lies beyond and widens it; rows written inside a range change
// it and rows outside do not; it stays within its bytes; and, under a long
// random run of writes and scans, every answer is exactly the store's.
#include "storage/scanned_ranges.h"

#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace casework::storage {
namespace {

using Rows = std::vector<workflow::Row>;

// The store as the writer sees it: rows by key.
class Store {
 public:
  void Put(ScannedRanges& cache, const std::string& key, const std::string& value) {
    rows_[key] = value;
    cache.Written(key, value);
  }
  void Delete(ScannedRanges& cache, const std::string& key) {
    rows_.erase(key);
    cache.Written(key, std::nullopt);
  }

  // What the store holds of a scan (the truth), for comparison.
  Rows Truth(const std::string& prefix, const std::string& after, const std::string& until,
             size_t limit) const {
    Rows out;
    for (auto it = rows_.upper_bound(prefix + after);
         it != rows_.end() && absl::StartsWith(it->first, prefix); ++it) {
      if (!after.empty() && it->first == prefix + after) continue;
      if (!until.empty() && it->first > prefix + until) break;
      if (limit > 0 && out.size() == limit) break;
      out.push_back({it->first, it->second});
    }
    return out;
  }

  // A scan as the engine makes it: what the cache holds, then the store's
  // rows beyond, which the cache is told of. Counts the rows read here.
  Rows Scan(ScannedRanges& cache, const std::string& prefix, const std::string& after,
            const std::string& until, size_t limit) {
    ScannedRanges::Found found = cache.Find(prefix, after, until, limit);
    Rows rows = std::move(found.rows);
    if (found.complete) return rows;
    const size_t wanted = limit == 0 ? 0 : limit - rows.size();
    Rows read;
    std::optional<std::string> known_to;
    for (auto it = rows_.upper_bound(prefix + found.resume_after);; ++it) {
      if (it == rows_.end() || !absl::StartsWith(it->first, prefix)) break;  // none left
      if (!found.resume_after.empty() && it->first == prefix + found.resume_after) continue;
      if (!until.empty() && it->first > prefix + until) {
        known_to = until;
        break;
      }
      if (wanted > 0 && read.size() == wanted) {
        known_to = read.back().key.substr(prefix.size());
        break;
      }
      read.push_back({it->first, it->second});
    }
    read_from_store += read.size();
    cache.Fill(prefix, found.resume_after, known_to, read);
    rows.insert(rows.end(), read.begin(), read.end());
    return rows;
  }

  size_t read_from_store = 0;

 private:
  std::map<std::string, std::string> rows_;
};

std::string Day(int d) { return absl::StrFormat("2026-05-%02d", d); }
std::string EntryKey(const std::string& prefix, int day, int n) {
  return absl::StrCat(prefix, Day(day), "/", n);
}
// The window bounds a ledger read uses: after the day before, to the end of a day.
std::string AfterDay(int d) { return Day(d) + "~"; }

std::vector<std::pair<std::string, std::string>> Pairs(const Rows& rows) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const workflow::Row& row : rows) pairs.emplace_back(row.key, row.value);
  return pairs;
}

std::vector<std::string> Keys(const Rows& rows) {
  std::vector<std::string> keys;
  for (const workflow::Row& row : rows) keys.push_back(row.key);
  return keys;
}

const std::string kLedger = "partnerships/eastbrook/ledgers/complainants/cmp-1/";

TEST(ScannedRangesTest, AWindowReadOnceIsAnsweredFromMemoryAfterwards) {
  ScannedRanges cache(1 << 20);
  Store store;
  for (int d = 1; d <= 9; ++d) store.Put(cache, EntryKey(kLedger, d, d), "entry");
  const Rows first = store.Scan(cache, kLedger, AfterDay(2), AfterDay(6), 0);
  EXPECT_EQ(Keys(first), Keys(store.Truth(kLedger, AfterDay(2), AfterDay(6), 0)));
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(store.read_from_store, 4u);
  EXPECT_EQ(cache.misses(), 4u);

  // The same window, and any window inside it, from memory.
  for (auto [from, to] : {std::pair{2, 6}, std::pair{3, 5}, std::pair{4, 6}}) {
    const ScannedRanges::Found again = cache.Find(kLedger, AfterDay(from), AfterDay(to), 0);
    EXPECT_TRUE(again.complete) << from << ".." << to;
    EXPECT_EQ(Keys(again.rows), Keys(store.Truth(kLedger, AfterDay(from), AfterDay(to), 0)));
  }
  EXPECT_EQ(cache.hits(), 4u + 2u + 2u);
  // A limit inside the range is answered too.
  const ScannedRanges::Found limited = cache.Find(kLedger, AfterDay(2), "", 2);
  EXPECT_TRUE(limited.complete);
  EXPECT_EQ(Keys(limited.rows), (std::vector<std::string>{EntryKey(kLedger, 3, 3),
                                                          EntryKey(kLedger, 4, 4)}));
  // A scan that starts before the range is not.
  const ScannedRanges::Found earlier = cache.Find(kLedger, AfterDay(1), AfterDay(6), 0);
  EXPECT_FALSE(earlier.complete);
  EXPECT_TRUE(earlier.rows.empty());
  EXPECT_EQ(earlier.resume_after, AfterDay(1));
}

TEST(ScannedRangesTest, AScanPastTheRangeReadsOnlyWhatLiesBeyondAndWidensIt) {
  ScannedRanges cache(1 << 20);
  Store store;
  for (int d = 1; d <= 9; ++d) store.Put(cache, EntryKey(kLedger, d, d), "entry");
  store.Scan(cache, kLedger, AfterDay(0), AfterDay(4), 0);  // days 1..4
  store.read_from_store = 0;

  const ScannedRanges::Found found = cache.Find(kLedger, AfterDay(2), AfterDay(7), 0);
  EXPECT_FALSE(found.complete);
  EXPECT_EQ(Keys(found.rows), (std::vector<std::string>{EntryKey(kLedger, 3, 3),
                                                        EntryKey(kLedger, 4, 4)}));
  EXPECT_EQ(found.resume_after, AfterDay(4));

  const Rows rows = store.Scan(cache, kLedger, AfterDay(2), AfterDay(7), 0);
  EXPECT_EQ(Keys(rows), Keys(store.Truth(kLedger, AfterDay(2), AfterDay(7), 0)));
  EXPECT_EQ(store.read_from_store, 3u);  // days 5, 6 and 7 only
  // Now days 1..7 are one range.
  EXPECT_TRUE(cache.Find(kLedger, AfterDay(0), AfterDay(7), 0).complete);

  // Reading to the prefix's end finds nothing left: the range reaches the
  // end, so a later day's window is answered from memory.
  store.Scan(cache, kLedger, AfterDay(5), "", 0);
  const ScannedRanges::Found to_end = cache.Find(kLedger, AfterDay(8), AfterDay(30), 0);
  EXPECT_TRUE(to_end.complete);
  EXPECT_EQ(Keys(to_end.rows), (std::vector<std::string>{EntryKey(kLedger, 9, 9)}));
}

TEST(ScannedRangesTest, RowsWrittenInsideARangeChangeItAndRowsOutsideDoNot) {
  ScannedRanges cache(1 << 20);
  Store store;
  for (int d = 1; d <= 5; ++d) store.Put(cache, EntryKey(kLedger, d, d), "entry");
  // Days 2..4 only: the limit stops the read at day 4.
  ASSERT_EQ(store.Scan(cache, kLedger, AfterDay(1), "", 3).size(), 3u);
  const size_t bytes = cache.bytes();
  EXPECT_EQ(bytes, ScannedRanges::RangeCost(kLedger) + 3 * ScannedRanges::Cost("2026-05-02/2",
                                                                               "entry"));

  store.Put(cache, EntryKey(kLedger, 3, 30), "new entry");   // inside
  store.Delete(cache, EntryKey(kLedger, 2, 2));              // inside
  store.Put(cache, EntryKey(kLedger, 4, 4), "changed");      // inside, replaced
  store.Put(cache, EntryKey(kLedger, 7, 7), "later entry");  // above the range
  store.Put(cache, EntryKey(kLedger, 1, 10), "earlier");     // below it
  store.Put(cache, "partnerships/eastbrook/ledgers/complainants/cmp-2/x", "another ledger");

  // The range ends at the last row the limit let in.
  const std::string top = "2026-05-04/4";
  EXPECT_FALSE(cache.Find(kLedger, AfterDay(1), AfterDay(4), 0).complete);
  const ScannedRanges::Found found = cache.Find(kLedger, AfterDay(1), top, 0);
  ASSERT_TRUE(found.complete);
  EXPECT_EQ(Keys(found.rows), Keys(store.Truth(kLedger, AfterDay(1), top, 0)));
  ASSERT_EQ(found.rows.size(), 3u);
  EXPECT_EQ(found.rows[1].value, "new entry");
  EXPECT_EQ(found.rows[2].value, "changed");
  EXPECT_EQ(cache.bytes(), bytes - ScannedRanges::Cost("2026-05-02/2", "entry") +
                               ScannedRanges::Cost("2026-05-03/30", "new entry") -
                               ScannedRanges::Cost("2026-05-04/4", "entry") +
                               ScannedRanges::Cost("2026-05-04/4", "changed"));
  // Above the range, the store is read again.
  EXPECT_FALSE(cache.Find(kLedger, AfterDay(1), AfterDay(7), 0).complete);
}

TEST(ScannedRangesTest, AnErasureOrAPrefixWithoutASlashKeepsNothing) {
  ScannedRanges cache(1 << 20);
  Store store;
  store.Put(cache, "locality/north-1", "a");
  store.Put(cache, "locality/north-2", "b");
  // "locality/north" is not a whole segment: rows under it cannot be told
  // apart from their neighbours' when written, so none is kept.
  store.Scan(cache, "locality/north", "", "", 0);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_FALSE(cache.Find("locality/north", "", "", 0).complete);

  store.Scan(cache, "locality/", "", "", 0);
  EXPECT_TRUE(cache.Find("locality/", "", "", 0).complete);
  cache.Clear();
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_FALSE(cache.Find("locality/", "", "", 0).complete);
}

TEST(ScannedRangesTest, OneRangeIsCutToAQuarterAndTheLeastRecentlyReadGoFirst) {
  // Rows cost 12 + 88 + 96 = 196 bytes; a quarter of 8,000 holds the
  // range's own cost and eight of them.
  ScannedRanges cache(8000);
  Store store;
  const std::string value(88, 'v');
  ASSERT_EQ(ScannedRanges::Cost("2026-05-01/1", value), 196u);
  const size_t fit = (8000 / 4 - ScannedRanges::RangeCost(kLedger)) / 196;
  ASSERT_EQ(fit, 8u);
  for (int d = 1; d <= 20; ++d) store.Put(cache, EntryKey(kLedger, d, 1), value);
  const Rows all = store.Scan(cache, kLedger, "", "", 0);
  ASSERT_EQ(all.size(), 20u);
  EXPECT_EQ(cache.bytes(), ScannedRanges::RangeCost(kLedger) + fit * 196);
  // What is kept is the range's bottom, known in full up to its last row.
  const ScannedRanges::Found bottom = cache.Find(kLedger, "", AfterDay(30), 0);
  EXPECT_FALSE(bottom.complete);
  EXPECT_EQ(bottom.rows.size(), fit);
  EXPECT_EQ(bottom.resume_after, "2026-05-08/1");

  // Other ledgers read in turn push the first out; the cache stays within
  // its capacity.
  for (int i = 0; i < 8; ++i) {
    const std::string other = absl::StrCat("ledgers/other-", i, "/");
    for (int d = 1; d <= 4; ++d) store.Put(cache, EntryKey(other, d, 1), value);
    store.Scan(cache, other, "", "", 0);
    EXPECT_LE(cache.bytes(), 8000u);
  }
  EXPECT_TRUE(cache.Find(kLedger, "", "", 0).rows.empty());
  EXPECT_TRUE(cache.Find("ledgers/other-7/", "", "", 0).complete);
}

TEST(ScannedRangesTest, EveryAnswerIsTheStoresUnderARandomRunOfWritesAndScans) {
  std::mt19937 random(20261201);
  auto pick = [&random](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  for (size_t capacity : {size_t{0}, size_t{3000}, size_t{1} << 20}) {
    ScannedRanges cache(capacity);
    Store store;
    const std::vector<std::string> prefixes = {"ledger/a/", "ledger/b/", "ledger/a/x/"};
    for (int step = 0; step < 20000; ++step) {
      const std::string& prefix = prefixes[pick(3)];
      const int op = pick(10);
      if (op < 4) {
        store.Put(cache, EntryKey(prefix, 1 + pick(28), pick(5)), std::string(pick(40), 'v'));
      } else if (op < 5) {
        store.Delete(cache, EntryKey(prefix, 1 + pick(28), pick(5)));
      } else {
        const int from = pick(29);
        const std::string after = from == 0 ? "" : AfterDay(from);
        const std::string until = pick(4) == 0 ? "" : AfterDay(from + pick(14));
        const size_t limit = pick(3) == 0 ? 1 + pick(8) : 0;
        ASSERT_EQ(Pairs(store.Scan(cache, prefix, after, until, limit)),
                  Pairs(store.Truth(prefix, after, until, limit)))
            << "capacity " << capacity << ", step " << step << ": " << prefix << " (" << after
            << ", " << until << "] limit " << limit;
      }
      ASSERT_LE(cache.bytes(), capacity);
    }
    if (capacity == 0) {
      EXPECT_EQ(cache.hits(), 0u);
    } else {
      EXPECT_GT(cache.hits(), 0u);
    }
  }
}

}  // namespace
}  // namespace casework::storage
