// What the fold of the whole log (ComputeDerived, behind --verify and
// --rebuild) finds wrong in a damaged log: the first fault in log order,
// by name, and the envelopes' problems in log order. And the rows it
// derives: in key order, the last of each key.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "casework/v1/actions.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rebuild.h"
#include "tests/storage/engine_fixture.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/definition.h"
#include "workflow/kernel/registry.h"

namespace casework::storage {
namespace {

class RebuildTest : public EngineTest {
 protected:
  // Eight actions of three events each (created, deadline set, one note).
  void SetUp() override {
    EngineTest::SetUp();
    for (int i = 1; i <= 8; ++i) {
      const std::string name = Create(absl::StrCat("c-", i)).action().name();
      ActionOutcome out = RunAction(*engine_, ProgressRequest(absl::StrCat("n-", i), name));
      ASSERT_TRUE(out.response.ok()) << out.response.status();
      actions_.push_back(name);
    }
    engine_.reset();
  }

  // Appends a copy of `stream`'s note event at `position` as its event
  // `version`, recording `policy_version`.
  void AppendNote(const std::string& stream, uint64_t position, int64_t version,
                  int64_t policy_version = 0) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> events = store_->ReadStream(stream, 3, 1);
    ASSERT_TRUE(events.ok() && events->size() == 1u) << events.status();
    v1::EventEnvelope event = (*events)[0];
    event.set_global_position(position);
    event.set_stream_version(version);
    event.set_policy_version(policy_version);
    StoreBatch batch = store_->NewBatch();
    batch.PutEvent(event);
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  std::vector<std::string> actions_;
};

TEST_F(RebuildTest, TheFirstFaultInLogOrderIsReported) {
  // Each action jumps a version, the first at position 25, the last at 32:
  // the first is reported.
  for (size_t i = 0; i < actions_.size(); ++i) {
    AppendNote(actions_[i], 25 + i, 5);
  }
  absl::StatusOr<Derived> derived = ComputeDerived(*store_, absl::UTCTimeZone());
  EXPECT_EQ(derived.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(derived.status().message(),
            absl::StrCat("stream ", actions_[0], " jumps from version 3 to 5"));
}

TEST_F(RebuildTest, AFaultBeforeAGapIsReportedBeforeTheGap) {
  AppendNote(actions_[3], 25, 5);
  AppendNote(actions_[4], 27, 4);  // position 26 is missing
  absl::StatusOr<Derived> derived = ComputeDerived(*store_, absl::UTCTimeZone());
  EXPECT_EQ(derived.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(derived.status().message(),
            absl::StrCat("stream ", actions_[3], " jumps from version 3 to 5"));

  // Without the fault, the gap.
  AppendNote(actions_[3], 25, 4);
  derived = ComputeDerived(*store_, absl::UTCTimeZone());
  EXPECT_EQ(derived.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(derived.status().message(), "log gap: expected position 26, found 27");
}

TEST_F(RebuildTest, EnvelopeProblemsAreListedInLogOrder) {
  // Every action records a policy version it is not pinned to, in reverse
  // order of the actions.
  std::vector<std::string> expected;
  for (size_t i = 0; i < actions_.size(); ++i) {
    const std::string& stream = actions_[actions_.size() - 1 - i];
    AppendNote(stream, 25 + i, 4, 7);
    expected.push_back(absl::StrCat("event ", 25 + i, " of ", stream,
                                    " records policy version 7, its case is pinned to 0"));
  }
  absl::StatusOr<Derived> derived = ComputeDerived(*store_, absl::UTCTimeZone());
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_EQ(derived->events, 32u);
  EXPECT_EQ(derived->streams.size(), 8u);
  EXPECT_EQ(derived->event_problems, expected);
}

// A test-only workflow whose notes each imply the row "memos/{number}/latest"
// (so a key is implied again by each note), and whose state implies
// "memos/{number}/title".
constexpr workflow::CommandName<v1::CreateActionRequest> kOpenMemo{"Open"};

const workflow::Workflow& Memos() {
  static const workflow::Workflow* w = [] {
    workflow::Definition<v1::Action> d({"memo", "memos", 1, "casework.test.MemoService", ""});
    d.StateField(&v1::Action::state);
    d.Transitions({{workflow::kNewState, kOpenMemo.name, {"OPEN"}}});
    d.Create(
        kOpenMemo,
        +[](const v1::Action&, const v1::CreateActionRequest&, const workflow::DecideContext&,
            workflow::Decision&) { return absl::OkStatus(); });
    d.On<v1::ActionCreated>(+[](v1::Action& a, const v1::ActionCreated& e) {
      a.set_name(workflow::FormatResourceName(e.partnership(), "memos", e.number()));
      a.set_title(e.title());
      a.set_state(v1::Action::OPEN);
    });
    d.On<v1::ActionProgressRecorded>(+[](v1::Action&, const v1::ActionProgressRecorded&) {});
    d.Rows(
        +[](absl::string_view stream, const v1::Action& a, std::vector<workflow::Row>* rows) {
          rows->push_back(
              {absl::StrCat("memos/", stream.substr(stream.rfind('/') + 1), "/title"), a.title()});
        },
        {"memos"});
    d.EventRows<v1::ActionProgressRecorded>(
        +[](absl::string_view stream, const v1::ActionProgressRecorded& e, const v1::EventEnvelope&,
            std::vector<workflow::Row>* rows) {
          rows->push_back(
              {absl::StrCat("memos/", stream.substr(stream.rfind('/') + 1), "/latest"), e.note()});
        },
        {"memos"});
    d.Reply(+[](const v1::Action& a, const v1::CommitInfo& commit) {
      v1::ActionResponse r;
      *r.mutable_action() = a;
      *r.mutable_commit() = commit;
      return r;
    });
    return std::move(d).Build();
  }();
  return *w;
}

class FoldTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    engine_.reset();
  }
  // Appends `event` as the next event of memo `number`.
  void Append(int number, const google::protobuf::Message& event) {
    v1::EventEnvelope e;
    e.set_global_position(++position_);
    e.set_stream(absl::StrCat("partnerships/eastbrook/memos/", number));
    e.set_stream_version(++versions_[number]);
    e.mutable_payload()->PackFrom(event);
    StoreBatch batch = store_->NewBatch();
    batch.PutEvent(e);
    ASSERT_TRUE(store_->Write(batch).ok());
  }
  void Open(int number, const std::string& title) {
    v1::ActionCreated e;
    e.set_partnership("eastbrook");
    e.set_number(number);
    e.set_title(title);
    Append(number, e);
  }
  void Note(int number, const std::string& note) {
    v1::ActionProgressRecorded e;
    e.set_note(note);
    Append(number, e);
  }

  uint64_t position_ = 0;
  std::map<int, int64_t> versions_;
};

TEST_F(FoldTest, RowsComeInKeyOrderWithTheLastOfEachKey) {
  const workflow::Registry registry({&Memos()});
  // Memos opened out of key order, their notes interleaved.
  Open(3, "third");
  Open(12, "twelfth");
  Note(3, "a");
  Note(12, "b");
  Note(3, "c");
  Open(1, "first");
  Note(12, "d");
  Note(3, "e");
  absl::StatusOr<Derived> derived = ComputeDerived(*store_, absl::UTCTimeZone(), registry);
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_EQ(derived->events, 8u);
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Derived::Row& row : derived->rows) rows.emplace_back(row.key, row.value);
  EXPECT_THAT(rows, ::testing::ElementsAre(std::make_pair("memos/1/title", "first"),
                                           std::make_pair("memos/12/latest", "d"),
                                           std::make_pair("memos/12/title", "twelfth"),
                                           std::make_pair("memos/3/latest", "e"),
                                           std::make_pair("memos/3/title", "third")));
}

}  // namespace
}  // namespace casework::storage
