// The command engine and its callers' threads: optimistic concurrency,
// group commit, unary calls that write their own group on an idle engine,
// and stopping.
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/rebuild.h"
#include "tests/storage/engine_fixture.h"

namespace casework::storage {
namespace {

using ::testing::ElementsAre;

TEST_F(EngineTest, ConcurrentAppendsAtTheSameExpectedVersionExactlyOneWins) {
  const std::string name = Create("r-create").action().name();
  for (int round = 0; round < 40; ++round) {
    const int64_t version = 2 + round;
    std::mutex mu;
    std::condition_variable cv;
    bool go = false;
    ActionOutcome outcomes[2];
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        v1::RecordProgressRequest request =
            ProgressRequest(absl::StrCat("race-", round, "-", t), name);
        request.set_expected_version(version);
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return go; });
        }
        outcomes[t] = RunAction(*engine_, request);
      });
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      go = true;
    }
    cv.notify_all();
    for (std::thread& t : threads) t.join();

    int winners = 0;
    for (const ActionOutcome& o : outcomes) {
      if (o.response.ok()) {
        ++winners;
        EXPECT_EQ(o.response->commit().last_version(), version + 1);
        continue;
      }
      EXPECT_EQ(o.response.status().code(), absl::StatusCode::kAborted) << o.response.status();
      std::optional<v1::VersionConflict> conflict = DetailOf<v1::VersionConflict>(o.response.status());
      ASSERT_TRUE(conflict.has_value());
      EXPECT_EQ(conflict->stream(), name);
      EXPECT_EQ(conflict->expected_version(), version);
      EXPECT_EQ(conflict->actual_version(), version + 1);
    }
    EXPECT_EQ(winners, 1) << "round " << round;
  }
  EXPECT_EQ(*store_->StreamVersion(name), 42);
}

TEST_F(EngineTest, ConcurrentCommandsShareSyncedWrites) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(RunAction(*engine_, CreateRequest(absl::StrCat("g-", t, "-", i))).response.ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EngineStats stats = engine_->stats();
  EXPECT_EQ(stats.commands, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LT(stats.groups, stats.commands);  // group commit batched some of them
  EXPECT_EQ(store_->LastPosition(), static_cast<uint64_t>(2 * kThreads * kPerThread));
  EXPECT_EQ(*store_->GetSequence("partnerships/eastbrook/actions/"), kThreads * kPerThread);
  EXPECT_THAT(VerifyStore(*store_, absl::UTCTimeZone())->problems, ::testing::IsEmpty());
}

TEST_F(EngineTest, StopAnswersQueuedCommandsThenRefusesNewOnes) {
  const std::string name = Create("r-1").action().name();
  // Commands still queued when Stop is called are finished, not dropped.
  constexpr int kQueued = 20;
  std::mutex mu;
  std::vector<absl::Status> answers;
  for (int i = 0; i < kQueued; ++i) {
    Command c = ProgressCommand(absl::StrCat("q-", i), name);
    c.done = [&](absl::StatusOr<std::string> reply, bool) {
      std::lock_guard<std::mutex> lock(mu);
      answers.push_back(reply.status());
    };
    engine_->Submit(std::move(c));
  }
  engine_->Stop();
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_EQ(answers.size(), static_cast<size_t>(kQueued));
    for (const absl::Status& answer : answers) EXPECT_TRUE(answer.ok()) << answer;
  }
  EXPECT_EQ(store_->LastPosition(), 2u + kQueued);

  ActionOutcome refused = RunAction(*engine_, ProgressRequest("r-2", name));
  EXPECT_EQ(refused.response.status().code(), absl::StatusCode::kUnavailable);
  // A unary call is refused at once too, on its own thread.
  Command late = ProgressCommand("r-3", name);
  absl::Status late_answer;
  late.done = [&late_answer](absl::StatusOr<std::string> reply, bool) {
    late_answer = reply.status();
  };
  engine_->SubmitOrRun(std::move(late));
  EXPECT_EQ(late_answer.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->LastPosition(), 2u + kQueued);
}

TEST_F(EngineTest, AUnaryCallOnAnIdleEngineWritesItsGroupAndIsAnsweredOnItsOwnThread) {
  const std::string name = Create("r-1").action().name();
  Command c = ProgressCommand("r-2", name);
  std::optional<absl::StatusOr<std::string>> answer;
  std::thread::id answered_on;
  c.done = [&](absl::StatusOr<std::string> reply, bool) {
    answer = std::move(reply);
    answered_on = std::this_thread::get_id();
  };
  engine_->SubmitOrRun(std::move(c));
  // Durable and answered before SubmitOrRun returned, on this thread.
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(answer->ok()) << answer->status();
  EXPECT_EQ(answered_on, std::this_thread::get_id());
  EXPECT_EQ(History(name), "ActionCreated@1/1 DeadlineSet@2/2 ActionProgressRecorded@3/3");
  EXPECT_EQ(engine_->stats().groups, 2u);

  // An audit entry's rows the same way.
  std::optional<absl::Status> written;
  engine_->SubmitSideWriteOrRun(SideWrite{
      [](StoreBatch& batch, absl::Time) { batch.PutRow("audit/test/1", "entry"); },
      [&written](absl::Status status) { written = status; }});
  ASSERT_TRUE(written.has_value());
  EXPECT_TRUE(written->ok()) << *written;
  EXPECT_THAT(RowKeys("audit/test/"), ElementsAre("audit/test/1"));
}

TEST_F(EngineTest, AUnaryCallWhileAGroupIsBeingWrittenOnlyQueues) {
  const std::string name = Create("r-1").action().name();
  // The writer thread stages rows of a group and waits there until released.
  std::promise<void> staging;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<absl::Status> side_written;
  engine_->SubmitSideWrite(SideWrite{
      [&staging, released](StoreBatch& batch, absl::Time) {
        batch.PutRow("audit/test/1", "entry");
        staging.set_value();
        released.wait();
      },
      [&side_written](absl::Status status) { side_written.set_value(status); }});
  staging.get_future().wait();

  Command c = ProgressCommand("r-2", name);
  std::promise<std::pair<absl::Status, std::thread::id>> answer;
  c.done = [&answer](absl::StatusOr<std::string> reply, bool) {
    answer.set_value({reply.status(), std::this_thread::get_id()});
  };
  std::future<std::pair<absl::Status, std::thread::id>> answered = answer.get_future();
  engine_->SubmitOrRun(std::move(c));  // returns: it only queued the command
  EXPECT_EQ(answered.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(engine_->queued(), 1u);

  release.set_value();
  EXPECT_TRUE(side_written.get_future().get().ok());
  const auto [status, thread] = answered.get();
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_NE(thread, std::this_thread::get_id());  // the completion thread answered it
  EXPECT_EQ(History(name), "ActionCreated@1/1 DeadlineSet@2/2 ActionProgressRecorded@3/3");
}

TEST_F(EngineTest, UnaryCallsFromManyThreadsWriteOneGroupAtATime) {
  const std::string name = Create("r-1").action().name();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Command c = ProgressCommand(absl::StrCat("u-", t, "-", i), name);
        std::promise<absl::Status> answer;
        c.done = [&answer](absl::StatusOr<std::string> reply, bool) {
          answer.set_value(reply.status());
        };
        std::future<absl::Status> answered = answer.get_future();
        engine_->SubmitOrRun(std::move(c));
        if (!answered.get().ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // Every command on the one stream, each version and position once.
  EXPECT_EQ(*store_->StreamVersion(name), 2 + kThreads * kPerThread);
  EXPECT_EQ(store_->LastPosition(), static_cast<uint64_t>(2 + kThreads * kPerThread));
  EXPECT_EQ(engine_->stats().commands, static_cast<uint64_t>(1 + kThreads * kPerThread));
  EXPECT_THAT(VerifyStore(*store_, absl::UTCTimeZone())->problems, ::testing::IsEmpty());
}

}  // namespace
}  // namespace casework::storage
