// Case review and engine fidelity through the public gRPC API: an applicant
// told "threshold not met" may appeal (across Christmas), request ids are
// scoped to the calling agency and bound to their first command (also after
// a restart), and every event records the policy version its case is pinned
// to (checked by --verify).
#include <grpcpp/grpcpp.h>

#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rebuild.h"
#include "tests/support/server_fixture.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::casework::testing::CreateRequest;
using ::casework::testing::DetailOf;
using ::casework::testing::London;
using ::testing::Contains;
using ::testing::ElementsAre;
using Review = v1::CaseReviewService::Stub;

using ::casework::testing::At;

class FidelityTest : public casework::testing::ServerFixture {
 protected:
  FidelityTest() : ServerFixture(At(2026, 12, 7)) {}  // Monday 7 December 2026

  void SetUp() override {
    ServerFixture::SetUp();
    Connect();
  }
  void Connect() {
    reviews_ = v1::CaseReviewService::NewStub(InProcess());
    policies_ = v1::PolicyService::NewStub(InProcess());
    complaints_ = v1::ComplaintService::NewStub(InProcess());
    actions_ = v1::ActionService::NewStub(InProcess());
    events_ = v1::EventService::NewStub(InProcess());
  }

  void Publish(const std::string& request_id) {
    v1::PublishPolicyRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_request_id(request_id);
    *request.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
    v1::Policy out;
    grpc::Status status =
        Call(&v1::PolicyService::Stub::PublishPolicy, policies_.get(), request, &out, "admin");
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  template <typename Req>
  v1::CaseReview Do(grpc::Status (Review::*method)(grpc::ClientContext*, const Req&,
                                                   v1::CaseReviewResponse*),
                    Req request, const std::string& role = "caseworker") {
    if constexpr (!std::is_same_v<Req, v1::ReceiveApplicationRequest>) request.set_name(name_);
    request.set_request_id(absl::StrCat("f-", ++requests_));
    v1::CaseReviewResponse out;
    grpc::Status status = Call(method, reviews_.get(), request, &out, role);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (std::is_same_v<Req, v1::ReceiveApplicationRequest>) name_ = out.case_review().name();
    return out.case_review();
  }

  v1::CaseReviewFigures Figures() {
    v1::GetCaseReviewFiguresRequest request;
    request.set_csv(true);
    request.set_parent("partnerships/eastbrook");
    *request.mutable_from() = workflow::ToCivilDate(absl::CivilDay(2026, 1, 1));
    *request.mutable_to() = workflow::ToCivilDate(absl::CivilDay(2026, 12, 31));
    v1::CaseReviewFigures figures;
    EXPECT_TRUE(Call(&Review::GetCaseReviewFigures, reviews_.get(), request, &figures).ok());
    return figures;
  }

  std::string Due(const v1::CaseReview& review, const std::string& deadline) {
    for (const v1::Deadline& d : review.deadlines()) {
      if (d.name() == deadline) {
        return absl::StrCat(workflow::FormatDate(d.due()), " ",
                            v1::Deadline::State_Name(d.state()));
      }
    }
    return "none";
  }

  // Received on the 7th from someone with no complaints: not met; the
  // applicant is told on Monday 14 December.
  void NotMetAndToldBeforeChristmas() {
    Publish("policy-1");
    v1::ReceiveApplicationRequest application;
    application.set_parent("partnerships/eastbrook");
    application.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
    application.mutable_applicant()->set_complainant_reference("cmp-quiet");
    Do(&Review::ReceiveApplication, application);
    EXPECT_EQ(Do(&Review::EvaluateThreshold, v1::CaseReviewCommand()).state(),
              v1::CaseReview::THRESHOLD_NOT_MET);
    clock_.Set(At(2026, 12, 14));
    v1::NotifyApplicantRequest notify;
    notify.set_channel("letter");
    Do(&Review::NotifyApplicant, notify);
  }

  v1::LodgeAppealRequest Appeal() {
    v1::LodgeAppealRequest appeal;
    appeal.set_ground("The case review process was not followed");
    appeal.set_details("My diary of incidents was not looked at");
    return appeal;
  }

  std::unique_ptr<v1::CaseReviewService::Stub> reviews_;
  std::unique_ptr<v1::PolicyService::Stub> policies_;
  std::unique_ptr<v1::ComplaintService::Stub> complaints_;
  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::unique_ptr<v1::EventService::Stub> events_;
  std::string name_;
  int requests_ = 0;
};

TEST_F(FidelityTest, AnApplicantToldNotMetMayAppealAcrossChristmas) {
  NotMetAndToldBeforeChristmas();
  // Twenty working days from 14 December skip Christmas Day, the Boxing Day
  // substitute on Monday 28th and New Year's Day.
  v1::GetCaseReviewRequest get;
  get.set_name(name_);
  v1::CaseReview review;
  ASSERT_TRUE(Call(&Review::GetCaseReview, reviews_.get(), get, &review).ok());
  EXPECT_EQ(Due(review, "appeal_window"), "2027-01-14 RUNNING");

  // The day after the window: refused, nothing written.
  clock_.Set(At(2027, 1, 15));
  v1::LodgeAppealRequest late = Appeal();
  late.set_name(name_);
  late.set_request_id("late-1");
  v1::CaseReviewResponse out;
  grpc::Status refused = Call(&Review::LodgeAppeal, reviews_.get(), late, &out);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(refused.error_message(), "the appeal window closed on 2027-01-14");

  // On the last day: lodged, papers to the chair within one working day.
  clock_.Set(At(2027, 1, 14));
  review = Do(&Review::LodgeAppeal, Appeal());
  EXPECT_EQ(review.state(), v1::CaseReview::APPEAL_LODGED);
  EXPECT_EQ(review.threshold_appeal().against(), v1::Appeal::THRESHOLD_DECISION);
  EXPECT_EQ(Due(review, "appeal_papers"), "2027-01-15 RUNNING");
  v1::SendAppealPapersRequest papers;
  papers.set_chair("csp-chair");
  Do(&Review::SendAppealPapers, papers);
  v1::CaseReviewFigures figures = Figures();
  EXPECT_EQ(figures.threshold_appeals_received(), 1);
  EXPECT_EQ(figures.threshold_appeals_upheld(), 0);
  EXPECT_EQ(figures.appeals_received(), 0);

  // Upheld: the threshold is met, as an appeal decision; the review goes on.
  v1::DecideAppealRequest decide;
  decide.set_upheld(true);
  decide.set_reason("The diary shows three incidents the council was told of");
  review = Do(&Review::DecideAppeal, decide, "partnership_chair");
  EXPECT_EQ(review.state(), v1::CaseReview::THRESHOLD_MET);
  EXPECT_EQ(review.threshold().deciding_rule(), "APPEAL_UPHELD");
  EXPECT_EQ(Due(review, "review_meeting"), "2027-02-18 RUNNING");
  EXPECT_EQ(Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest()).state(),
            v1::CaseReview::IN_REVIEW);
  figures = Figures();
  EXPECT_EQ(figures.threshold_appeals_received(), 1);
  EXPECT_EQ(figures.threshold_appeals_upheld(), 1);
  EXPECT_EQ(figures.threshold_not_met(), 0);  // the threshold now stands met
  EXPECT_THAT(figures.csv(), ::testing::HasSubstr("threshold_appeals_upheld,1\n"));
}

TEST_F(FidelityTest, ClosingBeforeTheWindowEndsDoesNotTakeTheAppealAway) {
  NotMetAndToldBeforeChristmas();
  v1::CloseCaseReviewRequest close;
  close.set_reason("Threshold not met; the applicant was told");
  v1::CaseReview review = Do(&Review::CloseCaseReview, close);
  EXPECT_EQ(review.state(), v1::CaseReview::CLOSED);
  EXPECT_EQ(Due(review, "appeal_window"), "2027-01-14 RUNNING");
  clock_.Set(At(2027, 1, 5));
  review = Do(&Review::LodgeAppeal, Appeal());
  EXPECT_EQ(review.state(), v1::CaseReview::APPEAL_LODGED);
  EXPECT_FALSE(review.has_closed_date());
  // Dismissed, the case closes finally.
  v1::SendAppealPapersRequest papers;
  papers.set_chair("csp-chair");
  Do(&Review::SendAppealPapers, papers);
  v1::DecideAppealRequest decide;
  decide.set_upheld(false);
  decide.set_reason("The threshold decision followed the policy");
  review = Do(&Review::DecideAppeal, decide, "partnership_chair");
  EXPECT_EQ(review.state(), v1::CaseReview::CLOSED);
  EXPECT_EQ(review.closure_reason(),
            "The appeal against the threshold decision was dismissed: The threshold decision "
            "followed the policy");
  v1::LodgeAppealRequest again = Appeal();
  again.set_name(name_);
  again.set_request_id("again-1");
  v1::CaseReviewResponse out;
  grpc::Status final_decision = Call(&Review::LodgeAppeal, reviews_.get(), again, &out);
  EXPECT_EQ(final_decision.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(final_decision.error_message(),
            "the independent chair has decided an appeal against the threshold decision of this "
            "review; the decision is final");
}

TEST_F(FidelityTest, ARequestIdIsBoundToItsFirstCommandPerAgencyAlsoAfterARestart) {
  v1::RecordComplaintRequest complaint;
  complaint.set_parent("partnerships/eastbrook");
  complaint.set_request_id("shared-id-1");
  v1::Complaint& c = *complaint.mutable_complaint();
  c.set_complainant_reference("cmp-1");
  c.set_agency("shire-police");
  c.set_agency_kind(v1::POLICE);
  c.set_source_system("sentinel");
  c.set_source_reference("S-1");
  *c.mutable_behaviour_date() = workflow::ToCivilDate(absl::CivilDay(2026, 12, 1));
  *c.mutable_reported_date() = workflow::ToCivilDate(absl::CivilDay(2026, 12, 2));
  c.set_category(v1::PERSONAL);
  v1::RecordComplaintResponse recorded;
  ASSERT_TRUE(Call(&v1::ComplaintService::Stub::RecordComplaint, complaints_.get(), complaint,
                   &recorded, "caseworker", "shire-police")
                  .ok());
  const uint64_t head = server_->store().LastPosition();

  auto reuse_on_another_method = [&](const std::string& agency) {
    v1::ActionResponse response;
    return Call(&v1::ActionService::Stub::CreateAction, actions_.get(),
                CreateRequest("shared-id-1"), &response, "caseworker", agency);
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    SCOPED_TRACE(attempt == 0 ? "before the restart" : "after the restart");
    grpc::Status reused = reuse_on_another_method("shire-police");
    EXPECT_EQ(reused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(reused.error_message(),
              "request_id \"shared-id-1\" was already used by agency shire-police for a "
              "different request (casework.v1.ComplaintService/RecordComplaint); use a new "
              "request_id for a new request and resend a retry unchanged");
    std::optional<v1::RequestIdReused> detail = DetailOf<v1::RequestIdReused>(reused);
    ASSERT_TRUE(detail.has_value());
    EXPECT_EQ(detail->request_id(), "shared-id-1");
    EXPECT_EQ(detail->original_method(), "casework.v1.ComplaintService/RecordComplaint");
    EXPECT_EQ(server_->store().LastPosition(), head);
    // The original command's retry is still answered.
    v1::RecordComplaintResponse retried;
    ASSERT_TRUE(Call(&v1::ComplaintService::Stub::RecordComplaint, complaints_.get(), complaint,
                     &retried, "caseworker", "shire-police")
                    .ok());
    EXPECT_EQ(retried.commit().first_position(), recorded.commit().first_position());
    if (attempt == 0) {
      ASSERT_NO_FATAL_FAILURE(Restart());
      Connect();
    }
  }
  // Another agency's ids are its own.
  ASSERT_TRUE(reuse_on_another_method("eastbrook-council").ok());
  EXPECT_EQ(server_->store().LastPosition(), head + 2);
}

TEST_F(FidelityTest, EveryEventRecordsThePolicyVersionOfItsCase) {
  Publish("policy-1");
  v1::ReceiveApplicationRequest application;
  application.set_parent("partnerships/eastbrook");
  application.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
  application.mutable_applicant()->set_complainant_reference("cmp-quiet");
  Do(&Review::ReceiveApplication, application);
  Publish("policy-2");  // in force from now; the case stays pinned to 1
  Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  v1::ActionResponse action;
  ASSERT_TRUE(
      Call(&v1::ActionService::Stub::CreateAction, actions_.get(), CreateRequest("a-1"), &action)
          .ok());

  v1::ReadLogRequest read;
  v1::ReadLogResponse log;
  ASSERT_TRUE(Call(&v1::EventService::Stub::ReadLog, events_.get(), read, &log).ok());
  std::vector<std::string> versions;
  for (const v1::EventEnvelope& e : log.events()) {
    const std::string& url = e.payload().type_url();
    versions.push_back(absl::StrCat(url.substr(url.rfind('.') + 1), "@", e.policy_version()));
  }
  EXPECT_THAT(versions, ElementsAre("PolicyPublished@1", "ApplicationReceived@1", "DeadlineSet@1",
                                    "DeadlineSet@1", "PolicyPublished@2", "ThresholdEvaluated@1",
                                    "DeadlineMet@1", "ActionCreated@0", "DeadlineSet@0"));

  // --verify checks every event against its case.
  absl::StatusOr<storage::VerifyReport> clean = storage::VerifyStore(server_->store(), London());
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_THAT(clean->problems, ::testing::IsEmpty());
  v1::EventEnvelope forged = log.events(6);  // DeadlineMet of the case review
  forged.set_stream_version(forged.stream_version() + 1);
  forged.set_global_position(server_->store().LastPosition() + 1);
  forged.set_policy_version(2);
  storage::StoreBatch batch = server_->store().NewBatch();
  batch.PutEvent(forged);
  ASSERT_TRUE(server_->store().Write(batch).ok());
  absl::StatusOr<storage::VerifyReport> report = storage::VerifyStore(server_->store(), London());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems,
              Contains(absl::StrCat("event ", forged.global_position(), " of ", name_,
                                    " records policy version 2, its case is pinned to 1")));
}

}  // namespace
}  // namespace casework::services
