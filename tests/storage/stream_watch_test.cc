// Watches over chosen streams (storage/stream_watch.h) on a real store:
// raised by a write that adds an event to a watched stream, once per
// write, and by nothing else a write does; raised by a failed write (what
// it left is unknown) and by InvalidateReaders (an erasure); each watch by
// its own streams.
#include "storage/stream_watch.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "storage/event_store.h"
#include "storage/fault_injection.h"
#include "tests/support/test_support.h"

namespace casework::storage {
namespace {

struct Store {
  Store() {
    StoreOptions options;
    options.path = dir.Sub("data");
    options.faults = faults;
    absl::StatusOr<std::unique_ptr<EventStore>> opened = EventStore::Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status();
    store = *std::move(opened);
  }

  // Writes one batch with an event for each of `streams`, in order.
  absl::Status WriteEvents(const std::vector<std::string>& streams) {
    StoreBatch batch = store->NewBatch();
    for (const std::string& stream : streams) {
      v1::EventEnvelope e;
      e.set_stream(stream);
      e.set_stream_version(++versions[stream]);
      e.set_global_position(++position);
      batch.PutEvent(e);
    }
    return store->Write(batch);
  }

  testing::TempDir dir;
  std::shared_ptr<FaultInjector> faults = std::make_shared<FaultInjector>();
  std::unique_ptr<EventStore> store;
  std::map<std::string, int64_t> versions;
  uint64_t position = 0;
};

bool IsPolicy(absl::string_view stream) { return absl::EndsWith(stream, "/policy/current"); }
bool IsAction(absl::string_view stream) { return absl::StrContains(stream, "/actions/"); }

TEST(StreamWatchTest, AWriteRaisesTheWatchesOfTheStreamsItAddsTo) {
  Store s;
  std::shared_ptr<const StreamWatch> policies = s.store->WatchStreams(IsPolicy);
  std::shared_ptr<const StreamWatch> actions = s.store->WatchStreams(IsAction);
  const uint64_t p0 = policies->generation(), a0 = actions->generation();

  // Events of other streams, and rows, raise neither.
  ASSERT_TRUE(s.WriteEvents({"partnerships/eastbrook/complaints/1"}).ok());
  StoreBatch rows = s.store->NewBatch();
  rows.PutRow("policies/eastbrook/in-force", "v2");
  ASSERT_TRUE(s.store->Write(rows).ok());
  EXPECT_EQ(policies->generation(), p0);
  EXPECT_EQ(actions->generation(), a0);

  // Two events of one watched stream in one write raise its watch once.
  ASSERT_TRUE(s.WriteEvents({"partnerships/eastbrook/policy/current",
                             "partnerships/eastbrook/policy/current"})
                  .ok());
  EXPECT_EQ(policies->generation(), p0 + 1);
  EXPECT_EQ(actions->generation(), a0);

  // One write adding to streams of both raises both.
  ASSERT_TRUE(
      s.WriteEvents({"partnerships/westmere/actions/4", "partnerships/westmere/policy/current"})
          .ok());
  EXPECT_EQ(policies->generation(), p0 + 2);
  EXPECT_EQ(actions->generation(), a0 + 1);
}

TEST(StreamWatchTest, AFailedWriteAndAnErasureRaiseEveryWatch) {
  Store s;
  std::shared_ptr<const StreamWatch> policies = s.store->WatchStreams(IsPolicy);
  std::shared_ptr<const StreamWatch> actions = s.store->WatchStreams(IsAction);

  s.store->InvalidateReaders();  // what an erasure does once a key is destroyed
  EXPECT_EQ(policies->generation(), 1u);
  EXPECT_EQ(actions->generation(), 1u);

  // A failed write of any stream: what it left is unknown till a reopen.
  s.faults->FailWrites(true);
  EXPECT_EQ(s.WriteEvents({"partnerships/eastbrook/complaints/1"}).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(policies->generation(), 2u);
  EXPECT_EQ(actions->generation(), 2u);
}

}  // namespace
}  // namespace casework::storage
