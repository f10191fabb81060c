// Case review figures (s104(10) publication and management figures) over a
// scripted year of the fictional "eastbrook" partnership: every figure, the
// lead-agency split, deadline compliance and the CSV, exactly.
#include "workflow/case_review/figures.h"

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "casework/v1/case_reviews.pb.h"
#include "casework/v1/deadlines.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflow/common/validation.h"

namespace casework::workflow::case_review {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using State = v1::CaseReview;
using DeadlineState = v1::Deadline;

const absl::CivilDay kFrom(2025, 4, 1);
const absl::CivilDay kTo(2026, 3, 31);

v1::CivilDate Date(int year, int month, int day) {
  return ToCivilDate(absl::CivilDay(year, month, day));
}

// A review received on the given day, pinned to `policy_version`.
v1::CaseReview Received(int number, absl::CivilDay received, int64_t policy_version) {
  v1::CaseReview review;
  review.set_name(absl::StrCat("partnerships/eastbrook/caseReviews/", number));
  review.set_state(v1::CaseReview::RECEIVED);
  *review.mutable_received_date() = ToCivilDate(received);
  review.set_policy_version(policy_version);
  review.set_round(1);
  review.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
  review.mutable_applicant()->set_complainant_reference(
      absl::StrCat("EB-C-", 100 + number));
  return review;
}

void Threshold(v1::CaseReview& review, bool met, const std::string& rule) {
  review.mutable_threshold()->set_met(met);
  review.mutable_threshold()->set_deciding_rule(rule);
  review.mutable_threshold()->set_policy_version(review.policy_version());
}

void Lead(v1::CaseReview& review, const std::string& officer,
          const std::string& agency) {
  review.set_lead_officer(officer);
  review.set_lead_agency(agency);
}

// An outcome decided on `decided` with `recommendations` recommendations
// (none: a reasoned "no further action").
void Outcome(v1::CaseReview& review, v1::CivilDate decided, int recommendations) {
  v1::Outcome* outcome = review.mutable_outcome();
  *outcome->mutable_decided_on() = decided;
  for (int i = 1; i <= recommendations; ++i) {
    v1::Recommendation* r = outcome->add_recommendations();
    r->set_id(i);
    r->set_text(absl::StrCat("Recommendation ", i));
    r->set_lead_agency("eastbrook-council");
    *r->mutable_due_date() = Date(2026, 6, 30);
  }
  if (recommendations == 0) {
    outcome->set_no_further_action_reason(
        "Agencies had already taken all proportionate steps");
  }
}

void Appeal(v1::CaseReview& review, v1::CivilDate lodged, bool decided, bool upheld) {
  v1::Appeal* appeal = review.mutable_appeal();
  appeal->set_ground("The review did not consider all the evidence");
  *appeal->mutable_lodged_on() = lodged;
  appeal->set_chair("chair-westvale-csp");
  appeal->set_decided(decided);
  appeal->set_upheld(upheld);
}

void Deadline(v1::CaseReview& review, const std::string& name,
              v1::Deadline::State state) {
  v1::Deadline* d = review.add_deadlines();
  d->set_name(name);
  d->set_rule("5 working days");
  d->set_state(state);
}

// The eastbrook year 2025-04-01..2026-03-31: twelve applications in the
// period, and three outside it that must not be counted.
std::vector<v1::CaseReview> EastbrookYear() {
  std::vector<v1::CaseReview> reviews;

  // 1: R1 threshold, reviewed, two recommendations; outcome letter late.
  {
    v1::CaseReview r = Received(1, absl::CivilDay(2025, 4, 3), 3);
    r.set_state(State::OUTCOME_COMMUNICATED);
    Threshold(r, true, "R1_COMPLAINTS");
    Lead(r, "officer-ec-07", "eastbrook-council");
    r.set_officer_hours(80);
    Outcome(r, Date(2025, 5, 20), 2);
    // Deliberately not in step order.
    Deadline(r, "recommendation_2", DeadlineState::MET);
    Deadline(r, "acknowledge", DeadlineState::MET);
    Deadline(r, "threshold_decision", DeadlineState::MET);
    Deadline(r, "review_meeting", DeadlineState::MET);
    Deadline(r, "outcome_letter", DeadlineState::MET_LATE);
    Deadline(r, "appeal_window", DeadlineState::RUNNING);
    Deadline(r, "recommendation_1", DeadlineState::RUNNING);
    reviews.push_back(r);
  }
  // 2: received on the first day of the period; threshold not met.
  {
    v1::CaseReview r = Received(2, absl::CivilDay(2025, 4, 1), 3);
    r.set_state(State::THRESHOLD_NOT_MET);
    Threshold(r, false, "NOT_MET");
    Deadline(r, "acknowledge", DeadlineState::MET);
    Deadline(r, "threshold_decision", DeadlineState::MET_LATE);
    reviews.push_back(r);
  }
  // 3: withdrawn before the threshold was evaluated.
  {
    v1::CaseReview r = Received(3, absl::CivilDay(2025, 5, 14), 3);
    r.set_state(State::WITHDRAWN);
    Deadline(r, "acknowledge", DeadlineState::MET);
    Deadline(r, "threshold_decision", DeadlineState::CANCELLED);
    reviews.push_back(r);
  }
  // 4: R2 (hate incident), no further action; appeal dismissed; closed.
  {
    v1::CaseReview r = Received(4, absl::CivilDay(2025, 6, 2), 3);
    r.set_state(State::CLOSED);
    Threshold(r, true, "R2_HATE_INCIDENT");
    Lead(r, "officer-sp-12", "shire-police");
    r.set_officer_hours(96.5);
    Outcome(r, Date(2025, 7, 18), 0);
    Appeal(r, Date(2025, 8, 4), /*decided=*/true, /*upheld=*/false);
    Deadline(r, "acknowledge", DeadlineState::MET);
    Deadline(r, "threshold_decision", DeadlineState::MET);
    Deadline(r, "review_meeting", DeadlineState::MET_LATE);
    Deadline(r, "outcome_letter", DeadlineState::MET);
    Deadline(r, "appeal_window", DeadlineState::MET);
    Deadline(r, "appeal_papers", DeadlineState::MET);
    reviews.push_back(r);
  }
  // 5: not met on evaluation, then the SPOC override: counted as met.
  // Appeal upheld, reviewed again with one recommendation.
  {
    v1::CaseReview r = Received(5, absl::CivilDay(2025, 7, 21), 3);
    r.set_state(State::CLOSED);
    r.set_round(2);
    Threshold(r, true, "SPOC_OVERRIDE");
    r.mutable_threshold()->set_override_reason("Victim is vulnerable");
    Lead(r, "officer-ec-03", "eastbrook-council");
    r.add_previous_lead_officers("officer-nh-02");
    r.set_officer_hours(172);
    Outcome(r, Date(2025, 12, 1), 1);
    Appeal(r, Date(2025, 10, 6), /*decided=*/true, /*upheld=*/true);
    Deadline(r, "acknowledge", DeadlineState::MET_LATE);
    Deadline(r, "threshold_decision", DeadlineState::MET);
    Deadline(r, "review_meeting", DeadlineState::MET);
    Deadline(r, "outcome_letter", DeadlineState::MET);
    Deadline(r, "appeal_window", DeadlineState::MET);
    Deadline(r, "appeal_papers", DeadlineState::MET_LATE);
    Deadline(r, "recommendation_1", DeadlineState::MISSED);
    reviews.push_back(r);
  }
  // 6: community rule evaluated, not met; some officer time on it.
  {
    v1::CaseReview r = Received(6, absl::CivilDay(2025, 9, 10), 3);
    r.set_state(State::THRESHOLD_NOT_MET);
    Threshold(r, false, "NOT_MET");
    r.set_officer_hours(3.5);
    Deadline(r, "acknowledge", DeadlineState::MET);
    Deadline(r, "threshold_decision", DeadlineState::MET);
    reviews.push_back(r);
  }
  // 7: in review, meeting not yet held.
  {
    v1::CaseReview r = Received(7, absl::CivilDay(2025, 10, 6), 3);
    r.set_state(State::IN_REVIEW);
    Threshold(r, true, "R1_COMPLAINTS");
    Lead(r, "officer-nh-02", "northfield-homes");
    r.set_officer_hours(44);
    Deadline(r, "acknowledge", DeadlineState::MET);
    Deadline(r, "threshold_decision", DeadlineState::MET);
    Deadline(r, "review_meeting", DeadlineState::RUNNING);
    reviews.push_back(r);
  }
  // 8: in review, clocks paused.
  {
    v1::CaseReview r = Received(8, absl::CivilDay(2025, 11, 17), 3);
    r.set_state(State::IN_REVIEW);
    Threshold(r, true, "SAME_INCIDENT");
    Lead(r, "officer-sp-04", "shire-police");
    r.set_officer_hours(12);
    Deadline(r, "acknowledge", DeadlineState::MET);
    Deadline(r, "threshold_decision", DeadlineState::MET_LATE);
    Deadline(r, "review_meeting", DeadlineState::PAUSED);
    reviews.push_back(r);
  }
  // 9: received, acknowledgement overdue, threshold not yet evaluated.
  {
    v1::CaseReview r = Received(9, absl::CivilDay(2026, 1, 12), 4);
    Deadline(r, "acknowledge", DeadlineState::MISSED);
    Deadline(r, "threshold_decision", DeadlineState::RUNNING);
    reviews.push_back(r);
  }
  // 10: withdrawn after the threshold was met and a lead assigned.
  {
    v1::CaseReview r = Received(10, absl::CivilDay(2026, 2, 2), 4);
    r.set_state(State::WITHDRAWN);
    Threshold(r, true, "R1_COMPLAINTS");
    Lead(r, "officer-ec-07", "eastbrook-council");
    r.set_officer_hours(6);
    Deadline(r, "acknowledge", DeadlineState::MET);
    Deadline(r, "threshold_decision", DeadlineState::MET);
    Deadline(r, "review_meeting", DeadlineState::CANCELLED);
    // A step whose only deadline was cancelled does not appear.
    Deadline(r, "victim_invitation", DeadlineState::CANCELLED);
    reviews.push_back(r);
  }
  // 11: received on the last day of the period.
  {
    v1::CaseReview r = Received(11, absl::CivilDay(2026, 3, 31), 4);
    Deadline(r, "acknowledge", DeadlineState::RUNNING);
    Deadline(r, "threshold_decision", DeadlineState::RUNNING);
    reviews.push_back(r);
  }
  // 12: three recommendations; appeal lodged, with the chair, undecided.
  {
    v1::CaseReview r = Received(12, absl::CivilDay(2025, 8, 1), 3);
    r.set_state(State::WITH_APPEAL_CHAIR);
    Threshold(r, true, "R1_COMPLAINTS");
    Lead(r, "officer-sp-12", "shire-police");
    r.set_officer_hours(110);
    Outcome(r, Date(2025, 9, 26), 3);
    Appeal(r, Date(2025, 10, 20), /*decided=*/false, /*upheld=*/false);
    Deadline(r, "acknowledge", DeadlineState::MET);
    Deadline(r, "threshold_decision", DeadlineState::MET);
    Deadline(r, "review_meeting", DeadlineState::MET);
    Deadline(r, "outcome_letter", DeadlineState::MET);
    Deadline(r, "appeal_window", DeadlineState::MET);
    Deadline(r, "appeal_papers", DeadlineState::MET);
    Deadline(r, "recommendation_3", DeadlineState::RUNNING);
    Deadline(r, "recommendation_1", DeadlineState::MET);
    Deadline(r, "recommendation_2", DeadlineState::MISSED);
    reviews.push_back(r);
  }

  // Outside the period: the day before and the day after, and one received
  // earlier still. None of these may count.
  {
    v1::CaseReview r = Received(90, absl::CivilDay(2025, 3, 31), 2);
    r.set_state(State::CLOSED);
    Threshold(r, true, "R1_COMPLAINTS");
    Lead(r, "officer-ec-07", "eastbrook-council");
    r.set_officer_hours(50);
    Outcome(r, Date(2025, 5, 1), 1);
    Appeal(r, Date(2025, 5, 20), true, true);
    Deadline(r, "acknowledge", DeadlineState::MISSED);
    Deadline(r, "outcome_letter", DeadlineState::MET);
    reviews.push_back(r);
  }
  {
    v1::CaseReview r = Received(91, absl::CivilDay(2026, 4, 1), 5);
    r.set_state(State::WITHDRAWN);
    Threshold(r, false, "NOT_MET");
    Lead(r, "officer-wp-01", "westvale-police");
    r.set_officer_hours(20);
    Deadline(r, "acknowledge", DeadlineState::RUNNING);
    reviews.push_back(r);
  }
  {
    v1::CaseReview r = Received(92, absl::CivilDay(2024, 11, 5), 1);
    r.set_state(State::THRESHOLD_NOT_MET);
    Threshold(r, false, "NOT_MET");
    r.set_officer_hours(2);
    reviews.push_back(r);
  }
  return reviews;
}

std::vector<std::pair<std::string, int>> Agencies(const v1::CaseReviewFigures& f) {
  std::vector<std::pair<std::string, int>> out;
  for (const v1::AgencyCount& a : f.by_lead_agency()) {
    out.emplace_back(a.agency(), a.reviews());
  }
  return out;
}

using StepRow = std::tuple<std::string, int, int, int>;

std::vector<StepRow> Steps(const v1::CaseReviewFigures& f) {
  std::vector<StepRow> out;
  for (const v1::StepCompliance& s : f.deadline_compliance()) {
    out.emplace_back(s.step(), s.met_in_time(), s.late(), s.open());
  }
  return out;
}

TEST(CaseReviewFiguresTest, EastbrookYearEveryFigure) {
  v1::CaseReviewFigures f = ComputeCaseReviewFigures(EastbrookYear(), kFrom, kTo);

  EXPECT_EQ(FormatDate(f.from()), "2025-04-01");
  EXPECT_EQ(FormatDate(f.to()), "2026-03-31");

  // s104(10).
  EXPECT_EQ(f.applications_received(), 12);
  // 2 and 6; 5 was overridden by the SPOC; 3, 9 and 11 never evaluated.
  EXPECT_EQ(f.threshold_not_met(), 2);
  // 1, 4, 5 and 12.
  EXPECT_EQ(f.reviews_carried_out(), 4);
  // 1, 5 and 12 (4 was "no further action").
  EXPECT_EQ(f.reviews_with_recommendations(), 3);

  // Management figures.
  EXPECT_EQ(f.withdrawn(), 2);
  EXPECT_EQ(f.appeals_received(), 3);
  EXPECT_EQ(f.appeals_upheld(), 1);
  // 80 + 96.5 + 172 + 3.5 + 44 + 12 + 6 + 110.
  EXPECT_DOUBLE_EQ(f.officer_hours_total(), 524.0);
  // Over the 8 reviews with hours.
  EXPECT_DOUBLE_EQ(f.officer_hours_mean(), 65.5);
  // 3.5 6 12 44 | 80 96.5 110 172: (44 + 80) / 2.
  EXPECT_DOUBLE_EQ(f.officer_hours_median(), 62.0);
  EXPECT_EQ(f.policy_version_latest(), 4);

  EXPECT_THAT(Agencies(f), ElementsAre(std::make_pair("eastbrook-council", 3),
                                       std::make_pair("northfield-homes", 1),
                                       std::make_pair("shire-police", 3)));

  EXPECT_THAT(Steps(f), ElementsAre(StepRow("acknowledge", 9, 2, 1),
                                    StepRow("threshold_decision", 7, 2, 2),
                                    StepRow("review_meeting", 3, 1, 2),
                                    StepRow("outcome_letter", 3, 1, 0),
                                    StepRow("appeal_papers", 2, 1, 0),
                                    StepRow("recommendation_1", 1, 1, 1),
                                    StepRow("recommendation_2", 1, 1, 0),
                                    StepRow("recommendation_3", 0, 0, 1)));

  EXPECT_EQ(f.csv(), "");
}

TEST(CaseReviewFiguresTest, EastbrookYearCsv) {
  v1::CaseReviewFigures f = ComputeCaseReviewFigures(EastbrookYear(), kFrom, kTo);
  EXPECT_EQ(CaseReviewFiguresCsv(f),
            "metric,value\n"
            "period_from,2025-04-01\n"
            "period_to,2026-03-31\n"
            "applications_received,12\n"
            "threshold_not_met,2\n"
            "reviews_carried_out,4\n"
            "reviews_with_recommendations,3\n"
            "withdrawn,2\n"
            "appeals_received,3\n"
            "appeals_upheld,1\n"
            "threshold_appeals_received,0\n"
            "threshold_appeals_upheld,0\n"
            "officer_hours_total,524.0\n"
            "officer_hours_mean,65.5\n"
            "officer_hours_median,62.0\n"
            "\n"
            "lead_agency,reviews\n"
            "eastbrook-council,3\n"
            "northfield-homes,1\n"
            "shire-police,3\n"
            "\n"
            "step,met_in_time,late,open\n"
            "acknowledge,9,2,1\n"
            "threshold_decision,7,2,2\n"
            "review_meeting,3,1,2\n"
            "outcome_letter,3,1,0\n"
            "appeal_papers,2,1,0\n"
            "recommendation_1,1,1,1\n"
            "recommendation_2,1,1,0\n"
            "recommendation_3,0,0,1\n");
}

TEST(CaseReviewFiguresTest, EmptyPeriodGivesZeros) {
  // 2023-04-01..2024-03-31: no review was received then (the earliest,
  // 92, came in on 2024-11-05).
  v1::CaseReviewFigures f = ComputeCaseReviewFigures(
      EastbrookYear(), absl::CivilDay(2023, 4, 1), absl::CivilDay(2024, 3, 31));
  EXPECT_EQ(FormatDate(f.from()), "2023-04-01");
  EXPECT_EQ(FormatDate(f.to()), "2024-03-31");
  EXPECT_EQ(f.applications_received(), 0);
  EXPECT_EQ(f.threshold_not_met(), 0);
  EXPECT_EQ(f.reviews_carried_out(), 0);
  EXPECT_EQ(f.reviews_with_recommendations(), 0);
  EXPECT_EQ(f.withdrawn(), 0);
  EXPECT_EQ(f.appeals_received(), 0);
  EXPECT_EQ(f.appeals_upheld(), 0);
  EXPECT_EQ(f.threshold_appeals_received(), 0);
  EXPECT_EQ(f.threshold_appeals_upheld(), 0);
  EXPECT_EQ(f.officer_hours_total(), 0.0);
  EXPECT_EQ(f.officer_hours_mean(), 0.0);
  EXPECT_EQ(f.officer_hours_median(), 0.0);
  EXPECT_EQ(f.policy_version_latest(), 0);
  EXPECT_THAT(f.by_lead_agency(), IsEmpty());
  EXPECT_THAT(f.deadline_compliance(), IsEmpty());
  EXPECT_EQ(f.csv(), "");
  EXPECT_EQ(CaseReviewFiguresCsv(f),
            "metric,value\n"
            "period_from,2023-04-01\n"
            "period_to,2024-03-31\n"
            "applications_received,0\n"
            "threshold_not_met,0\n"
            "reviews_carried_out,0\n"
            "reviews_with_recommendations,0\n"
            "withdrawn,0\n"
            "appeals_received,0\n"
            "appeals_upheld,0\n"
            "threshold_appeals_received,0\n"
            "threshold_appeals_upheld,0\n"
            "officer_hours_total,0.0\n"
            "officer_hours_mean,0.0\n"
            "officer_hours_median,0.0\n"
            "\n"
            "lead_agency,reviews\n"
            "\n"
            "step,met_in_time,late,open\n");
}

TEST(CaseReviewFiguresTest, NoReviewsAtAllGivesZeros) {
  v1::CaseReviewFigures f = ComputeCaseReviewFigures({}, kFrom, kTo);
  EXPECT_EQ(f.applications_received(), 0);
  EXPECT_EQ(f.officer_hours_total(), 0.0);
  EXPECT_EQ(f.officer_hours_mean(), 0.0);
  EXPECT_EQ(f.officer_hours_median(), 0.0);
  EXPECT_THAT(f.by_lead_agency(), IsEmpty());
  EXPECT_THAT(f.deadline_compliance(), IsEmpty());
}

TEST(CaseReviewFiguresTest, MedianOfOddCountIsTheMiddleValue) {
  std::vector<v1::CaseReview> reviews;
  for (double hours : {172.0, 0.0, 80.0, 96.5}) {
    v1::CaseReview r = Received(static_cast<int>(reviews.size()) + 1,
                                absl::CivilDay(2025, 6, 1), 3);
    r.set_officer_hours(hours);
    reviews.push_back(r);
  }
  v1::CaseReviewFigures f = ComputeCaseReviewFigures(reviews, kFrom, kTo);
  EXPECT_EQ(f.applications_received(), 4);
  EXPECT_DOUBLE_EQ(f.officer_hours_total(), 348.5);
  EXPECT_DOUBLE_EQ(f.officer_hours_median(), 96.5);
  EXPECT_NEAR(f.officer_hours_mean(), 348.5 / 3, 1e-9);
  EXPECT_THAT(CaseReviewFiguresCsv(f),
              ::testing::HasSubstr("officer_hours_total,348.5\n"
                                   "officer_hours_mean,116.2\n"
                                   "officer_hours_median,96.5\n"));
}

TEST(CaseReviewFiguresTest, ReviewWithoutReceivedDateIsNotCounted) {
  v1::CaseReview r = Received(1, absl::CivilDay(2025, 6, 1), 3);
  r.clear_received_date();
  r.set_officer_hours(10);
  v1::CaseReviewFigures f = ComputeCaseReviewFigures({r}, kFrom, kTo);
  EXPECT_EQ(f.applications_received(), 0);
  EXPECT_EQ(f.officer_hours_total(), 0.0);
}

TEST(CaseReviewFiguresTest, CsvQuotesFieldsWithCommasAndQuotes) {
  v1::CaseReviewFigures f;
  *f.mutable_from() = Date(2025, 4, 1);
  *f.mutable_to() = Date(2026, 3, 31);
  v1::AgencyCount* a = f.add_by_lead_agency();
  a->set_agency("police, north");
  a->set_reviews(2);
  v1::StepCompliance* s = f.add_deadline_compliance();
  s->set_step("say \"hello\"");
  s->set_met_in_time(1);
  EXPECT_THAT(CaseReviewFiguresCsv(f),
              ::testing::EndsWith("\n"
                                  "lead_agency,reviews\n"
                                  "\"police, north\",2\n"
                                  "\n"
                                  "step,met_in_time,late,open\n"
                                  "\"say \"\"hello\"\"\",1,0,0\n"));
}

}  // namespace
}  // namespace casework::workflow::case_review
