// A case review's recommendation handed to a high-risk case panel over gRPC:
// the referral the server opens carries the recommendation, and both cases
// show the link.
#include "casework/v1/panels.grpc.pb.h"
#include "tests/services/case_review_fixture.h"

namespace casework::services::case_review_testing {
namespace {

using ::testing::ElementsAre;

TEST_F(CaseReviewTest, ARecommendationOpensALinkedPanelReferralCarryingItsDueDate) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  Record(ComplaintRequest("L-1", "cmp-4", Date(2026, 8, 30), Date(2026, 9, 1)));
  Record(ComplaintRequest("L-2", "cmp-4", Date(2026, 9, 28), Date(2026, 10, 1), v1::COUNCIL));
  Record(ComplaintRequest("L-3", "cmp-4", Date(2026, 10, 18), Date(2026, 10, 20)));
  Do(&Review::ReceiveApplication, Application("cmp-4"));
  Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest());
  v1::RecordReviewMeetingRequest meeting;
  *meeting.mutable_date() = Date(2026, 11, 2);
  meeting.add_attendees("eastbrook-council");
  meeting.add_attendees("shire-police");
  Do(&Review::RecordReviewMeeting, meeting);
  v1::RecordOutcomeRequest outcome;
  v1::Recommendation* rec = outcome.add_recommendations();
  rec->set_text("Letter to the landlord");
  rec->set_lead_agency("eastbrook-council");
  *rec->mutable_due_date() = Date(2026, 11, 30);
  rec = outcome.add_recommendations();
  rec->set_text("The JAG to manage the perpetrator");
  rec->set_lead_agency("shire-police");
  *rec->mutable_due_date() = Date(2026, 12, 18);
  Do(&Review::RecordOutcome, outcome);

  v1::ReferRecommendationRequest refer;
  refer.set_recommendation_id(2);
  refer.set_panel("jag");
  v1::PanelSubject& subject = *refer.mutable_subject();
  subject.set_kind(v1::SUBJECT_PERSON);
  subject.set_reference("PN-0913");
  subject.set_display_name("Casey Thorn");
  *subject.mutable_date_of_birth() = Date(1994, 4, 9);
  refer.set_lawful_basis(v1::LAW_ENFORCEMENT);
  // The youth panel does not take an adult: refused now, not later.
  v1::ReferRecommendationRequest to_youth = refer;
  to_youth.set_panel("yjag");
  grpc::Status refused =
      Fail(&Review::ReferRecommendation, to_youth, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(refused.error_message(),
            "panel yjag takes people aged 11 to 18 on the referral date; the subject is 32 on "
            "2026-11-02");
  v1::CaseReview referred = Do(&Review::ReferRecommendation, refer);
  EXPECT_EQ(referred.outcome().recommendations(1).referral().panel(), "jag");
  EXPECT_EQ(referred.outcome().recommendations(1).referral().panel_case(), "");

  absl::StatusOr<int> linked = server_->outbox().DeliverDue();
  ASSERT_TRUE(linked.ok()) << linked.status();
  EXPECT_EQ(*linked, 1);
  EXPECT_EQ(*server_->outbox().DeliverDue(), 0);

  const std::string panel_case = "partnerships/eastbrook/panelCases/1";
  auto panels = v1::PanelService::NewStub(InProcess());
  v1::GetPanelCaseRequest get;
  get.set_name(panel_case);
  v1::PanelCase received;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::GetPanelCase, panels.get(), get, &received).ok());
  EXPECT_EQ(received.panel(), "jag");
  EXPECT_EQ(received.state(), v1::PanelCase::REFERRED);
  EXPECT_EQ(received.from_case_review(), name_);
  EXPECT_EQ(received.from_recommendation(), 2);
  EXPECT_EQ(workflow::FormatDate(received.recommendation_due_date()), "2026-12-18");
  EXPECT_EQ(received.reason(), "The JAG to manage the perpetrator");
  EXPECT_EQ(received.subject().display_name(), "Casey Thorn");

  v1::GetCaseReviewRequest get_review;
  get_review.set_name(name_);
  v1::CaseReview review;
  ASSERT_TRUE(Call(&Review::GetCaseReview, Reviews().get(), get_review, &review).ok());
  EXPECT_EQ(review.outcome().recommendations(1).referral().panel_case(), panel_case);
  const std::vector<std::string> review_events = EventTypes(name_);
  EXPECT_THAT(std::vector<std::string>(review_events.end() - 2, review_events.end()),
              ElementsAre("RecommendationReferred", "PanelReferralLinked"));
  EXPECT_THAT(EventTypes(panel_case), ElementsAre("PanelCaseReferred"));

  // Referred once only.
  grpc::Status again =
      Fail(&Review::ReferRecommendation, refer, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(again.error_message(), ::testing::HasSubstr("recommendation 2 was referred to jag"));
}

}  // namespace
}  // namespace casework::services::case_review_testing
