// The ASB case review end to end over gRPC with an injected clock: intake
// and de-duplication, proactive notices, policy publication and pinning, the
// full lifecycle through appeal and closure, illegal transitions, and a
// scripted year of statutory figures.
#include <grpcpp/grpcpp.h>

#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/call_context.h"
#include "services/server.h"
#include "storage/rebuild.h"
#include "tests/support/server_fixture.h"
#include "tests/support/test_support.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::casework::testing::DetailOf;
using ::casework::testing::London;
using ::casework::testing::SetIdentity;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Review = v1::CaseReviewService::Stub;

absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0), London());
}
v1::CivilDate Date(int y, int m, int d) {
  return workflow::ToCivilDate(absl::CivilDay(y, m, d));
}
std::string Due(const v1::CaseReview& review, const std::string& deadline) {
  for (const v1::Deadline& d : review.deadlines()) {
    if (d.name() == deadline) {
      return absl::StrCat(workflow::FormatDate(d.due()), " ", v1::Deadline::State_Name(d.state()));
    }
  }
  return "none";
}

class CaseReviewTest : public casework::testing::ServerFixture {
 protected:
  CaseReviewTest() : ServerFixture(At(2026, 11, 2)) {}  // Monday 2 November 2026

  // Stubs over the in-process channel of the running server.
  std::unique_ptr<Review> Reviews() { return v1::CaseReviewService::NewStub(InProcess()); }
  std::unique_ptr<v1::ComplaintService::Stub> Complaints() {
    return v1::ComplaintService::NewStub(InProcess());
  }
  std::unique_ptr<v1::PolicyService::Stub> Policies() {
    return v1::PolicyService::NewStub(InProcess());
  }

  v1::Policy Publish(v1::Policy policy, const std::string& request_id = "policy-1") {
    v1::PublishPolicyRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_request_id(request_id);
    *request.mutable_policy() = std::move(policy);
    v1::Policy out;
    grpc::Status status = Call(&v1::PolicyService::Stub::PublishPolicy, Policies().get(), request,
                               &out, "admin");
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::RecordComplaintRequest ComplaintRequest(const std::string& source_ref,
                                              const std::string& complainant,
                                              v1::CivilDate behaviour, v1::CivilDate reported,
                                              v1::AgencyKind kind = v1::POLICE,
                                              const std::string& incident = "") {
    v1::RecordComplaintRequest r;
    r.set_parent("partnerships/eastbrook");
    r.set_request_id("rq-" + source_ref);
    v1::Complaint& c = *r.mutable_complaint();
    c.set_complainant_reference(complainant);
    c.set_agency(kind == v1::POLICE ? "shire-police" : "eastbrook-council");
    c.set_agency_kind(kind);
    c.set_source_system("sentinel");
    c.set_source_reference(source_ref);
    c.set_incident_reference(incident.empty() ? "INC-" + source_ref : incident);
    *c.mutable_behaviour_date() = behaviour;
    *c.mutable_reported_date() = reported;
    c.set_category(v1::PERSONAL);
    c.set_locality("mill-lane");
    return r;
  }

  v1::RecordComplaintResponse Record(const v1::RecordComplaintRequest& request) {
    v1::RecordComplaintResponse out;
    grpc::Status status =
        Call(&v1::ComplaintService::Stub::RecordComplaint, Complaints().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Sends a case review command, filling name (but for an application) and a
  // fresh request_id.
  template <typename Req>
  grpc::Status Send(grpc::Status (Review::*method)(grpc::ClientContext*, const Req&,
                                                   v1::CaseReviewResponse*),
                    Req request, const std::string& role, v1::CaseReviewResponse* out) {
    if constexpr (!std::is_same_v<Req, v1::ReceiveApplicationRequest>) request.set_name(name_);
    request.set_request_id(absl::StrCat("cr-", ++request_counter_));
    return Call(method, Reviews().get(), request, out, role);
  }
  // Runs a case review command that must succeed.
  template <typename Req>
  v1::CaseReview Do(grpc::Status (Review::*method)(grpc::ClientContext*, const Req&,
                                                   v1::CaseReviewResponse*),
                    Req request, const std::string& role = "caseworker") {
    v1::CaseReviewResponse out;
    grpc::Status status = Send(method, std::move(request), role, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (std::is_same_v<Req, v1::ReceiveApplicationRequest>) name_ = out.case_review().name();
    return out.case_review();
  }
  // Runs a case review command that must fail with `code`; returns its
  // status.
  template <typename Req>
  grpc::Status Fail(grpc::Status (Review::*method)(grpc::ClientContext*, const Req&,
                                                   v1::CaseReviewResponse*),
                    Req request, grpc::StatusCode code, const std::string& role = "caseworker") {
    v1::CaseReviewResponse out;
    grpc::Status status = Send(method, std::move(request), role, &out);
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    return status;
  }

  v1::ReceiveApplicationRequest Application(const std::string& complainant) {
    v1::ReceiveApplicationRequest r;
    r.set_parent("partnerships/eastbrook");
    r.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
    r.mutable_applicant()->set_complainant_reference(complainant);
    r.mutable_applicant()->set_locality("mill-lane");
    r.mutable_applicant()->set_category(v1::PERSONAL);
    r.set_description("Repeated noise and intimidation from a neighbouring flat");
    return r;
  }

  std::vector<std::string> EventTypes(const std::string& stream) {
    std::vector<std::string> types;
    absl::StatusOr<std::vector<v1::EventEnvelope>> events =
        server_->store().ReadStream(stream, 1, 10000);
    EXPECT_TRUE(events.ok());
    for (const v1::EventEnvelope& e : *events) {
      const std::string& url = e.payload().type_url();
      types.push_back(url.substr(url.rfind('.') + 1));
    }
    return types;
  }

  std::string name_;
  int request_counter_ = 0;
};

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

TEST_F(CaseReviewTest, FullLifecycleThroughAppealAndClosure) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  Record(ComplaintRequest("L-1", "cmp-9", Date(2026, 8, 30), Date(2026, 9, 1)));
  Record(ComplaintRequest("L-2", "cmp-9", Date(2026, 9, 28), Date(2026, 10, 1), v1::COUNCIL));
  Record(ComplaintRequest("L-3", "cmp-9", Date(2026, 10, 18), Date(2026, 10, 20), v1::HOUSING_PROVIDER));

  v1::CaseReview r = Do(&Review::ReceiveApplication, Application("cmp-9"));
  EXPECT_EQ(r.name(), "partnerships/eastbrook/caseReviews/1");
  EXPECT_EQ(Due(r, "acknowledge"), "2026-11-09 RUNNING");
  EXPECT_EQ(Due(r, "threshold_decision"), "2026-11-16 RUNNING");

  // Illegal now: the outcome before anything else.
  v1::RecordOutcomeRequest early;
  early.set_no_further_action_reason("n/a");
  grpc::Status illegal =
      Fail(&Review::RecordOutcome, early, grpc::StatusCode::FAILED_PRECONDITION);
  std::optional<v1::IllegalTransition> t = DetailOf<v1::IllegalTransition>(illegal);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->current_state(), "RECEIVED");
  EXPECT_THAT(t->allowed_commands(), ElementsAre("AcknowledgeApplication", "EvaluateThreshold",
                                                 "OverrideThreshold", "WithdrawApplication"));

  r = Do(&Review::AcknowledgeApplication, v1::CaseReviewCommand());
  EXPECT_EQ(Due(r, "acknowledge"), "2026-11-09 MET");
  r = Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  EXPECT_EQ(r.state(), v1::CaseReview::THRESHOLD_MET);
  EXPECT_EQ(r.threshold().deciding_rule(), "R1_COMPLAINTS");
  EXPECT_EQ(r.threshold().considered_size(), 3);
  EXPECT_EQ(Due(r, "threshold_decision"), "2026-11-16 MET");
  EXPECT_EQ(Due(r, "review_meeting"), "2026-12-07 RUNNING");

  v1::NotifyApplicantRequest notify;
  notify.set_channel("letter");
  Do(&Review::NotifyApplicant, notify);
  r = Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest());
  EXPECT_EQ(r.state(), v1::CaseReview::IN_REVIEW);
  EXPECT_EQ(r.lead_officer(), "off-council-1");
  EXPECT_EQ(r.lead_agency(), "eastbrook-council");

  v1::AgencyInformationRequest info;
  info.set_agency("shire-police");
  Do(&Review::RequestAgencyInformation, info);
  info.set_summary("Three attendances, one warning issued");
  Do(&Review::RecordAgencyInformation, info);
  Do(&Review::InviteVictim, v1::CaseReviewCommand());

  clock_.Set(At(2026, 11, 20));
  v1::RecordReviewMeetingRequest meeting;
  *meeting.mutable_date() = Date(2026, 11, 20);
  meeting.add_attendees("eastbrook-council");
  meeting.add_attendees("shire-police");
  meeting.add_attendees("eastbrook-homes");
  meeting.set_victim_attended(true);
  r = Do(&Review::RecordReviewMeeting, meeting);
  EXPECT_EQ(Due(r, "review_meeting"), "2026-12-07 MET");
  EXPECT_EQ(Due(r, "outcome_letter"), "2026-11-27 RUNNING");

  v1::RecordOfficerHoursRequest hours;
  hours.set_hours(12.5);
  Do(&Review::RecordOfficerHours, hours);
  v1::RecordOutcomeRequest outcome;
  v1::Recommendation* rec = outcome.add_recommendations();
  rec->set_text("Joint visit by housing and police within two weeks");
  rec->set_lead_agency("eastbrook-homes");
  *rec->mutable_due_date() = Date(2026, 12, 4);
  rec = outcome.add_recommendations();
  rec->set_text("Refer the perpetrator to the JAG");
  rec->set_lead_agency("shire-police");
  *rec->mutable_due_date() = Date(2026, 12, 18);
  r = Do(&Review::RecordOutcome, outcome);
  EXPECT_EQ(r.state(), v1::CaseReview::OUTCOME_DECIDED);
  EXPECT_EQ(Due(r, "recommendation_2"), "2026-12-18 RUNNING");

  clock_.Set(At(2026, 11, 24));
  r = Do(&Review::CommunicateOutcome, v1::CaseReviewCommand());
  EXPECT_EQ(Due(r, "outcome_letter"), "2026-11-27 MET");
  EXPECT_EQ(Due(r, "appeal_window"), "2026-12-22 RUNNING");

  v1::LodgeAppealRequest appeal;
  appeal.set_ground("Not happy");
  grpc::Status bad_ground =
      Fail(&Review::LodgeAppeal, appeal, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_ground.error_message(), HasSubstr("ground: must be one of the policy's grounds"));
  appeal.set_ground("The outcome did not consider all the information provided");
  r = Do(&Review::LodgeAppeal, appeal);
  EXPECT_EQ(r.state(), v1::CaseReview::APPEAL_LODGED);
  EXPECT_EQ(Due(r, "appeal_papers"), "2026-11-25 RUNNING");
  v1::SendAppealPapersRequest papers;
  papers.set_chair("chair-westvale-csp");
  r = Do(&Review::SendAppealPapers, papers);
  EXPECT_EQ(Due(r, "appeal_papers"), "2026-11-25 MET");

  v1::DecideAppealRequest decision;
  decision.set_upheld(true);
  decision.set_reason("The housing provider's records were not considered");
  r = Do(&Review::DecideAppeal, decision);
  EXPECT_EQ(r.state(), v1::CaseReview::IN_REVIEW);
  EXPECT_EQ(r.round(), 2);
  EXPECT_EQ(r.lead_officer(), "off-police-1");  // a new lead, fewest open reviews
  EXPECT_THAT(r.previous_lead_officers(), ElementsAre("off-council-1"));
  EXPECT_EQ(Due(r, "recommendation_1"), "2026-12-04 CANCELLED");
  // 25 working days from Tue 24 Nov 2026, skipping 25 and 28 December.
  EXPECT_EQ(Due(r, "review_meeting"), "2026-12-31 RUNNING");

  clock_.Set(At(2026, 12, 8));
  *meeting.mutable_date() = Date(2026, 12, 8);
  Do(&Review::RecordReviewMeeting, meeting);
  v1::RecordOutcomeRequest second;
  v1::Recommendation* again = second.add_recommendations();
  again->set_text("Acceptable behaviour contract with the perpetrator");
  again->set_lead_agency("eastbrook-homes");
  *again->mutable_due_date() = Date(2027, 1, 15);
  Do(&Review::RecordOutcome, second);
  Do(&Review::CommunicateOutcome, v1::CaseReviewCommand());
  // The chair's decision is final: no second appeal.
  appeal.set_details("again");
  grpc::Status final_decision =
      Fail(&Review::LodgeAppeal, appeal, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(final_decision.error_message(), HasSubstr("the decision is final"));

  v1::RecommendationProgressRequest progress;
  progress.set_recommendation_id(1);
  progress.set_note("Contract signed");
  progress.set_completed(true);
  r = Do(&Review::RecordRecommendationProgress, progress);
  EXPECT_EQ(Due(r, "recommendation_1"), "2027-01-15 MET");
  v1::CloseCaseReviewRequest close;
  close.set_reason("Recommendations complete; the applicant was told by letter");
  r = Do(&Review::CloseCaseReview, close);
  EXPECT_EQ(r.state(), v1::CaseReview::CLOSED);
  EXPECT_EQ(Due(r, "appeal_window"), "2027-01-08 CANCELLED");

  grpc::Status after_close =
      Fail(&Review::RecordOfficerHours, hours, grpc::StatusCode::FAILED_PRECONDITION);
  std::optional<v1::IllegalTransition> closed = DetailOf<v1::IllegalTransition>(after_close);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->current_state(), "CLOSED");
  // An appeal in time re-opens a closed case; this one's appeal was decided.
  EXPECT_THAT(closed->allowed_commands(), ElementsAre("LodgeAppeal"));

  EXPECT_THAT(EventTypes(r.name()),
              ElementsAre("ApplicationReceived", "DeadlineSet", "DeadlineSet",
                          "ApplicationAcknowledged", "DeadlineMet",
                          "ThresholdEvaluated", "DeadlineMet", "DeadlineSet",
                          "ApplicantNotified", "LeadOfficerAssigned",
                          "AgencyInformationRequested", "AgencyInformationReceived", "VictimInvited",
                          "ReviewMeetingRecorded", "DeadlineMet", "DeadlineSet",
                          "OfficerHoursRecorded", "OutcomeRecorded", "DeadlineSet", "DeadlineSet",
                          "OutcomeCommunicated", "DeadlineMet", "DeadlineSet",
                          "AppealLodged", "DeadlineMet", "DeadlineSet",
                          "AppealPapersSent", "DeadlineMet",
                          "AppealDecided", "DeadlineCancelled", "DeadlineCancelled",
                          "ReviewReopened", "LeadOfficerAssigned", "DeadlineSet",
                          "ReviewMeetingRecorded", "DeadlineMet", "DeadlineSet",
                          "OutcomeRecorded", "DeadlineSet",
                          "OutcomeCommunicated", "DeadlineMet", "DeadlineSet",
                          "RecommendationProgressed", "DeadlineMet",
                          "CaseReviewClosed", "ApplicantNotified", "DeadlineCancelled"));
  absl::StatusOr<storage::VerifyReport> report = storage::VerifyStore(server_->store(), London());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty());
}

TEST_F(CaseReviewTest, ThresholdNotMetMustBeToldBeforeClosing) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  Record(ComplaintRequest("T-1", "cmp-4", Date(2026, 10, 1), Date(2026, 10, 2)));
  Do(&Review::ReceiveApplication, Application("cmp-4"));
  v1::CaseReview r = Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  EXPECT_EQ(r.state(), v1::CaseReview::THRESHOLD_NOT_MET);
  EXPECT_EQ(r.threshold().deciding_rule(), "NOT_MET");
  v1::CloseCaseReviewRequest close;
  close.set_reason("Threshold not met");
  grpc::Status not_told =
      Fail(&Review::CloseCaseReview, close, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(not_told.error_message(), HasSubstr("NotifyApplicant"));

  // The SPOC may still use discretion; only a SPOC.
  v1::OverrideThresholdRequest override_request;
  override_request.set_reason("Victim is elderly and isolated");
  Fail(&Review::OverrideThreshold, override_request, grpc::StatusCode::PERMISSION_DENIED);
  r = Do(&Review::OverrideThreshold, override_request, "spoc");
  EXPECT_EQ(r.state(), v1::CaseReview::THRESHOLD_MET);
  EXPECT_EQ(r.threshold().deciding_rule(), "SPOC_OVERRIDE");
  EXPECT_EQ(r.threshold().override_reason(), "Victim is elderly and isolated");
  EXPECT_EQ(r.threshold().considered_size(), 1);  // the evaluation's list is kept
}

// A scripted year: five applications in 2025/26 and one before it.
TEST_F(CaseReviewTest, ScriptedYearGivesExactStatutoryFigures) {
  clock_.Set(At(2025, 3, 3));
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  auto three_complaints = [&](const std::string& who, int y, int m) {
    for (int i = 1; i <= 3; ++i) {
      Record(ComplaintRequest(absl::StrCat(who, "-", i), who, Date(y, m, i * 5), Date(y, m, i * 5 + 1)));
    }
  };
  auto run_review = [&](double hours, bool recommendations) {
    Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
    Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest());
    v1::RecordReviewMeetingRequest meeting;
    *meeting.mutable_date() = workflow::ToCivilDate(absl::ToCivilDay(clock_.Now(), London()));
    meeting.add_attendees("eastbrook-council");
    Do(&Review::RecordReviewMeeting, meeting);
    v1::RecordOfficerHoursRequest h;
    h.set_hours(hours);
    Do(&Review::RecordOfficerHours, h);
    v1::RecordOutcomeRequest outcome;
    if (recommendations) {
      v1::Recommendation* rec = outcome.add_recommendations();
      rec->set_text("Mediation between the households");
      rec->set_lead_agency("eastbrook-homes");
      *rec->mutable_due_date() = workflow::ToCivilDate(absl::ToCivilDay(clock_.Now(), London()) + 30);
    } else {
      outcome.set_no_further_action_reason("Agencies acted appropriately");
    }
    Do(&Review::RecordOutcome, outcome);
    Do(&Review::CommunicateOutcome, v1::CaseReviewCommand());
  };

  // Before the period (March 2025).
  three_complaints("cmp-f", 2025, 2);
  Do(&Review::ReceiveApplication, Application("cmp-f"));
  run_review(40, true);

  // A: threshold not met (one complaint), told, closed.
  clock_.Set(At(2025, 5, 12));
  Record(ComplaintRequest("cmp-a-1", "cmp-a", Date(2025, 5, 1), Date(2025, 5, 2)));
  Do(&Review::ReceiveApplication, Application("cmp-a"));
  Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  v1::NotifyApplicantRequest notify;
  notify.set_channel("letter");
  Do(&Review::NotifyApplicant, notify);
  v1::CloseCaseReviewRequest close;
  close.set_reason("Threshold not met; other support offered");
  Do(&Review::CloseCaseReview, close);

  // B: review with a recommendation, 80 hours.
  clock_.Set(At(2025, 7, 14));
  three_complaints("cmp-b", 2025, 6);
  Do(&Review::ReceiveApplication, Application("cmp-b"));
  run_review(80, true);

  // C: review, no further action, 96.5 hours.
  clock_.Set(At(2025, 9, 15));
  three_complaints("cmp-c", 2025, 8);
  Do(&Review::ReceiveApplication, Application("cmp-c"));
  run_review(96.5, false);

  // D: withdrawn during the review.
  clock_.Set(At(2025, 11, 10));
  three_complaints("cmp-d", 2025, 10);
  Do(&Review::ReceiveApplication, Application("cmp-d"));
  Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest());
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_reason("The applicant moved away");
  Do(&Review::WithdrawApplication, withdraw);

  // E: threshold not met, SPOC override, review with a recommendation (172
  // hours), appeal dismissed.
  // (In another locality, so the community rule does not count the others.)
  clock_.Set(At(2026, 2, 9));
  v1::RecordComplaintRequest e1 =
      ComplaintRequest("cmp-e-1", "cmp-e", Date(2026, 1, 20), Date(2026, 1, 21));
  e1.mutable_complaint()->set_locality("station-road");
  Record(e1);
  v1::ReceiveApplicationRequest e_application = Application("cmp-e");
  e_application.mutable_applicant()->set_locality("station-road");
  Do(&Review::ReceiveApplication, e_application);
  Do(&Review::EvaluateThreshold, v1::CaseReviewCommand());
  v1::OverrideThresholdRequest override_request;
  override_request.set_reason("Vulnerable victim");
  Do(&Review::OverrideThreshold, override_request, "spoc");
  Do(&Review::AssignLeadOfficer, v1::AssignLeadOfficerRequest());
  v1::RecordReviewMeetingRequest meeting;
  *meeting.mutable_date() = Date(2026, 2, 9);
  meeting.add_attendees("shire-police");
  Do(&Review::RecordReviewMeeting, meeting);
  v1::RecordOfficerHoursRequest h;
  h.set_hours(172);
  Do(&Review::RecordOfficerHours, h);
  v1::RecordOutcomeRequest outcome;
  v1::Recommendation* rec = outcome.add_recommendations();
  rec->set_text("Community protection warning");
  rec->set_lead_agency("eastbrook-council");
  *rec->mutable_due_date() = Date(2026, 3, 31);
  Do(&Review::RecordOutcome, outcome);
  Do(&Review::CommunicateOutcome, v1::CaseReviewCommand());
  v1::LodgeAppealRequest appeal;
  appeal.set_ground("The case review process was not followed");
  Do(&Review::LodgeAppeal, appeal);
  v1::SendAppealPapersRequest papers;
  papers.set_chair("chair-westvale-csp");
  Do(&Review::SendAppealPapers, papers);
  v1::DecideAppealRequest decision;
  decision.set_upheld(false);
  decision.set_reason("The process was followed");
  Do(&Review::DecideAppeal, decision);

  v1::GetCaseReviewFiguresRequest request;
  request.set_parent("partnerships/eastbrook");
  *request.mutable_from() = Date(2025, 4, 1);
  *request.mutable_to() = Date(2026, 3, 31);
  request.set_csv(true);
  v1::CaseReviewFigures f;
  grpc::Status status =
      Call(&Review::GetCaseReviewFigures, Reviews().get(), request, &f);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(f.applications_received(), 5);
  EXPECT_EQ(f.threshold_not_met(), 1);
  EXPECT_EQ(f.reviews_carried_out(), 3);
  EXPECT_EQ(f.reviews_with_recommendations(), 2);
  EXPECT_EQ(f.withdrawn(), 1);
  EXPECT_EQ(f.appeals_received(), 1);
  EXPECT_EQ(f.appeals_upheld(), 0);
  EXPECT_DOUBLE_EQ(f.officer_hours_total(), 348.5);
  EXPECT_DOUBLE_EQ(f.officer_hours_median(), 96.5);
  std::vector<std::string> agencies;
  for (const v1::AgencyCount& a : f.by_lead_agency()) agencies.push_back(absl::StrCat(a.agency(), "=", a.reviews()));
  // Leads by fewest open reviews in pool order: F council-1, B police-1,
  // C police-2, D homes-1 (then withdrawn, which frees it), E homes-1.
  EXPECT_THAT(agencies, ElementsAre("eastbrook-homes=2", "shire-police=2"));
  EXPECT_THAT(f.csv(), HasSubstr("applications_received,5\n"));
  EXPECT_THAT(f.csv(), HasSubstr("officer_hours_total,348.5\n"));
}

}  // namespace
}  // namespace casework::services
