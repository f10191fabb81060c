// The fixture of the case review's pure decision tests: a World with the
// product's workflows on Monday 2 November 2026, the LLR default policy, and
// helpers that take a case review step by step.
#ifndef CASEWORK_TESTS_WORKFLOW_CASE_REVIEW_DECIDE_FIXTURE_H_
#define CASEWORK_TESTS_WORKFLOW_CASE_REVIEW_DECIDE_FIXTURE_H_

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_support.h"
#include "tests/support/world.h"
#include "tests/workflow/case_review/case_review_world.h"
#include "workflow/case_review/commands.h"
#include "workflow/case_review/complaints.h"
#include "workflow/case_review/threshold.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::workflow::case_review {

using ::casework::testing::Application;
using ::casework::testing::At;
using ::casework::testing::Date;
using ::casework::testing::DetailOf;
using ::casework::testing::Outcome;
using ::casework::testing::World;

inline constexpr char kReview[] = "partnerships/eastbrook/caseReviews/1";

// The type names of rendered events.
inline std::vector<std::string> Types(const std::vector<std::string>& events) {
  std::vector<std::string> types;
  for (const std::string& e : events) types.push_back(e.substr(0, e.find('{')));
  return types;
}

class CaseReviewDecideTest : public ::testing::Test {
 protected:
  // Monday 2 November 2026.
  CaseReviewDecideTest() : world_(At(2026, 11, 2), Workflows()) {}

  void SetUp() override {
    testing::PublishDefault(world_);
    testing::RecordThreeComplaints(world_);
  }

  // Sends `request` to the review, with a fresh request_id.
  template <typename Request>
  Outcome Send(CommandName<Request> command, Request request = Request()) {
    if constexpr (!std::is_same_v<Request, v1::ReceiveApplicationRequest>) request.set_name(kReview);
    request.set_request_id(absl::StrCat("rq-", ++requests_));
    return world_.When(command, request);
  }
  // Sends a command that must succeed.
  template <typename Request>
  Outcome Do(CommandName<Request> command, Request request = Request()) {
    Outcome out = Send(command, std::move(request));
    EXPECT_TRUE(out.status.ok()) << command.name << ": " << out.status;
    return out;
  }
  // Sends a command that must be refused with exactly `status`'s code and
  // message, writing nothing.
  template <typename Request>
  void Refused(CommandName<Request> command, Request request, const absl::Status& status) {
    const int64_t version = world_.Version(kReview);
    Outcome out = Send(command, std::move(request));
    EXPECT_EQ(out.status.code(), status.code()) << command.name;
    EXPECT_EQ(out.status.message(), status.message()) << command.name;
    EXPECT_THAT(out.events, ::testing::ElementsAre()) << command.name;
    EXPECT_EQ(world_.Version(kReview), version) << command.name;
  }

  const v1::CaseReview& Review() { return world_.StateAs<v1::CaseReview>(kReview); }
  // The complaints `review`'s threshold weighed: their row
  // (ConsideredRowKey), empty if it has none.
  std::vector<v1::ConsideredComplaint> Considered(const std::string& review = kReview) {
    auto row = world_.rows().find(ConsideredRowKey(review));
    if (row == world_.rows().end()) return {};
    v1::ThresholdEvaluation evaluation;
    EXPECT_TRUE(evaluation.ParseFromString(row->second));
    return {evaluation.considered().begin(), evaluation.considered().end()};
  }
  std::string Deadline(const std::string& name) {
    for (const v1::Deadline& d : Review().deadlines()) {
      if (d.name() == name) {
        return absl::StrCat(FormatDate(d.due()), " ", v1::Deadline::State_Name(d.state()));
      }
    }
    return "none";
  }

  // The review of "cmp-met", to the state named.
  void Received() { Do(kReceiveApplication, Application("cmp-met")); }
  void Met() {
    Received();
    Do(kEvaluateThreshold, v1::CaseReviewCommand());
  }
  void InReview() {
    Met();
    Do(kAssignLeadOfficer, v1::AssignLeadOfficerRequest());
  }
  v1::RecordReviewMeetingRequest Meeting(v1::CivilDate date) {
    v1::RecordReviewMeetingRequest m;
    *m.mutable_date() = date;
    m.add_attendees("eastbrook-council");
    m.add_attendees("shire-police");
    return m;
  }
  v1::RecordOutcomeRequest TwoRecommendations() {
    v1::RecordOutcomeRequest outcome;
    v1::Recommendation* rec = outcome.add_recommendations();
    rec->set_text("Joint visit");
    rec->set_lead_agency("eastbrook-homes");
    *rec->mutable_due_date() = Date(2026, 12, 4);
    rec = outcome.add_recommendations();
    rec->set_text("Refer to the JAG");
    rec->set_lead_agency("shire-police");
    *rec->mutable_due_date() = Date(2026, 12, 18);
    return outcome;
  }
  void Communicated() {
    InReview();
    Do(kRecordReviewMeeting, Meeting(Date(2026, 11, 2)));
    Do(kRecordOutcome, TwoRecommendations());
    Do(kCommunicateOutcome, v1::CaseReviewCommand());
  }
  v1::LodgeAppealRequest Appeal() {
    v1::LodgeAppealRequest appeal;
    appeal.set_ground("The case review process was not followed");
    return appeal;
  }
  void WithChair() {
    Communicated();
    Do(kLodgeAppeal, Appeal());
    v1::SendAppealPapersRequest papers;
    papers.set_chair("csp-chair");
    Do(kSendAppealPapers, papers);
  }
  v1::Policy DefaultPolicy() { return LlrDefaultPolicy("eastbrook"); }

  World world_;
  int requests_ = 0;
};

}  // namespace casework::workflow::case_review

#endif  // CASEWORK_TESTS_WORKFLOW_CASE_REVIEW_DECIDE_FIXTURE_H_
