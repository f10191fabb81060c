// The command engine on a real RocksDB directory: events, rows, idempotency,
// optimistic concurrency, group commit, cold start and sticky write errors.
#include "storage/engine.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rebuild.h"
#include "tests/support/engine_harness.h"
#include "tests/support/test_support.h"
#include "tests/support/widget_workflow.h"
#include "storage/keys.h"
#include "workflow/actions/commands.h"

namespace casework::storage {
namespace {

using ::casework::testing::ActionOutcome;
using ::casework::testing::ActionRequest;
using ::casework::testing::AsActionRequest;
using ::casework::testing::CreateRequest;
using ::casework::testing::DetailOf;
using ::casework::testing::ProgressRequest;
using ::casework::testing::RunAction;
using ::casework::testing::TestCalendar;
using ::testing::ElementsAre;

const absl::Time kStart = absl::FromCivil(absl::CivilSecond(2026, 11, 2, 9, 30, 0), absl::UTCTimeZone());

class EngineTest : public casework::testing::EngineHarness {
 protected:
  EngineTest() : EngineHarness(kStart) {}

  v1::ActionResponse Create(const std::string& request_id) {
    ActionOutcome out = RunAction(*engine_, CreateRequest(request_id));
    EXPECT_TRUE(out.response.ok()) << out.response.status();
    return out.response.ok() ? *out.response : v1::ActionResponse();
  }
  // "ActionCreated@1/1 ActionProgressRecorded@2/2": type@version/position.
  std::string History(const std::string& stream) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> events = store_->ReadStream(stream, 1, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    std::string out;
    for (const v1::EventEnvelope& e : *events) {
      std::string type = e.payload().type_url().substr(e.payload().type_url().rfind('.') + 1);
      absl::StrAppend(&out, out.empty() ? "" : " ", type, "@", e.stream_version(), "/",
                      e.global_position());
    }
    return out;
  }
  // Submits a prepared command and waits for its outcome.
  absl::StatusOr<std::string> Submit(Command command) {
    std::promise<absl::StatusOr<std::string>> promise;
    command.done = [&promise](absl::StatusOr<std::string> reply, bool) {
      promise.set_value(std::move(reply));
    };
    std::future<absl::StatusOr<std::string>> future = promise.get_future();
    engine_->Submit(std::move(command));
    return future.get();
  }
  // A RecordProgress command on `action` by a caseworker, without `done`.
  Command ProgressCommand(const std::string& request_id, const std::string& action) {
    Command c = MakeCommand(
        workflow::actions::ActionWorkflow().Command(workflow::actions::kRecordProgress),
        std::make_shared<const v1::RecordProgressRequest>(ProgressRequest(request_id, action)),
        TestCalendar());
    c.meta.actor.set_agency("eastbrook-council");
    c.meta.actor.set_user("u-test");
    c.meta.actor.set_role("caseworker");
    return c;
  }
  std::vector<std::string> RowKeys(const std::string& prefix) {
    std::vector<std::string> keys;
    absl::StatusOr<std::vector<StoredRow>> rows = store_->ScanRows(prefix, "", 1000);
    EXPECT_TRUE(rows.ok()) << rows.status();
    for (const StoredRow& row : *rows) keys.push_back(row.key);
    return keys;
  }
};

TEST_F(EngineTest, CommandsAppendEventsAndMaintainRowsInTheSameWrite) {
  v1::ActionResponse created = Create("r-1");
  EXPECT_EQ(created.action().name(), "partnerships/eastbrook/actions/1");
  EXPECT_EQ(created.commit().first_position(), 1u);
  EXPECT_EQ(created.action().state(), v1::Action::OPEN);

  ActionOutcome progress =
      RunAction(*engine_, ProgressRequest("r-2", "partnerships/eastbrook/actions/1"));
  ASSERT_TRUE(progress.response.ok()) << progress.response.status();
  EXPECT_EQ(progress.response->commit().first_version(), 3);
  EXPECT_EQ(progress.response->commit().last_position(), 3u);
  EXPECT_EQ(progress.response->action().notes_size(), 0);  // notes are rows now
  EXPECT_EQ(progress.response->action().note_count(), 1);
  EXPECT_EQ(progress.response->action().last_note().author().agency(), "eastbrook-council");

  EXPECT_EQ(History("partnerships/eastbrook/actions/1"),
            "ActionCreated@1/1 DeadlineSet@2/2 ActionProgressRecorded@3/3");
  EXPECT_THAT(RowKeys("deadlines/eastbrook/"),
              ElementsAre("deadlines/eastbrook/running/2026-12-04/"
                          "partnerships/eastbrook/actions/1#complete_by"));
  EXPECT_THAT(RowKeys("actions/eastbrook/"),
              ElementsAre("actions/eastbrook/all/000000000001",
                          "actions/eastbrook/due/2026-12-04/000000000001",
                          "actions/eastbrook/notes/000000000001/000000000003",
                          "actions/eastbrook/owner/eastbrook-homes/000000000001",
                          "actions/eastbrook/state/OPEN/000000000001"));
  // The summary row holds the action itself; the note row, the note.
  v1::Action summary;
  ASSERT_TRUE(summary.ParseFromString(**store_->GetRow("actions/eastbrook/all/000000000001")));
  EXPECT_EQ(summary.SerializeAsString(), progress.response->action().SerializeAsString());
  v1::ProgressNote note;
  ASSERT_TRUE(note.ParseFromString(
      **store_->GetRow("actions/eastbrook/notes/000000000001/000000000003")));
  EXPECT_EQ(note.text(), "Visited, spoke to residents");

  v1::CompleteActionRequest complete;
  complete.set_name("partnerships/eastbrook/actions/1");
  complete.set_request_id("r-3");
  complete.set_note("Visit done with housing");
  ActionOutcome completed = RunAction(*engine_, complete);
  ASSERT_TRUE(completed.response.ok());
  EXPECT_EQ(completed.response->action().deadlines(0).state(), v1::Deadline::MET);
  EXPECT_THAT(RowKeys("deadlines/eastbrook/"), ::testing::IsEmpty());
  // Completing drops the open-by-due-date row and moves the state row; the
  // note stays.
  EXPECT_THAT(RowKeys("actions/eastbrook/"),
              ElementsAre("actions/eastbrook/all/000000000001",
                          "actions/eastbrook/notes/000000000001/000000000003",
                          "actions/eastbrook/owner/eastbrook-homes/000000000001",
                          "actions/eastbrook/state/COMPLETED/000000000001"));
  absl::StatusOr<VerifyReport> report = VerifyStore(*store_, absl::UTCTimeZone());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty());
  EXPECT_EQ(report->events, 5u);
}

TEST_F(EngineTest, EnvelopeCarriesMetadata) {
  // A command without correlation or causation: the correlation id is the
  // request_id, there is no cause and no policy version.
  Create("r-meta");
  std::vector<v1::EventEnvelope> events = *store_->ReadLog(1, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].payload().type_url(), "type.googleapis.com/casework.v1.DeadlineSet");
  EXPECT_EQ(events[1].request_id(), "r-meta");
  const v1::EventEnvelope& e = events[0];
  EXPECT_EQ(e.stream(), "partnerships/eastbrook/actions/1");
  EXPECT_EQ(e.stream_version(), 1);
  EXPECT_EQ(e.global_position(), 1u);
  EXPECT_EQ(e.request_id(), "r-meta");
  EXPECT_EQ(e.correlation_id(), "r-meta");
  EXPECT_EQ(e.causation_id(), "");
  EXPECT_EQ(e.policy_version(), 0);
  EXPECT_EQ(e.actor().agency(), "eastbrook-council");
  EXPECT_EQ(e.actor().user(), "u-test");
  EXPECT_EQ(e.actor().role(), "caseworker");
  EXPECT_EQ(e.recorded_time().seconds(), absl::ToUnixSeconds(kStart));
  EXPECT_EQ(e.event_id().size(), 32u);
  EXPECT_EQ(e.payload().type_url(), "type.googleapis.com/casework.v1.ActionCreated");
  EXPECT_EQ(e.event_version(), 0);
  EXPECT_NE(events[1].event_id(), e.event_id());

  // A command carrying every piece of metadata a caller can set: each event
  // it records carries all of it.
  clock_.Advance(absl::Minutes(3));
  v1::CompleteActionRequest complete;
  complete.set_name("partnerships/eastbrook/actions/1");
  complete.set_request_id("r-meta-2");
  complete.set_note("Visit done");
  Command c = MakeCommand(
      workflow::actions::ActionWorkflow().Command(workflow::actions::kCompleteAction),
      std::make_shared<const v1::CompleteActionRequest>(complete), TestCalendar());
  c.meta.actor.set_agency("eastbrook-homes");
  c.meta.actor.set_user("u-officer");
  c.meta.actor.set_role("admin");
  c.meta.correlation_id = "corr-42";
  c.meta.causation_id = "0123456789abcdef0123456789abcdef";
  absl::StatusOr<std::string> reply = Submit(std::move(c));
  ASSERT_TRUE(reply.ok()) << reply.status();

  std::vector<v1::EventEnvelope> later = *store_->ReadLog(3, 10);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].payload().type_url(), "type.googleapis.com/casework.v1.ActionCompleted");
  EXPECT_EQ(later[1].payload().type_url(), "type.googleapis.com/casework.v1.DeadlineMet");
  EXPECT_NE(later[0].event_id(), later[1].event_id());
  for (int i = 0; i < 2; ++i) {
    const v1::EventEnvelope& m = later[i];
    EXPECT_EQ(m.stream(), "partnerships/eastbrook/actions/1");
    EXPECT_EQ(m.stream_version(), 3 + i);
    EXPECT_EQ(m.global_position(), 3u + i);
    EXPECT_EQ(m.request_id(), "r-meta-2");
    EXPECT_EQ(m.correlation_id(), "corr-42");
    EXPECT_EQ(m.causation_id(), "0123456789abcdef0123456789abcdef");
    EXPECT_EQ(m.policy_version(), 0);  // actions are not pinned to a policy
    EXPECT_EQ(m.actor().agency(), "eastbrook-homes");
    EXPECT_EQ(m.actor().user(), "u-officer");
    EXPECT_EQ(m.actor().role(), "admin");
    EXPECT_EQ(m.recorded_time().seconds(), absl::ToUnixSeconds(kStart + absl::Minutes(3)));
    EXPECT_EQ(m.event_id().size(), 32u);
    EXPECT_EQ(m.event_version(), 0);
  }
}

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

TEST_F(EngineTest, IllegalTransitionNamesStateAndAllowedCommands) {
  const std::string name = Create("r-1").action().name();
  v1::CancelActionRequest cancel;
  cancel.set_name(name);
  cancel.set_request_id("r-2");
  cancel.set_reason("Duplicate of action 4");
  ASSERT_TRUE(RunAction(*engine_, cancel).response.ok());

  ActionOutcome late = RunAction(*engine_, ProgressRequest("r-3", name));
  EXPECT_EQ(late.response.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(late.response.status().message(),
            "RecordProgress is not allowed on partnerships/eastbrook/actions/1 in state "
            "CANCELLED; allowed: none");
  std::optional<v1::IllegalTransition> detail =
      DetailOf<v1::IllegalTransition>(late.response.status());
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->current_state(), "CANCELLED");
  EXPECT_EQ(detail->command(), "RecordProgress");
  EXPECT_THAT(detail->allowed_commands(), ::testing::IsEmpty());
  EXPECT_EQ(store_->LastPosition(), 4u);  // created + deadline, cancelled + deadline cancelled
}

TEST_F(EngineTest, CommandOnAMissingStreamIsNotFound) {
  ActionOutcome out = RunAction(*engine_, ProgressRequest("r-1", "partnerships/eastbrook/actions/9"));
  EXPECT_EQ(out.response.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->LastPosition(), 0u);
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

TEST_F(EngineTest, ColdStartLoadsTheStateRecordAndOnlyItsShortTail) {
  // 2000 actions with three events each, and one with 300 events.
  std::vector<ActionRequest> creates;
  for (int i = 1; i <= 2001; ++i) {
    creates.push_back(AsActionRequest(CreateRequest(absl::StrCat("c-", i))));
  }
  for (const ActionOutcome& out : casework::testing::RunActions(*engine_, std::move(creates))) {
    ASSERT_TRUE(out.response.ok()) << out.response.status();
  }
  std::vector<ActionRequest> notes;
  for (int i = 1; i <= 2000; ++i) {
    for (int n = 0; n < 2; ++n) {
      notes.push_back(AsActionRequest(ProgressRequest(
          absl::StrCat("n-", i, "-", n), absl::StrCat("partnerships/eastbrook/actions/", i))));
    }
  }
  const std::string busy = "partnerships/eastbrook/actions/2001";
  for (int n = 1; n < 300; ++n) {
    notes.push_back(AsActionRequest(ProgressRequest(absl::StrCat("b-", n), busy)));
  }
  for (const ActionOutcome& out : casework::testing::RunActions(*engine_, std::move(notes))) {
    ASSERT_TRUE(out.response.ok()) << out.response.status();
  }
  ASSERT_EQ(store_->LastPosition(), 2 * 2001u + 4000u + 299u);

  Reopen();
  EXPECT_EQ(store_->LastPosition(), 8301u);  // the head is found, nothing replayed
  ActionOutcome out = RunAction(*engine_, ProgressRequest("b-last", busy));
  ASSERT_TRUE(out.response.ok());
  EXPECT_EQ(out.response->action().note_count(), 300);
  EXPECT_EQ(out.response->commit().last_version(), 302);
  EXPECT_EQ(out.response->commit().first_position(), 8302u);
  EngineStats stats = engine_->stats();
  EXPECT_EQ(stats.state_loads, 1u);
  // The busy stream's record was rewritten every 32 events: at version 288
  // of 301, so 13 events are folded after it, never the whole history.
  EXPECT_EQ(stats.replayed_events, 13u);
  absl::StatusOr<std::optional<internal::StateRecord>> record = store_->GetState(busy);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->version(), 288);
  // The short streams (4 events) never needed a record.
  record = store_->GetState("partnerships/eastbrook/actions/1");
  ASSERT_TRUE(record.ok());
  EXPECT_FALSE(record->has_value());
}

TEST_F(EngineTest, InjectedWriteFailureDisablesWritesButNotReads) {
  Close();
  auto faults = std::make_shared<FaultInjector>();
  Open(faults);
  const std::string name = Create("r-1").action().name();

  faults->FailWrites(true);
  ActionOutcome failed = RunAction(*engine_, ProgressRequest("r-2", name));
  EXPECT_EQ(failed.response.status().code(), absl::StatusCode::kUnavailable)
      << failed.response.status();
  EXPECT_GT(faults->failures(), 0u);

  // Sticky: even with the disk healthy again, nothing more is acknowledged.
  faults->FailWrites(false);
  ActionOutcome after = RunAction(*engine_, CreateRequest("r-3"));
  EXPECT_EQ(after.response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->write_status().code(), absl::StatusCode::kUnavailable);

  // Reads keep working and show only what was acknowledged.
  EXPECT_EQ(History(name), "ActionCreated@1/1 DeadlineSet@2/2");
  absl::StatusOr<LoadedState> state = LoadState(*store_, workflow::actions::ActionWorkflow(), name);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->version, 2);

  // A restart recovers: the failed command is absent and writes work again.
  Reopen();
  EXPECT_EQ(History(name), "ActionCreated@1/1 DeadlineSet@2/2");
  ActionOutcome retried = RunAction(*engine_, ProgressRequest("r-2", name));
  ASSERT_TRUE(retried.response.ok()) << retried.response.status();
  EXPECT_FALSE(retried.replayed);
  EXPECT_EQ(History(name), "ActionCreated@1/1 DeadlineSet@2/2 ActionProgressRecorded@3/3");
}

TEST_F(EngineTest, RebuildRestoresDamagedReadModels) {
  for (int i = 0; i < 5; ++i) Create(absl::StrCat("r-", i));
  ASSERT_TRUE(store_->ReplaceRows("actions/eastbrook/state/", {{"actions/eastbrook/state/OPEN/999", ""}}).ok());
  // One summary row altered in place.
  const std::vector<std::string> summaries = RowKeys("actions/eastbrook/all/");
  ASSERT_EQ(summaries.size(), 5u);
  const std::string altered = summaries[1];
  ASSERT_TRUE(store_->ReplaceRows(altered, {{altered, "not the summary"}}).ok());
  std::vector<std::string> problems = VerifyStore(*store_, absl::UTCTimeZone())->problems;
  EXPECT_THAT(problems, ::testing::UnorderedElementsAre(
                            "row not implied by the log: actions/eastbrook/state/OPEN/999",
                            "row value differs: " + altered,
                            "row missing: actions/eastbrook/state/OPEN/000000000001",
                            "row missing: actions/eastbrook/state/OPEN/000000000002",
                            "row missing: actions/eastbrook/state/OPEN/000000000003",
                            "row missing: actions/eastbrook/state/OPEN/000000000004",
                            "row missing: actions/eastbrook/state/OPEN/000000000005"));

  engine_.reset();
  ASSERT_TRUE(RebuildDerived(*store_, absl::UTCTimeZone()).ok());
  EXPECT_THAT(VerifyStore(*store_, absl::UTCTimeZone())->problems, ::testing::IsEmpty());
  EXPECT_EQ(RowKeys("actions/eastbrook/state/").size(), 5u);
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
