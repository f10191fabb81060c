// The command engine on a real RocksDB directory: events and rows in one
// write, envelopes, typed refusals, cold start, sticky write errors and
// rebuilds. Retries are in engine_retry_test.cc, concurrent callers, group
// commit and stopping in engine_threads_test.cc.
#include <map>
#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/keys.h"
#include "storage/rebuild.h"
#include "tests/storage/engine_fixture.h"

namespace casework::storage {
namespace {

using ::testing::ElementsAre;

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
  // Those of the stored rows in key order, then the missing ones in key
  // order.
  EXPECT_THAT(problems, ::testing::ElementsAre(
                            "row value differs: " + altered,
                            "row not implied by the log: actions/eastbrook/state/OPEN/999",
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

TEST_F(EngineTest, VerifyNamesTimersMissingAndNotImpliedAndRebuildRestoresThem) {
  for (int i = 0; i < 3; ++i) Create(absl::StrCat("t-", i));
  engine_.reset();
  absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> timers =
      store_->AllTimers();
  ASSERT_TRUE(timers.ok()) << timers.status();
  ASSERT_EQ(timers->size(), 3u);  // each action's deadline
  // The first and last timers lost, one the log does not imply planted
  // between the others.
  std::map<std::string, internal::TimerRecord> damaged;
  damaged.insert((*timers)[1]);
  internal::TimerRecord planted = (*timers)[1].second;
  planted.set_stream("partnerships/eastbrook/actions/99");
  damaged.emplace((*timers)[1].first + "~", planted);
  ASSERT_TRUE(store_->ReplaceTimers(damaged).ok());
  auto name = [](const internal::TimerRecord& r) {
    return absl::StrCat(r.stream(), "#", r.name(), "@", r.generation());
  };
  EXPECT_THAT(VerifyStore(*store_, absl::UTCTimeZone())->problems,
              ::testing::ElementsAre("timer not implied by the log: " + name(planted),
                                     "timer missing: " + name((*timers)[0].second),
                                     "timer missing: " + name((*timers)[2].second)));

  ASSERT_TRUE(RebuildDerived(*store_, absl::UTCTimeZone()).ok());
  EXPECT_THAT(VerifyStore(*store_, absl::UTCTimeZone())->problems, ::testing::IsEmpty());
  EXPECT_EQ(store_->AllTimers()->size(), 3u);
}

// A rebuild leaves the state records as the engine would have: one at the
// last version of each stream at least kStateRecordInterval events long,
// none for a shorter stream (loading folds it whole) and none for a stream
// the log does not hold.
TEST_F(EngineTest, RebuildWritesTheStateRecordsTheEngineWould) {
  const std::string busy = Create("r-busy").action().name();
  const std::string quiet = Create("r-quiet").action().name();
  for (int n = 0; n < 40; ++n) {
    ActionOutcome out = RunAction(*engine_, ProgressRequest(absl::StrCat("n-", n), busy));
    ASSERT_TRUE(out.response.ok()) << out.response.status();
  }
  engine_.reset();
  // A record of the quiet stream at a version it never had, and one of a
  // stream the log does not hold.
  internal::StateRecord planted;
  planted.set_aggregate("action");
  planted.set_version(1);
  planted.set_state("not a state");
  StoreBatch batch = store_->NewBatch();
  batch.PutState(quiet, planted);
  batch.PutState("partnerships/eastbrook/actions/99", planted);
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_THAT(VerifyStore(*store_, absl::UTCTimeZone())->problems, ::testing::SizeIs(1));

  ASSERT_TRUE(RebuildDerived(*store_, absl::UTCTimeZone()).ok());
  EXPECT_THAT(VerifyStore(*store_, absl::UTCTimeZone())->problems, ::testing::IsEmpty());
  absl::StatusOr<std::optional<internal::StateRecord>> record = store_->GetState(busy);
  ASSERT_TRUE(record.ok() && record->has_value()) << record.status();
  EXPECT_EQ((*record)->version(), 42);  // created, deadline set, 40 notes
  for (const std::string& none : {quiet, std::string("partnerships/eastbrook/actions/99")}) {
    record = store_->GetState(none);
    ASSERT_TRUE(record.ok()) << record.status();
    EXPECT_FALSE(record->has_value()) << none;
  }
  Reopen();
  ActionOutcome out = RunAction(*engine_, ProgressRequest("r-after", quiet));
  ASSERT_TRUE(out.response.ok()) << out.response.status();
  EXPECT_EQ(out.response->commit().last_version(), 3);
}

// A rebuild writes in many batches, and the directory says its derived
// data is to be rebuilt until the last: one left half done by a crash (the
// format reads 0, rows damaged) is rebuilt by the next start's upgrade, and
// a finished rebuild records the current format.
TEST_F(EngineTest, HalfDoneRebuildIsRedoneByTheNextStart) {
  for (int i = 0; i < 5; ++i) Create(absl::StrCat("r-", i));
  engine_.reset();
  ASSERT_TRUE(MarkDerivedStale(*store_).ok());
  ASSERT_TRUE(store_->ReplaceRows("actions/eastbrook/state/", {}).ok());
  EXPECT_EQ(*DerivedFormat(*store_), 0);
  EXPECT_EQ(*UpgradeDerived(*store_, absl::UTCTimeZone()), true);
  EXPECT_EQ(*DerivedFormat(*store_), kDerivedFormat);
  EXPECT_THAT(VerifyStore(*store_, absl::UTCTimeZone())->problems, ::testing::IsEmpty());
  EXPECT_EQ(RowKeys("actions/eastbrook/state/").size(), 5u);

  ASSERT_TRUE(MarkDerivedStale(*store_).ok());
  ASSERT_TRUE(RebuildDerived(*store_, absl::UTCTimeZone()).ok());
  EXPECT_EQ(*DerivedFormat(*store_), kDerivedFormat);
  EXPECT_EQ(*UpgradeDerived(*store_, absl::UTCTimeZone()), false);
}

}  // namespace
}  // namespace casework::storage
