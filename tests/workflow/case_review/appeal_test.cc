// Appeals: against "threshold not met" (the window opens when the applicant
// is told, an upheld appeal meets the threshold, a dismissed one closes the
// case) and the appeal window kept open by closing after an outcome.
#include "tests/workflow/case_review/decide_fixture.h"

namespace casework::workflow::case_review {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- Appeals against "threshold not met" ----

class ThresholdAppealTest : public CaseReviewDecideTest {
 protected:
  // Monday 14 December 2026: not met, and the applicant is told.
  void NotMetAndTold() {
    world_.SetNow(At(2026, 12, 14));
    Do(kReceiveApplication, Application("cmp-none"));
    Do(kEvaluateThreshold, v1::CaseReviewCommand());
    v1::NotifyApplicantRequest notify;
    notify.set_channel("letter");
    Outcome told = Do(kNotifyApplicant, notify);
    EXPECT_THAT(Types(told.events), ElementsAre("ApplicantNotified", "DeadlineSet"));
  }
  v1::DecideAppealRequest Decision(bool upheld) {
    v1::DecideAppealRequest d;
    d.set_upheld(upheld);
    d.set_reason(upheld ? "The housing reports were missed" : "The complaints were counted right");
    return d;
  }
  void ToTheChair() {
    Do(kLodgeAppeal, Appeal());
    v1::SendAppealPapersRequest papers;
    papers.set_chair("csp-chair");
    Do(kSendAppealPapers, papers);
  }
  v1::CloseCaseReviewRequest Close() {
    v1::CloseCaseReviewRequest close;
    close.set_reason("Threshold not met");
    return close;
  }
};

TEST_F(ThresholdAppealTest, TheWindowOpensWhenTheApplicantIsToldAndSkipsChristmas) {
  NotMetAndTold();
  // 20 working days from Monday 14 December, without Christmas Day, the
  // Boxing Day substitute (Monday 28th) and New Year's Day.
  EXPECT_EQ(Deadline("appeal_window"), "2027-01-14 RUNNING");
  world_.SetNow(At(2027, 1, 15));
  Refused(kLodgeAppeal, Appeal(),
          absl::FailedPreconditionError("the appeal window closed on 2027-01-14"));
  world_.SetNow(At(2027, 1, 14));
  Outcome lodged = Do(kLodgeAppeal, Appeal());
  EXPECT_EQ(lodged.events[0],
            "AppealLodged{ground: \"The case review process was not followed\" on { year: 2027 "
            "month: 1 day: 14 } against: THRESHOLD_DECISION}");
  EXPECT_EQ(Review().state(), v1::CaseReview::APPEAL_LODGED);
  EXPECT_EQ(Deadline("appeal_window"), "2027-01-14 MET");
  EXPECT_EQ(Deadline("appeal_papers"), "2027-01-15 RUNNING");  // one working day
  EXPECT_EQ(Review().threshold_appeal().against(), v1::Appeal::THRESHOLD_DECISION);
  EXPECT_FALSE(Review().has_appeal());
}

TEST_F(ThresholdAppealTest, UpheldTheThresholdIsMetAsAnAppealDecision) {
  NotMetAndTold();
  ToTheChair();
  Outcome out = Do(kDecideAppeal, Decision(true));
  EXPECT_THAT(Types(out.events), ElementsAre("AppealDecided", "ThresholdEvaluated", "DeadlineSet"));
  EXPECT_EQ(Review().state(), v1::CaseReview::THRESHOLD_MET);
  EXPECT_EQ(Review().threshold().deciding_rule(), "APPEAL_UPHELD");
  EXPECT_TRUE(Review().threshold().met());
  EXPECT_EQ(Review().threshold().summary(),
            "Threshold treated as met: the independent chair upheld the appeal against the "
            "threshold decision: The housing reports were missed");
  EXPECT_TRUE(Review().threshold_appeal().upheld());
  // 25 working days from the chair's decision on 14 December.
  EXPECT_EQ(Deadline("review_meeting"), "2027-01-21 RUNNING");
  // The review goes ahead: a lead officer, and later an outcome to appeal.
  Do(kAssignLeadOfficer, v1::AssignLeadOfficerRequest());
  EXPECT_EQ(Review().state(), v1::CaseReview::IN_REVIEW);
}

TEST_F(ThresholdAppealTest, DismissedTheCaseClosesFinally) {
  NotMetAndTold();
  ToTheChair();
  Outcome out = Do(kDecideAppeal, Decision(false));
  EXPECT_THAT(Types(out.events), ElementsAre("AppealDecided", "CaseReviewClosed", "ApplicantNotified",
                                             "DeadlineCancelled"));
  EXPECT_EQ(out.events[3],
            "DeadlineCancelled{name: \"acknowledge\" reason: \"appeal dismissed\"}");
  EXPECT_EQ(out.events[1],
            "CaseReviewClosed{reason: \"The appeal against the threshold decision was dismissed: "
            "The complaints were counted right\" on { year: 2026 month: 12 day: 14 }}");
  EXPECT_EQ(Review().state(), v1::CaseReview::CLOSED);
  Refused(kLodgeAppeal, Appeal(),
          absl::FailedPreconditionError("the independent chair has decided an appeal against the "
                                        "threshold decision of this review; the decision is final"));
}

TEST_F(ThresholdAppealTest, ClosingKeepsTheWindowAndAnAppealInTimeReopens) {
  NotMetAndTold();
  Outcome closed = Do(kCloseCaseReview, Close());
  EXPECT_THAT(Types(closed.events),
              ElementsAre("CaseReviewClosed", "ApplicantNotified", "DeadlineCancelled"));
  EXPECT_EQ(Deadline("acknowledge"), "2026-12-21 CANCELLED");
  EXPECT_EQ(Deadline("appeal_window"), "2027-01-14 RUNNING");
  world_.SetNow(At(2027, 1, 4));
  Do(kLodgeAppeal, Appeal());
  EXPECT_EQ(Review().state(), v1::CaseReview::APPEAL_LODGED);
  EXPECT_FALSE(Review().has_closed_date());
  EXPECT_EQ(Review().closure_reason(), "");
}

TEST_F(ThresholdAppealTest, AClosedCaseWhoseWindowExpiredStaysClosed) {
  NotMetAndTold();
  Do(kCloseCaseReview, Close());
  world_.SetNow(At(2027, 1, 15));
  Outcome fired = world_.FireTimer(kReview, "appeal_window");
  ASSERT_TRUE(fired.status.ok()) << fired.status;
  EXPECT_EQ(Deadline("appeal_window"), "2027-01-14 EXPIRED");
  Refused(kLodgeAppeal, Appeal(),
          absl::FailedPreconditionError("the appeal window closed on 2027-01-14"));
  EXPECT_EQ(Review().state(), v1::CaseReview::CLOSED);
}

TEST_F(CaseReviewDecideTest, ClosingAfterTheOutcomeKeepsItsAppealWindowToo) {
  Communicated();
  v1::CloseCaseReviewRequest close;
  close.set_reason("Review complete");
  Outcome closed = Do(kCloseCaseReview, close);
  // The deadlines still open are cancelled (the acknowledgement never sent
  // and the two recommendations); the appeal window is not.
  EXPECT_THAT(Types(closed.events), ElementsAre("CaseReviewClosed", "ApplicantNotified",
                                                "DeadlineCancelled", "DeadlineCancelled",
                                                "DeadlineCancelled"));
  EXPECT_THAT(closed.events[2], HasSubstr("name: \"acknowledge\""));
  EXPECT_THAT(closed.events[4], HasSubstr("name: \"recommendation_2\""));
  EXPECT_EQ(Deadline("appeal_window"), "2026-11-30 RUNNING");
  Outcome lodged = Do(kLodgeAppeal, Appeal());
  EXPECT_THAT(lodged.events[0], HasSubstr("against: OUTCOME"));
  EXPECT_EQ(Review().state(), v1::CaseReview::APPEAL_LODGED);
  EXPECT_EQ(Review().appeal().against(), v1::Appeal::OUTCOME);
}

}  // namespace
}  // namespace casework::workflow::case_review
