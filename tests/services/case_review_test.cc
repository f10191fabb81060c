// The ASB case review end to end over gRPC with an injected clock: intake
// and de-duplication, proactive notices, policy publication and pinning,
// the case list's views.
// The lifecycle and the statutory figures are in
// case_review_lifecycle_test.cc.
#include "google/protobuf/util/message_differencer.h"
#include "tests/services/case_review_fixture.h"
#include "workflow/case_review/commands.h"

namespace casework::services {
namespace {

using namespace ::casework::services::case_review_testing;  // NOLINT: the fixture's helpers
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(CaseReviewTest, IntakeRetriesAndSourceReferencesNeverDuplicate) {
  v1::RecordComplaintRequest request =
      ComplaintRequest("ASB/2026/001", "cmp-1", Date(2026, 10, 1), Date(2026, 10, 2));
  v1::RecordComplaintResponse first = Record(request);
  EXPECT_EQ(first.complaint().name(), "partnerships/eastbrook/complaints/1");
  EXPECT_FALSE(first.duplicate());

  // Same request_id: the stored reply.
  v1::RecordComplaintResponse retry = Record(request);
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  // Same source, new request_id (e.g. a re-sent batch): the same complaint.
  request.set_request_id("another-attempt");
  v1::RecordComplaintResponse resent = Record(request);
  EXPECT_TRUE(resent.duplicate());
  EXPECT_EQ(resent.complaint().name(), first.complaint().name());

  ASSERT_NO_FATAL_FAILURE(Restart());
  request.set_request_id("after-restart");
  v1::RecordComplaintResponse later = Record(request);
  EXPECT_TRUE(later.duplicate());
  EXPECT_EQ(later.complaint().name(), "partnerships/eastbrook/complaints/1");
  EXPECT_EQ(server_->store().LastPosition(), 1u);  // one ComplaintRecorded, nothing else

  // A new source gets the next number.
  EXPECT_EQ(Record(ComplaintRequest("ASB/2026/002", "cmp-1", Date(2026, 10, 3), Date(2026, 10, 3)))
                .complaint()
                .name(),
            "partnerships/eastbrook/complaints/2");
}

TEST_F(CaseReviewTest, IntakeValidatesEveryField) {
  v1::RecordComplaintRequest bad =
      ComplaintRequest("S-1", "cmp-1", Date(2026, 10, 5), Date(2026, 10, 1));
  bad.mutable_complaint()->set_agency_kind(v1::AGENCY_KIND_UNSPECIFIED);
  bad.mutable_complaint()->set_hate_related(true);
  v1::RecordComplaintResponse out;
  grpc::Status status =
      Call(&v1::ComplaintService::Stub::RecordComplaint, Complaints().get(), bad, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::optional<v1::BadRequest> detail = DetailOf<v1::BadRequest>(status);
  ASSERT_TRUE(detail.has_value());
  std::vector<std::string> rules;
  for (const auto& v : detail->violations()) rules.push_back(v.field() + ":" + v.rule());
  EXPECT_THAT(rules, ElementsAre("complaint.agency_kind:required",
                                 "complaint.reported_date:date_order",
                                 "complaint.hate_strand:required"));
  EXPECT_THAT(status.error_message(),
              HasSubstr("complaint.reported_date: must not be before behaviour_date (2026-10-05), "
                        "got 2026-10-01"));

  v1::RecordComplaintRequest future =
      ComplaintRequest("S-2", "cmp-1", Date(2026, 11, 1), Date(2026, 11, 3));
  status = Call(&v1::ComplaintService::Stub::RecordComplaint, Complaints().get(), future, &out);
  EXPECT_THAT(status.error_message(),
              HasSubstr("complaint.reported_date: must not be in the future (today is 2026-11-02)"));
}

TEST_F(CaseReviewTest, StreamedIntakeAnswersEachItem) {
  grpc::ClientContext context;
  SetIdentity(context);
  v1::StreamComplaintsResponse response;
  std::unique_ptr<v1::ComplaintService::Stub> complaints = Complaints();
  auto writer = complaints->StreamComplaints(&context, &response);
  ASSERT_TRUE(writer->Write(ComplaintRequest("B-1", "cmp-7", Date(2026, 9, 1), Date(2026, 9, 2))));
  v1::RecordComplaintRequest bad = ComplaintRequest("B-2", "", Date(2026, 9, 1), Date(2026, 9, 2));
  ASSERT_TRUE(writer->Write(bad));
  ASSERT_TRUE(writer->Write(ComplaintRequest("B-1", "cmp-7", Date(2026, 9, 1), Date(2026, 9, 2))));
  ASSERT_TRUE(writer->Write(ComplaintRequest("B-3", "cmp-7", Date(2026, 9, 5), Date(2026, 9, 6))));
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 4);
  EXPECT_EQ(response.results(0).code(), 0);
  EXPECT_EQ(response.results(0).response().complaint().name(), "partnerships/eastbrook/complaints/1");
  EXPECT_EQ(response.results(1).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(response.results(1).message(), HasSubstr("complaint.complainant_reference: is required"));
  EXPECT_EQ(response.results(2).code(), 0);  // same request_id as item 0: its reply
  EXPECT_EQ(response.results(2).response().complaint().name(), "partnerships/eastbrook/complaints/1");
  EXPECT_EQ(response.results(3).response().complaint().name(), "partnerships/eastbrook/complaints/2");
}

TEST_F(CaseReviewTest, SecondComplaintExplainsAndThirdReachesTheThreshold) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  Record(ComplaintRequest("N-1", "cmp-3", Date(2026, 9, 1), Date(2026, 9, 2)));
  v1::RecordComplaintResponse second =
      Record(ComplaintRequest("N-2", "cmp-3", Date(2026, 9, 20), Date(2026, 9, 21)));
  ASSERT_EQ(second.complaint().notices_size(), 1);
  EXPECT_EQ(second.complaint().notices(0).kind(), v1::Notice::EXPLAIN_CASE_REVIEW);
  v1::RecordComplaintResponse third =
      Record(ComplaintRequest("N-3", "cmp-3", Date(2026, 10, 20), Date(2026, 10, 21)));
  ASSERT_EQ(third.complaint().notices_size(), 1);
  EXPECT_EQ(third.complaint().notices(0).kind(), v1::Notice::THRESHOLD_REACHED);

  v1::ListNoticesRequest list;
  list.set_parent("partnerships/eastbrook");
  v1::ListNoticesResponse notices;
  ASSERT_TRUE(
      Call(&v1::ComplaintService::Stub::ListNotices, Complaints().get(), list, &notices).ok());
  ASSERT_EQ(notices.notices_size(), 2);
  EXPECT_EQ(notices.notices(0).complaint(), "partnerships/eastbrook/complaints/2");
  EXPECT_EQ(notices.notices(1).kind(), v1::Notice::THRESHOLD_REACHED);

  v1::AcknowledgeNoticeRequest ack;
  ack.set_name("partnerships/eastbrook/complaints/3");
  ack.set_request_id("ack-1");
  ack.set_kind(v1::Notice::THRESHOLD_REACHED);
  ack.set_note("Phoned the victim and sent the case review leaflet");
  v1::RecordComplaintResponse acked;
  ASSERT_TRUE(
      Call(&v1::ComplaintService::Stub::AcknowledgeNotice, Complaints().get(), ack, &acked).ok());
  EXPECT_EQ(acked.complaint().name(), "partnerships/eastbrook/complaints/3");
  ASSERT_EQ(acked.complaint().notices_size(), 1);
  EXPECT_EQ(acked.complaint().notices(0).kind(), v1::Notice::THRESHOLD_REACHED);
  EXPECT_TRUE(acked.complaint().notices(0).acknowledged());
  EXPECT_EQ(acked.complaint().notices(0).acknowledged_by(), "eastbrook-council/u-1");
  notices.Clear();
  ASSERT_TRUE(
      Call(&v1::ComplaintService::Stub::ListNotices, Complaints().get(), list, &notices).ok());
  // Only the second complaint's notice is still open.
  ASSERT_EQ(notices.notices_size(), 1);
  EXPECT_EQ(notices.notices(0).complaint(), "partnerships/eastbrook/complaints/2");
  EXPECT_EQ(notices.notices(0).kind(), v1::Notice::EXPLAIN_CASE_REVIEW);
}

TEST_F(CaseReviewTest, PolicyAboveTheStatutoryCapIsRefusedAndCasesArePinned) {
  v1::Policy too_strict = workflow::LlrDefaultPolicy("eastbrook");
  too_strict.mutable_case_review()->mutable_threshold()->set_complaint_count(4);
  v1::PublishPolicyRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_request_id("p-4");
  *request.mutable_policy() = too_strict;
  v1::Policy out;
  grpc::Status status =
      Call(&v1::PolicyService::Stub::PublishPolicy, Policies().get(), request, &out, "admin");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::optional<v1::BadRequest> detail = DetailOf<v1::BadRequest>(status);
  ASSERT_TRUE(detail.has_value());
  ASSERT_EQ(detail->violations_size(), 1);
  EXPECT_EQ(detail->violations(0).field(), "policy.case_review.threshold.complaint_count");
  EXPECT_EQ(detail->violations(0).rule(), "statutory_cap");

  status =
      Call(&v1::PolicyService::Stub::PublishPolicy, Policies().get(), request, &out, "caseworker");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // No policy yet: an application is refused with a clear reason.
  grpc::Status no_policy = Fail(&Review::ReceiveApplication, Application("cmp-1"),
                                grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(no_policy.error_message(), HasSubstr("has no published policy"));
  std::optional<v1::ErrorInfo> no_policy_info = DetailOf<v1::ErrorInfo>(no_policy);
  ASSERT_TRUE(no_policy_info.has_value());
  EXPECT_EQ(no_policy_info->reason(), "NO_POLICY");

  EXPECT_EQ(Publish(workflow::LlrDefaultPolicy("eastbrook")).version(), 1);
  v1::CaseReview review = Do(&Review::ReceiveApplication, Application("cmp-1"));
  EXPECT_EQ(review.policy_version(), 1);
  v1::Policy v2 = workflow::LlrDefaultPolicy("eastbrook");
  v2.mutable_case_review()->mutable_timescales()->set_threshold_decision("15 working days");
  EXPECT_EQ(Publish(v2, "policy-2").version(), 2);
  EXPECT_EQ(Do(&Review::EvaluateThreshold, v1::CaseReviewCommand()).threshold().policy_version(), 1);
  EXPECT_EQ(Do(&Review::ReceiveApplication, Application("cmp-2")).policy_version(), 2);
}

// Policy sections belong to workflows and the document requires none: a
// policy without the case review's section is published, complaints are
// recorded under it without notices, and case review commands are refused
// with NO_POLICY_SECTION until a policy with the section is published.
TEST_F(CaseReviewTest, PolicyWithoutTheCaseReviewSectionRefusesReviewsUntilOneIsPublished) {
  v1::Policy bare;
  bare.set_title("Interim policy, case review section to follow");
  const v1::Policy published = Publish(bare);
  EXPECT_EQ(published.version(), 1);
  EXPECT_FALSE(published.has_case_review());
  const uint64_t after_publish = server_->store().LastPosition();

  grpc::Status no_section = Fail(&Review::ReceiveApplication, Application("cmp-1"),
                                 grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(no_section.error_message(), HasSubstr("has no case_review section"));
  std::optional<v1::ErrorInfo> info = DetailOf<v1::ErrorInfo>(no_section);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "NO_POLICY_SECTION");
  EXPECT_EQ(server_->store().LastPosition(), after_publish);  // nothing written

  // Complaints are still recorded; without a threshold they raise no notice.
  for (int i = 1; i <= 3; ++i) {
    v1::RecordComplaintResponse recorded = Record(ComplaintRequest(
        absl::StrCat("X-", i), "cmp-1", Date(2026, 9, i * 5), Date(2026, 9, i * 5 + 1)));
    EXPECT_EQ(recorded.complaint().name(), absl::StrCat("partnerships/eastbrook/complaints/", i));
    EXPECT_EQ(recorded.complaint().notices_size(), 0);
  }

  EXPECT_EQ(Publish(workflow::LlrDefaultPolicy("eastbrook"), "policy-2").version(), 2);
  v1::CaseReview review = Do(&Review::ReceiveApplication, Application("cmp-1"));
  EXPECT_EQ(review.state(), v1::CaseReview::RECEIVED);
  EXPECT_EQ(review.policy_version(), 2);
}

TEST_F(CaseReviewTest, AnonymousApplicationsAndMissingConsentAreRefused) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  v1::ReceiveApplicationRequest anonymous = Application("");
  grpc::Status status =
      Fail(&Review::ReceiveApplication, anonymous, grpc::StatusCode::INVALID_ARGUMENT);
  std::optional<v1::BadRequest> detail = DetailOf<v1::BadRequest>(status);
  ASSERT_TRUE(detail.has_value());
  ASSERT_GE(detail->violations_size(), 1);
  EXPECT_EQ(detail->violations(0).rule(), "not_anonymous");

  v1::ReceiveApplicationRequest on_behalf = Application("cmp-1");
  on_behalf.mutable_applicant()->set_representative_reference("cllr-ward-4");
  status = Fail(&Review::ReceiveApplication, on_behalf, grpc::StatusCode::INVALID_ARGUMENT);
  detail = DetailOf<v1::BadRequest>(status);
  ASSERT_TRUE(detail.has_value());
  ASSERT_GE(detail->violations_size(), 1);
  EXPECT_EQ(detail->violations(0).field(), "applicant.consent_recorded");
  on_behalf.mutable_applicant()->set_consent_recorded(true);
  EXPECT_EQ(Do(&Review::ReceiveApplication, on_behalf).state(), v1::CaseReview::RECEIVED);
}

// A case list leaves out the complaints each threshold considered (they
// name complainants, and are most of a weighed review's bytes) unless the
// FULL view is asked for; an unknown view or state is refused by name.
TEST_F(CaseReviewTest, AListLeavesOutTheConsideredComplaintsUnlessAskedForTheFullView) {
  using google::protobuf::util::MessageDifferencer;
  ApplyAfterThreeComplaints("cmp-7");
  const v1::CaseReview weighed = Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  ASSERT_EQ(weighed.threshold().considered_size(), 3);
  v1::CaseReview got = Get();
  got.clear_next_steps();  // a Get's alone
  Do(&Review::ReceiveApplication, Application("cmp-8"));  // not weighed: no threshold
  auto list = [&](int view, v1::ListCaseReviewsResponse* out) {
    v1::ListCaseReviewsRequest r;
    r.set_parent("partnerships/eastbrook");
    r.set_view(static_cast<v1::CaseReviewView>(view));
    return Call(&Review::ListCaseReviews, Reviews().get(), r, out);
  };

  v1::CaseReview basic_review = got;
  basic_review.mutable_threshold()->clear_considered();
  for (const int view : {v1::CASE_REVIEW_VIEW_UNSPECIFIED, v1::CASE_REVIEW_VIEW_BASIC}) {
    v1::ListCaseReviewsResponse basic;
    ASSERT_TRUE(list(view, &basic).ok());
    ASSERT_EQ(basic.case_reviews_size(), 2);
    EXPECT_TRUE(MessageDifferencer::Equals(basic.case_reviews(0), basic_review))
        << basic.case_reviews(0).DebugString();
    EXPECT_EQ(basic.case_reviews(0).threshold().considered_total(), 3);
    EXPECT_EQ(basic.case_reviews(1).name(), "partnerships/eastbrook/caseReviews/2");
    EXPECT_FALSE(basic.case_reviews(1).has_threshold());
  }
  v1::ListCaseReviewsResponse full;
  ASSERT_TRUE(list(v1::CASE_REVIEW_VIEW_FULL, &full).ok());
  ASSERT_EQ(full.case_reviews_size(), 2);
  EXPECT_TRUE(MessageDifferencer::Equals(full.case_reviews(0), got))
      << full.case_reviews(0).DebugString();

  auto refused = [&](int view, int state) {
    v1::ListCaseReviewsRequest r;
    r.set_parent("partnerships/eastbrook");
    r.set_view(static_cast<v1::CaseReviewView>(view));
    r.set_state(static_cast<v1::CaseReview::State>(state));
    v1::ListCaseReviewsResponse out;
    grpc::Status status = Call(&Review::ListCaseReviews, Reviews().get(), r, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    std::optional<v1::BadRequest> detail = DetailOf<v1::BadRequest>(status);
    std::vector<std::string> rules;
    if (detail.has_value()) {
      for (const auto& v : detail->violations()) rules.push_back(v.field() + ":" + v.rule());
    }
    return rules;
  };
  EXPECT_THAT(refused(3, 0), ElementsAre("view:unknown"));
  EXPECT_THAT(refused(0, 99), ElementsAre("state:unknown"));
}

// The complaints a threshold weighed are written once, as a row of their
// own: the review's state (its summary row, and every later command's
// reply) carries only their count, while the evaluation's reply, its retry
// and a Get carry the list.
TEST_F(CaseReviewTest, TheComplaintsWeighedAreARowOfTheirOwnThatAGetPutsBack) {
  using google::protobuf::util::MessageDifferencer;
  ApplyAfterThreeComplaints("cmp-7");
  auto weighed = [](const v1::CaseReview& r) {
    std::vector<std::string> out;
    for (const v1::ConsideredComplaint& c : r.threshold().considered()) {
      out.push_back(absl::StrCat(c.complaint(), " ", c.complainant_reference(), " ", c.rule()));
    }
    return out;
  };
  const auto kWeighed = ElementsAre("partnerships/eastbrook/complaints/1 cmp-7 R1",
                                    "partnerships/eastbrook/complaints/2 cmp-7 R1",
                                    "partnerships/eastbrook/complaints/3 cmp-7 R1");

  v1::CaseReviewCommand evaluate;
  evaluate.set_name(name_);
  evaluate.set_request_id("weigh-1");
  v1::CaseReviewResponse first;
  v1::CaseReviewResponse retried;
  ASSERT_TRUE(Call(&Review::EvaluateThreshold, Reviews().get(), evaluate, &first).ok());
  ASSERT_TRUE(Call(&Review::EvaluateThreshold, Reviews().get(), evaluate, &retried).ok());
  EXPECT_THAT(weighed(first.case_review()), kWeighed);
  EXPECT_TRUE(MessageDifferencer::Equals(retried, first)) << retried.DebugString();

  // Stored: the summary row counts them; their own row lists them.
  absl::StatusOr<std::optional<std::string>> summary =
      server_->store().GetRow(workflow::case_review::CaseReviewWorkflow().SummaryRowKey(name_));
  ASSERT_TRUE(summary.ok() && summary->has_value());
  v1::CaseReview stored;
  ASSERT_TRUE(stored.ParseFromString(**summary));
  EXPECT_EQ(stored.threshold().considered_size(), 0);
  EXPECT_EQ(stored.threshold().considered_total(), 3);
  absl::StatusOr<std::optional<std::string>> row =
      server_->store().GetRow(workflow::case_review::ConsideredRowKey(name_));
  ASSERT_TRUE(row.ok() && row->has_value());
  v1::ThresholdEvaluation listed;
  ASSERT_TRUE(listed.ParseFromString(**row));
  EXPECT_EQ(listed.considered_size(), 3);

  v1::NotifyApplicantRequest notify;
  notify.set_channel("letter");
  const v1::CaseReview told = Do(&Review::NotifyApplicant, notify);
  EXPECT_EQ(told.threshold().considered_size(), 0);
  EXPECT_EQ(told.threshold().considered_total(), 3);
  EXPECT_THAT(weighed(Get()), kWeighed);
}

}  // namespace
}  // namespace casework::services
