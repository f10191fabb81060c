// The command engine's idempotency: retries answered from their request
// record (also after reopening, inside one group, after the stream moved
// on), a request id reused for another request, and a group abandoned after
// an internal error, whose partners are told to retry.
#include <optional>
#include <thread>

#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/keys.h"
#include "tests/storage/engine_fixture.h"
#include "tests/support/widget_workflow.h"

namespace casework::storage {
namespace {

TEST_F(EngineTest, RetriedRequestReturnsTheOriginalResultAlsoAfterReopening) {
  Create("r-other");
  ActionOutcome first = RunAction(*engine_, CreateRequest("r-once"));
  ASSERT_TRUE(first.response.ok());
  EXPECT_FALSE(first.replayed);
  EXPECT_EQ(first.response->commit().first_position(), 3u);

  clock_.Advance(absl::Minutes(5));
  ActionOutcome retry = RunAction(*engine_, CreateRequest("r-once"));
  ASSERT_TRUE(retry.response.ok());
  EXPECT_TRUE(retry.replayed);
  EXPECT_EQ(retry.response->SerializeAsString(), first.response->SerializeAsString());

  Reopen();
  ActionOutcome after_restart = RunAction(*engine_, CreateRequest("r-once"));
  ASSERT_TRUE(after_restart.response.ok());
  EXPECT_TRUE(after_restart.replayed);
  EXPECT_EQ(after_restart.response->commit().first_position(), 3u);
  EXPECT_EQ(after_restart.response->commit().stream(), "partnerships/eastbrook/actions/2");
  EXPECT_EQ(after_restart.response->SerializeAsString(), first.response->SerializeAsString());
  // Nothing was written twice.
  EXPECT_EQ(store_->LastPosition(), 4u);
  EXPECT_EQ(*store_->GetSequence("partnerships/eastbrook/actions/"), 2);
}

TEST_F(EngineTest, ARetryAfterTheStreamMovedOnKeepsItsCommitAndShowsTheStateNow) {
  ActionOutcome first = RunAction(*engine_, CreateRequest("r-1"));
  ASSERT_TRUE(first.response.ok());
  const std::string name = first.response->action().name();
  ASSERT_TRUE(RunAction(*engine_, ProgressRequest("r-2", name)).response.ok());
  ActionOutcome retry = RunAction(*engine_, CreateRequest("r-1"));
  ASSERT_TRUE(retry.response.ok()) << retry.response.status();
  EXPECT_TRUE(retry.replayed);
  EXPECT_EQ(retry.response->commit().SerializeAsString(),
            first.response->commit().SerializeAsString());
  EXPECT_EQ(retry.response->action().version(), 3);
  // The request record keeps what the command wrote, not a copy of the reply.
  absl::StatusOr<std::optional<internal::RequestRecord>> record =
      store_->GetRequest(keys::RequestKey("eastbrook-council", "r-1"));
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->reply(), "");
  EXPECT_EQ((*record)->method(), "casework.v1.ActionService/CreateAction");
  EXPECT_EQ((*record)->stream(), name);
  EXPECT_EQ((*record)->first_version(), 1);
  EXPECT_EQ((*record)->last_version(), 2);
  EXPECT_EQ((*record)->first_position(), 1u);
  EXPECT_EQ((*record)->last_position(), 2u);
  EXPECT_EQ(store_->LastPosition(), 3u);
}

TEST_F(EngineTest, AnInternalErrorAbandonsItsGroupAndItsPartnersAreToldToRetry) {
  // A widget workflow whose table says Finish lands in CANCELLED while its
  // applier makes it COMPLETED: a bug found only after folding.
  std::unique_ptr<const workflow::Workflow> widgets = testing::Widgets("CANCELLED");
  testing::EngineOutcome made = testing::RunCommand(
      *engine_, widgets->Command(testing::kMakeWidget),
      std::make_shared<const v1::CreateActionRequest>(testing::MakeWidget("w-1")));
  ASSERT_TRUE(made.reply.ok()) << made.reply.status();
  const uint64_t head = store_->LastPosition();
  const std::string widget = "partnerships/eastbrook/widgets/1";
  const workflow::CommandType& create =
      workflow::actions::ActionWorkflow().Command(workflow::actions::kCreateAction);
  std::vector<testing::EngineOutcome> outcomes = testing::RunCommands(
      *engine_, {{&create, AsActionRequest(CreateRequest("a-1"))},
                 {&widgets->Command(testing::kFinishWidget),
                  std::make_shared<const v1::CompleteActionRequest>(
                      testing::FinishWidget("w-2", widget))}});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[1].reply.status(),
            absl::InternalError("Finish on partnerships/eastbrook/widgets/1 in state OPEN left it "
                                "in state COMPLETED, which the transition table does not allow "
                                "(allowed: CANCELLED); nothing was written"));
  EXPECT_EQ(outcomes[0].reply.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->LastPosition(), head);
  EXPECT_EQ(engine_->stats().aborted_groups, 1u);

  // The widget's state folded in place was dropped, not kept half changed:
  // the same command meets the same OPEN widget (not a COMPLETED one).
  testing::EngineOutcome again = testing::RunCommand(
      *engine_, widgets->Command(testing::kFinishWidget),
      std::make_shared<const v1::CompleteActionRequest>(testing::FinishWidget("w-3", widget)));
  EXPECT_EQ(again.reply.status().code(), absl::StatusCode::kInternal);
  // The partner's retry goes through.
  ActionOutcome retried = RunAction(*engine_, CreateRequest("a-1"));
  ASSERT_TRUE(retried.response.ok()) << retried.response.status();
  EXPECT_FALSE(retried.replayed);
  EXPECT_EQ(retried.response->commit().first_position(), head + 1);
}

TEST_F(EngineTest, RetriesInsideOneGroupAreAnsweredOnce) {
  std::vector<std::thread> threads;
  std::vector<ActionOutcome> outcomes(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] { outcomes[t] = RunAction(*engine_, CreateRequest("same-id")); });
  }
  for (std::thread& t : threads) t.join();
  int originals = 0;
  for (const ActionOutcome& o : outcomes) {
    ASSERT_TRUE(o.response.ok()) << o.response.status();
    EXPECT_EQ(o.response->commit().first_position(), 1u);
    if (!o.replayed) ++originals;
  }
  EXPECT_EQ(originals, 1);
  EXPECT_EQ(store_->LastPosition(), 2u);
}

TEST_F(EngineTest, RequestIdReusedForADifferentRequestIsRefused) {
  Create("r-1");
  ActionOutcome reused = RunAction(*engine_, CreateRequest("r-1", "eastbrook", "Another title"));
  EXPECT_EQ(reused.response.status().code(), absl::StatusCode::kInvalidArgument);
  std::optional<v1::RequestIdReused> detail = DetailOf<v1::RequestIdReused>(reused.response.status());
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->request_id(), "r-1");
  EXPECT_EQ(detail->original_method(), "casework.v1.ActionService/CreateAction");
  EXPECT_EQ(store_->LastPosition(), 2u);
}

}  // namespace
}  // namespace casework::storage
