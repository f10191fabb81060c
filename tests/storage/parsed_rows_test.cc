// The readers' cache of parsed summary rows (storage/parsed_rows.h) on a
// real store: a batch that puts or deletes a row forgets its parsed copy
// before Write returns, a copy read before that write and offered after it
// is not kept, and rows the batch did not touch stay.
#include "storage/parsed_rows.h"

#include <memory>
#include <string>

#include "casework/v1/actions.pb.h"
#include "gtest/gtest.h"
#include "storage/event_store.h"
#include "tests/support/test_support.h"

namespace casework::storage {
namespace {

std::shared_ptr<const google::protobuf::Message> Titled(const std::string& title) {
  auto action = std::make_shared<v1::Action>();
  action->set_title(title);
  return action;
}

std::string TitleOf(const std::optional<std::shared_ptr<const google::protobuf::Message>>& kept) {
  if (!kept.has_value()) return "(none)";
  return static_cast<const v1::Action&>(**kept).title();
}

struct Store {
  Store() {
    StoreOptions options;
    options.path = dir.Sub("data");
    absl::StatusOr<std::unique_ptr<EventStore>> opened = EventStore::Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status();
    store = *std::move(opened);
  }
  testing::TempDir dir;
  std::unique_ptr<EventStore> store;
};

TEST(ParsedRowsTest, AWriteForgetsTheRowsItChangedAndKeepsTheOthers) {
  Store s;
  ParsedRows& parsed = s.store->parsed_rows();
  parsed.Put("rows/a", Titled("a, first"), 10, parsed.generation());
  parsed.Put("rows/b", Titled("b, first"), 10, parsed.generation());
  parsed.Put("rows/c", Titled("c, first"), 10, parsed.generation());
  ASSERT_EQ(TitleOf(parsed.Find("rows/a")), "a, first");

  StoreBatch batch = s.store->NewBatch();
  batch.PutRow("rows/a", "changed");
  batch.DeleteRow("rows/b");
  ASSERT_TRUE(s.store->Write(batch).ok());

  EXPECT_EQ(TitleOf(parsed.Find("rows/a")), "(none)");
  EXPECT_EQ(TitleOf(parsed.Find("rows/b")), "(none)");
  EXPECT_EQ(TitleOf(parsed.Find("rows/c")), "c, first");
}

TEST(ParsedRowsTest, ARowReadBeforeAWriteAndOfferedAfterItIsNotKept) {
  Store s;
  ParsedRows& parsed = s.store->parsed_rows();
  const uint64_t noted = parsed.generation();  // a reader starts reading rows/a

  StoreBatch batch = s.store->NewBatch();
  batch.PutRow("rows/a", "changed");
  ASSERT_TRUE(s.store->Write(batch).ok());

  parsed.Put("rows/a", Titled("a, as it was"), 10, noted);  // the reader finishes
  EXPECT_EQ(TitleOf(parsed.Find("rows/a")), "(none)");
  EXPECT_EQ(parsed.bytes(), 0u);
  // A reader that starts after the write keeps what it read.
  parsed.Put("rows/a", Titled("a, changed"), 10, parsed.generation());
  EXPECT_EQ(TitleOf(parsed.Find("rows/a")), "a, changed");
  // A write of other families only (an event) forgets no row.
  StoreBatch events = s.store->NewBatch();
  v1::EventEnvelope e;
  e.set_stream("partnerships/x/actions/1");
  e.set_stream_version(1);
  e.set_global_position(1);
  events.PutEvent(e);
  ASSERT_TRUE(s.store->Write(events).ok());
  EXPECT_EQ(TitleOf(parsed.Find("rows/a")), "a, changed");
}

// Parsed messages take about three times their serialised size in memory
// (ParsedMessageBytes); the cache counts them so.
TEST(ParsedRowsTest, AnEntryCountsThriceItsSerialisedSizeAndACapacityOfZeroKeepsNothing) {
  ParsedRows parsed(16 * 4000);
  parsed.Put("k", Titled("t"), 100, parsed.generation());
  EXPECT_EQ(parsed.bytes(), 1u + 3 * 100 + 256);
  // More than a quarter of a 4,000-byte shard is never kept, as "big"'s
  // 3 + 3 * 250 + 256 bytes are; "fits"'s 4 + 3 * 200 + 256 are not.
  parsed.Put("big", Titled("t"), 250, parsed.generation());
  EXPECT_EQ(TitleOf(parsed.Find("big")), "(none)");
  parsed.Put("fits", Titled("f"), 200, parsed.generation());
  EXPECT_EQ(TitleOf(parsed.Find("fits")), "f");

  ParsedRows none(0);
  none.Put("k", Titled("t"), 1, none.generation());
  EXPECT_EQ(TitleOf(none.Find("k")), "(none)");
  EXPECT_EQ(none.bytes(), 0u);
}

}  // namespace
}  // namespace casework::storage
