// EventService.Subscribe over real gRPC: catch-up then live, checkpoints
// that resume with no gap and no duplicate, filters, the cap on
// subscriptions, a reader that stops reading, and shutdown.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "casework/v1/errors.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/case_review_fixture.h"
#include "tests/support/server_fixture.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::casework::testing::FeedRead;
using ::casework::testing::Positions;
using ::casework::testing::ReadFeedUntilCaughtUp;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

class FeedTest : public case_review_testing::CaseReviewTest {
 protected:
  void SetUp() override {
    CaseReviewTest::SetUp();
    Publish(workflow::LlrDefaultPolicy("eastbrook"));
  }

  // Records complaints number `first` to `first + count - 1` of complainant
  // `who`.
  void RecordComplaints(int first, int count, const std::string& who = "CR-1") {
    for (int i = first; i < first + count; ++i) {
      Record(ComplaintRequest(absl::StrCat("S-", i), who, casework::testing::Date(2026, 10, 1),
                              casework::testing::Date(2026, 10, 2)));
    }
  }

  // Every event of the log, read a page at a time.
  std::vector<v1::EventEnvelope> WholeLog() {
    auto stub = v1::EventService::NewStub(InProcess());
    std::vector<v1::EventEnvelope> events;
    v1::ReadLogRequest request;
    for (;;) {
      v1::ReadLogResponse page;
      EXPECT_TRUE(Call(&v1::EventService::Stub::ReadLog, stub.get(), request, &page).ok());
      if (page.events().empty()) return events;
      events.insert(events.end(), page.events().begin(), page.events().end());
      request.set_page_token(page.next_page_token());
    }
  }

  // A subscription over TCP (so that HTTP/2 flow control applies) as the
  // fixture's caller.
  struct OpenFeed {
    std::unique_ptr<v1::EventService::Stub> stub;
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader;
  };
  std::unique_ptr<OpenFeed> Open(uint64_t after) {
    auto feed = std::make_unique<OpenFeed>();
    feed->stub = v1::EventService::NewStub(Network());
    casework::testing::SetIdentity(feed->context, "eastbrook-council", "u-1", "caseworker");
    feed->reader = feed->stub->Subscribe(&feed->context, After(after));
    return feed;
  }

  // Reads until a checkpoint at the head: its position (0 if the call
  // ended first).
  static uint64_t ReadToHead(grpc::ClientReader<v1::SubscribeResponse>& reader) {
    v1::SubscribeResponse message;
    while (reader.Read(&message)) {
      if (casework::testing::CaughtUp(message)) return message.checkpoint().position();
    }
    return 0;
  }

  // Waits until every subscription has ended on the server too: a caller's
  // cancelled call frees its place under the per-caller cap only once the
  // server has seen it end, a moment after the caller has.
  void AwaitNoSubscriptions() {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (server_->feed().active() > 0 && absl::Now() < give_up) std::this_thread::yield();
    ASSERT_EQ(server_->feed().active(), 0);
  }

  static v1::SubscribeRequest After(uint64_t position, int checkpoint_interval = 0) {
    v1::SubscribeRequest request;
    request.set_after_position(position);
    request.set_checkpoint_interval(checkpoint_interval);
    return request;
  }
};

TEST_F(FeedTest, ResumingFromEveryCheckpointYieldsExactlyTheEventsAfterIt) {
  RecordComplaints(1, 40);
  const std::vector<v1::EventEnvelope> log = WholeLog();
  ASSERT_GE(log.size(), 41u);

  FeedRead all = ReadFeedUntilCaughtUp(InProcess(), After(0, 7));
  ASSERT_TRUE(all.status.ok()) << all.status.error_message();
  EXPECT_THAT(Positions(all.events), ElementsAreArray(Positions(log)));
  // A checkpoint every 7 positions, and the last at the head.
  ASSERT_EQ(all.checkpoints.size(), log.size() / 7 + (log.size() % 7 == 0 ? 0 : 1));
  for (size_t i = 0; i + 1 < all.checkpoints.size(); ++i) {
    EXPECT_EQ(all.checkpoints[i].position(), 7 * (i + 1));
  }
  EXPECT_EQ(all.checkpoints.back().position(), log.back().global_position());
  EXPECT_EQ(all.checkpoints.back().head_position(), log.back().global_position());

  // From every checkpoint, and from every event, exactly what follows it.
  std::vector<uint64_t> resume_points;
  for (const v1::Checkpoint& c : all.checkpoints) resume_points.push_back(c.position());
  for (const v1::EventEnvelope& e : all.events) resume_points.push_back(e.global_position());
  for (uint64_t after : resume_points) {
    SCOPED_TRACE(after);
    // More resumptions than one caller may hold at once, one after another.
    ASSERT_NO_FATAL_FAILURE(AwaitNoSubscriptions());
    std::vector<uint64_t> expected;
    for (const v1::EventEnvelope& e : log) {
      if (e.global_position() > after) expected.push_back(e.global_position());
    }
    FeedRead resumed = ReadFeedUntilCaughtUp(InProcess(), After(after, 7));
    ASSERT_TRUE(resumed.status.ok()) << resumed.status.error_message();
    EXPECT_THAT(Positions(resumed.events), ElementsAreArray(expected));
  }
}

TEST_F(FeedTest, CaughtUpSubscribersReceiveEventsAsTheyAreCommitted) {
  RecordComplaints(1, 3);
  std::unique_ptr<OpenFeed> feed = Open(0);
  // Catch-up ends with a checkpoint at the head.
  uint64_t head = ReadToHead(*feed->reader);
  ASSERT_EQ(head, server_->store().LastPosition());
  v1::SubscribeResponse message;

  // Each complaint recorded now arrives live, in order.
  for (int i = 4; i <= 6; ++i) {
    v1::RecordComplaintResponse recorded = Record(ComplaintRequest(
        absl::StrCat("S-", i), "CR-1", casework::testing::Date(2026, 10, 1),
        casework::testing::Date(2026, 10, 2)));
    const uint64_t last = recorded.commit().last_position();
    uint64_t seen = 0;
    while (seen < last && feed->reader->Read(&message)) {
      if (message.has_event()) {
        EXPECT_EQ(message.event().global_position(), head + 1);
        head = seen = message.event().global_position();
      }
    }
    EXPECT_EQ(seen, last);
  }
  feed->context.TryCancel();
  EXPECT_EQ(feed->reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(FeedTest, FiltersLetThroughOnlyWhatWasAskedFor) {
  RecordComplaints(1, 5);
  const uint64_t head = server_->store().LastPosition();

  v1::SubscribeRequest complaints = After(0);
  complaints.set_partnership("partnerships/eastbrook");
  complaints.add_stream_types("complaints");
  FeedRead read = ReadFeedUntilCaughtUp(InProcess(), complaints);
  ASSERT_TRUE(read.status.ok()) << read.status.error_message();
  std::vector<uint64_t> expected;
  for (const v1::EventEnvelope& e : WholeLog()) {
    if (absl::StartsWith(e.stream(), "partnerships/eastbrook/complaints/")) {
      expected.push_back(e.global_position());
    }
  }
  // Five complaints recorded, and the notices their ledger raised.
  EXPECT_GT(expected.size(), 5u);
  EXPECT_THAT(Positions(read.events), ElementsAreArray(expected));

  v1::SubscribeRequest recorded = After(0);
  recorded.add_event_types("casework.v1.ComplaintRecorded");
  read = ReadFeedUntilCaughtUp(InProcess(), recorded);
  EXPECT_EQ(read.events.size(), 5u);

  v1::SubscribeRequest policies = After(0);
  policies.add_event_types("casework.v1.PolicyPublished");
  read = ReadFeedUntilCaughtUp(InProcess(), policies);
  ASSERT_EQ(read.events.size(), 1u);
  EXPECT_EQ(read.events[0].stream(), "partnerships/eastbrook/policy/current");

  // A filter nothing matches still learns how far it got.
  v1::SubscribeRequest elsewhere = After(0);
  elsewhere.set_partnership("partnerships/westmoor");
  read = ReadFeedUntilCaughtUp(InProcess(), elsewhere);
  EXPECT_THAT(read.events, IsEmpty());
  ASSERT_EQ(read.checkpoints.size(), 1u);
  EXPECT_EQ(read.checkpoints[0].position(), head);
}

TEST_F(FeedTest, AnInvalidRequestNamesEveryFieldAndRule) {
  v1::SubscribeRequest request;
  request.set_partnership("eastbrook");
  request.add_stream_types("complaints");
  request.add_stream_types("cases");
  request.add_event_types("ComplaintRecorded");
  request.set_checkpoint_interval(100001);
  FeedRead read = ReadFeedUntilCaughtUp(InProcess(), request);
  EXPECT_EQ(read.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::optional<v1::BadRequest> details =
      casework::testing::DetailOf<v1::BadRequest>(read.status);
  ASSERT_TRUE(details.has_value());
  std::vector<std::string> violations;
  for (const v1::FieldViolation& v : details->violations()) {
    violations.push_back(absl::StrCat(v.field(), " ", v.rule()));
  }
  EXPECT_THAT(violations, ElementsAre("partnership format", "stream_types[1] enum",
                                      "event_types[0] format", "checkpoint_interval range"));
  EXPECT_THAT(read.status.error_message(), ::testing::HasSubstr("caseReviews"));

  // A role the method does not allow.
  read = ReadFeedUntilCaughtUp(InProcess(), After(0), "eastbrook-council", "u-1", "admin");
  EXPECT_EQ(read.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

class FeedCapTest : public FeedTest {
 protected:
  void SetUp() override {
    feed_options_.max_subscriptions = 3;
    feed_options_.max_subscriptions_per_caller = 2;
    FeedTest::SetUp();
  }

  // The refusal of one subscription more, by `user`: its message.
  std::string Refusal(const std::string& user) {
    FeedRead read = ReadFeedUntilCaughtUp(InProcess(), After(0), "eastbrook-council", user);
    EXPECT_EQ(read.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    std::optional<v1::ErrorInfo> info = casework::testing::DetailOf<v1::ErrorInfo>(read.status);
    EXPECT_TRUE(info.has_value() && info->reason() == "TOO_MANY_SUBSCRIPTIONS");
    return read.status.error_message();
  }
};

TEST_F(FeedCapTest, SubscriptionsPastTheCapsAreRefused) {
  auto stub = v1::EventService::NewStub(InProcess());
  grpc::ClientContext first, second, other;
  casework::testing::SetIdentity(first, "eastbrook-council", "u-1", "caseworker");
  casework::testing::SetIdentity(second, "eastbrook-council", "u-1", "caseworker");
  casework::testing::SetIdentity(other, "eastbrook-council", "u-2", "caseworker");
  auto a = stub->Subscribe(&first, After(0));
  auto b = stub->Subscribe(&second, After(0));
  v1::SubscribeResponse message;
  ASSERT_TRUE(a->Read(&message));
  ASSERT_TRUE(b->Read(&message));

  // A third for the same caller: its own cap.
  EXPECT_THAT(Refusal("u-1"), ::testing::HasSubstr("this caller already has 2 subscriptions"));
  // Another caller is served, up to the server's cap.
  auto c = stub->Subscribe(&other, After(0));
  ASSERT_TRUE(c->Read(&message));
  ASSERT_EQ(server_->feed().active(), 3);
  EXPECT_THAT(Refusal("u-3"), ::testing::HasSubstr("maximum of 3 subscriptions"));

  first.TryCancel();
  EXPECT_EQ(a->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // Once one has ended on the server too, its caller is served again.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (server_->feed().active() == 3 && absl::Now() < give_up) std::this_thread::yield();
  ASSERT_EQ(server_->feed().active(), 2);
  FeedRead again = ReadFeedUntilCaughtUp(InProcess(), After(0));
  EXPECT_TRUE(again.status.ok()) << again.status.error_message();
  second.TryCancel();
  b->Finish();
  other.TryCancel();
  c->Finish();
}

TEST_F(FeedTest, AReaderThatStopsReadingHoldsNeitherWritersNorMemory) {
  std::unique_ptr<OpenFeed> feed = Open(0);
  v1::SubscribeResponse message;
  ASSERT_TRUE(feed->reader->Read(&message));

  // Commands go on while the subscriber reads nothing (each is
  // acknowledged: Record asserts it).
  RecordComplaints(1, 300);
  const std::vector<v1::EventEnvelope> log = WholeLog();

  // Reading again, it gets everything, in order, from where it was.
  std::vector<uint64_t> seen;
  if (message.has_event()) seen.push_back(message.event().global_position());
  while (feed->reader->Read(&message)) {
    if (message.has_event()) seen.push_back(message.event().global_position());
    if (message.has_checkpoint() &&
        message.checkpoint().position() == log.back().global_position()) {
      break;
    }
  }
  EXPECT_THAT(seen, ElementsAreArray(Positions(log)));
  feed->context.TryCancel();
  feed->reader->Finish();
}

TEST_F(FeedTest, ShutdownEndsSubscriptionsWithAStatusToResumeOn) {
  RecordComplaints(1, 3);
  std::unique_ptr<OpenFeed> feed = Open(0);
  const uint64_t last = ReadToHead(*feed->reader);
  ASSERT_GT(last, 0u);
  // The restart stops this server while the subscriber waits at the head.
  std::thread restart([this] { Restart(); });
  v1::SubscribeResponse message;
  EXPECT_FALSE(feed->reader->Read(&message));
  grpc::Status status = feed->reader->Finish();
  // Closing the connection lets the stopping server finish at once.
  feed.reset();
  restart.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  std::optional<v1::ErrorInfo> info = casework::testing::DetailOf<v1::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "SERVER_SHUTTING_DOWN");

  // Resumed on the restarted server: what was written since, nothing else.
  RecordComplaints(4, 2);
  FeedRead resumed = ReadFeedUntilCaughtUp(InProcess(), After(last));
  ASSERT_TRUE(resumed.status.ok()) << resumed.status.error_message();
  std::vector<uint64_t> expected;
  for (const v1::EventEnvelope& e : WholeLog()) {
    if (e.global_position() > last) expected.push_back(e.global_position());
  }
  EXPECT_EQ(expected.size(), 2u);
  EXPECT_THAT(Positions(resumed.events), ElementsAreArray(expected));
}

}  // namespace
}  // namespace casework::services
