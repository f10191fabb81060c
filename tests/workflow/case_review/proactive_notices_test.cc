// Golden tests of the proactive notices a new complaint raises for its
// complainant (workflow/case_review/threshold.h). Dates are in 2026 unless
// said otherwise.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/workflow/case_review/ledger_entries.h"
#include "workflow/case_review/threshold.h"

namespace casework::workflow::case_review {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "<KIND> <complaint> <complainant>: <reason>".
std::vector<std::string> Render(const std::vector<v1::Notice>& notices) {
  std::vector<std::string> out;
  for (const v1::Notice& n : notices) {
    out.push_back(absl::StrCat(v1::Notice::Kind_Name(n.kind()), " ", n.complaint(), " ",
                               n.complainant_reference(), ": ", n.reason(),
                               n.acknowledged() ? " (acknowledged)" : ""));
  }
  return out;
}

// ---- Proactive notices ----

TEST(ProactiveNoticesTest, SecondComplaintExplainsOnceThirdReachesTheThreshold) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::LedgerEntry first =
      Entry(1, "cmp-1", D(2026, 6, 1), D(2026, 6, 1), v1::POLICE, "INC-1");
  const v1::LedgerEntry second =
      Entry(2, "cmp-1", D(2026, 7, 1), D(2026, 7, 1), v1::COUNCIL, "INC-2");
  const v1::LedgerEntry third =
      Entry(3, "cmp-1", D(2026, 8, 1), D(2026, 8, 1), v1::COUNCIL, "INC-3");
  const v1::LedgerEntry fourth =
      Entry(4, "cmp-1", D(2026, 9, 1), D(2026, 9, 1), v1::COUNCIL, "INC-4");

  EXPECT_THAT(ProactiveNotices(policy, {}, first), IsEmpty());
  EXPECT_THAT(Render(ProactiveNotices(policy, {first}, second)),
              ElementsAre("EXPLAIN_CASE_REVIEW partnerships/eastbrook/complaints/2 cmp-1: "
                          "2 complaints in the window to 2026-07-01: explain the case "
                          "review"));
  EXPECT_THAT(Render(ProactiveNotices(policy, {first, second}, third)),
              ElementsAre("THRESHOLD_REACHED partnerships/eastbrook/complaints/3 cmp-1: "
                          "3 complaints in the window to 2026-08-01 (policy needs 3): "
                          "threshold reached (R1), direct the victim to the case review"));
  EXPECT_THAT(ProactiveNotices(policy, {first, second, third}, fourth), IsEmpty());
}

TEST(ProactiveNoticesTest, SameIncidentAgainRaisesNothing) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::LedgerEntry first =
      Entry(1, "cmp-1", D(2026, 6, 1), D(2026, 6, 1), v1::POLICE, "INC-1");
  const v1::LedgerEntry again =
      Entry(2, "cmp-1", D(2026, 6, 1), D(2026, 6, 2), v1::COUNCIL, "INC-1");
  EXPECT_THAT(ProactiveNotices(policy, {first}, again), IsEmpty());
}

TEST(ProactiveNoticesTest, ASecondComplaintAfterTheFirstLeftTheWindowExplainsNothing) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::LedgerEntry old = Entry(1, "cmp-1", D(2026, 1, 5), D(2026, 1, 5), v1::POLICE, "INC-1");
  const v1::LedgerEntry now = Entry(2, "cmp-1", D(2026, 9, 1), D(2026, 9, 1), v1::COUNCIL, "INC-2");
  EXPECT_THAT(ProactiveNotices(policy, {old}, now), IsEmpty());
}

TEST(ProactiveNoticesTest, FirstHateComplaintReachesTheThreshold) {
  const v1::ThresholdPolicy policy = Llr();
  const v1::LedgerEntry hate =
      Hate(Entry(1, "cmp-1", D(2026, 10, 1), D(2026, 10, 2), v1::POLICE, "INC-1"));
  EXPECT_THAT(Render(ProactiveNotices(policy, {}, hate)),
              ElementsAre("THRESHOLD_REACHED partnerships/eastbrook/complaints/1 cmp-1: "
                          "A hate incident on 2026-10-01 in the window to 2026-10-02: "
                          "threshold reached (R2), direct the victim to the case review"));
  // A second hate incident explains the case review but does not raise the
  // threshold notice again.
  const v1::LedgerEntry again =
      Hate(Entry(2, "cmp-1", D(2026, 10, 20), D(2026, 10, 21), v1::POLICE, "INC-2"));
  EXPECT_THAT(Render(ProactiveNotices(policy, {hate}, again)),
              ElementsAre("EXPLAIN_CASE_REVIEW partnerships/eastbrook/complaints/2 cmp-1: "
                          "2 complaints in the window to 2026-10-21: explain the case "
                          "review"));
}

TEST(ProactiveNoticesTest, BothNoticesWithAThresholdOfTwo) {
  v1::ThresholdPolicy policy = Llr();
  policy.set_complaint_count(2);
  const v1::LedgerEntry first =
      Entry(1, "cmp-1", D(2026, 6, 1), D(2026, 6, 1), v1::POLICE, "INC-1");
  const v1::LedgerEntry second =
      Hate(Entry(2, "cmp-1", D(2026, 7, 1), D(2026, 7, 1), v1::COUNCIL, "INC-2"));
  EXPECT_THAT(Render(ProactiveNotices(policy, {first}, second)),
              ElementsAre("EXPLAIN_CASE_REVIEW partnerships/eastbrook/complaints/2 cmp-1: "
                          "2 complaints in the window to 2026-07-01: explain the case "
                          "review",
                          "THRESHOLD_REACHED partnerships/eastbrook/complaints/2 cmp-1: "
                          "2 complaints in the window to 2026-07-01 (policy needs 2) and a "
                          "hate incident on 2026-07-01: threshold reached (R1, R2), direct "
                          "the victim to the case review"));
}

// Intake reads only the oldest entries of a long window when they already
// rule every notice out: then the whole window must raise none.
TEST(ProactiveNoticesTest, APartOfTheWindowThatRulesNoticesOutHoldsForTheWhole) {
  std::mt19937 rng(20261129);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int ruled_out = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    v1::ThresholdPolicy policy = Llr();
    policy.set_complaint_count(pick(1, 4));
    policy.set_hate_incident_rule(pick(0, 1) == 1);
    const absl::CivilDay today = D(2026, 9, 30);
    auto random_entry = [&](int n) {
      const absl::CivilDay reported = today - pick(0, 240);
      v1::LedgerEntry e = Entry(n, "cmp-1", reported - pick(0, 40), reported,
                                pick(0, 1) ? v1::POLICE : v1::COUNCIL,
                                absl::StrCat("INC-", pick(1, 6)));
      return pick(0, 9) == 0 ? Hate(std::move(e)) : e;
    };
    std::vector<v1::LedgerEntry> earlier;
    for (int n = pick(0, 10); n > 0; --n) earlier.push_back(random_entry(100 + n));
    v1::LedgerEntry added = random_entry(1);
    added.mutable_reported_date()->set_year(2026);
    added.mutable_reported_date()->set_month(9);
    added.mutable_reported_date()->set_day(30);
    const bool none = ProactiveNotices(policy, earlier, added).empty();
    for (size_t k = 0; k <= earlier.size(); ++k) {
      const std::vector<v1::LedgerEntry> part(earlier.begin(), earlier.begin() + k);
      if (!NoNoticeCanBeRaised(policy, part, added)) continue;
      ++ruled_out;
      EXPECT_TRUE(none) << "trial " << trial << ": the first " << k << " of "
                        << earlier.size() << " entries ruled notices out";
    }
  }
  EXPECT_GT(ruled_out, 1000);  // the property was exercised, not vacuous
}

TEST(ProactiveNoticesTest, AFirstHateIncidentAfterManyComplaintsIsNotRuledOut) {
  const v1::ThresholdPolicy policy = Llr();
  std::vector<v1::LedgerEntry> earlier;
  for (int n = 1; n <= 70; ++n) {
    earlier.push_back(Entry(n, "cmp-1", D(2026, 8, 1), D(2026, 8, 1) + n / 10, v1::POLICE,
                            absl::StrCat("INC-", n)));
  }
  const v1::LedgerEntry hate =
      Hate(Entry(71, "cmp-1", D(2026, 8, 20), D(2026, 8, 20), v1::POLICE, "INC-71"));
  const v1::LedgerEntry plain =
      Entry(72, "cmp-1", D(2026, 8, 20), D(2026, 8, 20), v1::POLICE, "INC-72");
  const std::vector<v1::LedgerEntry> first64(earlier.begin(), earlier.begin() + 64);
  EXPECT_FALSE(NoNoticeCanBeRaised(policy, first64, hate));
  EXPECT_TRUE(NoNoticeCanBeRaised(policy, first64, plain));
  EXPECT_THAT(Render(ProactiveNotices(policy, earlier, hate)),
              ElementsAre("THRESHOLD_REACHED partnerships/eastbrook/complaints/71 cmp-1: "
                          "A hate incident on 2026-08-20 in the window to 2026-08-20: "
                          "threshold reached (R2), direct the victim to the case review"));
}

}  // namespace
}  // namespace casework::workflow::case_review
