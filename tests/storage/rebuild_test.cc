// What the fold of the whole log (ComputeDerived, behind --verify and
// --rebuild) finds wrong in a damaged log: the first fault in log order,
// by name, and the envelopes' problems in log order.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rebuild.h"
#include "tests/storage/engine_fixture.h"

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

}  // namespace
}  // namespace casework::storage
