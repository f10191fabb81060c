// The cache of opened rows on its own: bounded by bytes, least recently
// used out first, a Put replaces, and nothing opened before a Clear is kept
// after it.
#include "storage/opened_rows.h"

#include <string>

#include "gtest/gtest.h"

namespace casework::storage {
namespace {

TEST(OpenedRowsTest, KeepsWithinItsBytesDroppingTheLeastRecentlyUsed) {
  // 16 shards of 1,000 bytes; an entry costs both values plus 96.
  OpenedRows rows(16 * 1000);
  const uint64_t g = rows.generation();
  rows.Put("stored-a", "opened-a", g);
  ASSERT_EQ(rows.Find("stored-a"), "opened-a");
  EXPECT_EQ(rows.Find("stored-b"), std::nullopt);
  EXPECT_EQ(rows.hits(), 1u);
  EXPECT_EQ(rows.misses(), 1u);
  // A value over a quarter of a shard is never kept.
  rows.Put("stored-big", std::string(300, 'x'), g);
  EXPECT_EQ(rows.Find("stored-big"), std::nullopt);
  // Filling far past the capacity keeps it within it.
  for (int i = 0; i < 2000; ++i) {
    rows.Put("stored-" + std::to_string(i), std::string(100, 'v'), g);
  }
  EXPECT_LE(rows.bytes(), 16u * 1000);
  EXPECT_GT(rows.bytes(), 16u * 1000 / 2);
  EXPECT_EQ(rows.Find("stored-0"), std::nullopt);
  EXPECT_EQ(rows.Find("stored-1999"), std::string(100, 'v'));
}

TEST(OpenedRowsTest, NothingOpenedBeforeAClearIsKeptAfterIt) {
  OpenedRows rows(1 << 20);
  rows.Put("stored-a", "opened-a", rows.generation());
  const uint64_t noted = rows.generation();  // a reader starts opening "stored-b"
  rows.Clear();                              // an erasure destroys keys
  rows.Put("stored-b", "opened-b", noted);   // the reader finishes
  EXPECT_EQ(rows.Find("stored-a"), std::nullopt);
  EXPECT_EQ(rows.Find("stored-b"), std::nullopt);
  EXPECT_EQ(rows.bytes(), 0u);
  rows.Put("stored-b", "[erased]", rows.generation());
  EXPECT_EQ(rows.Find("stored-b"), "[erased]");
}

TEST(OpenedRowsTest, APutReplacesWhatWasKeptAndEraseForgetsIt) {
  OpenedRows rows(1 << 20);
  rows.Put("row-1", "first", rows.generation());
  const size_t one = rows.bytes();
  rows.Put("row-1", "second", rows.generation());
  EXPECT_EQ(rows.Find("row-1"), "second");
  EXPECT_EQ(rows.bytes(), one + 1);  // "second" is a byte longer
  rows.Erase("row-1");
  rows.Erase("never-kept");
  EXPECT_EQ(rows.Find("row-1"), std::nullopt);
  EXPECT_EQ(rows.bytes(), 0u);
}

TEST(OpenedRowsTest, ACapacityOfZeroKeepsNothing) {
  OpenedRows rows(0);
  rows.Put("stored-a", "opened-a", rows.generation());
  EXPECT_EQ(rows.Find("stored-a"), std::nullopt);
  EXPECT_EQ(rows.bytes(), 0u);
}

}  // namespace
}  // namespace casework::storage
