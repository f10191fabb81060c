// The fixture of the case review's end-to-end tests over gRPC: a server on
// an injected clock (Monday 2 November 2026), stubs, policy publication,
// complaint requests and case review commands with fresh request ids.
#ifndef CASEWORK_TESTS_SERVICES_CASE_REVIEW_FIXTURE_H_
#define CASEWORK_TESTS_SERVICES_CASE_REVIEW_FIXTURE_H_

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

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

namespace casework::services::case_review_testing {

using ::casework::testing::DetailOf;
using ::casework::testing::London;
using ::casework::testing::SetIdentity;
using Review = v1::CaseReviewService::Stub;

using ::casework::testing::At;
using ::casework::testing::Date;
inline std::string Due(const v1::CaseReview& review, const std::string& deadline) {
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

  // GetCaseReview of the review as a caseworker of eastbrook-council, which
  // must succeed.
  v1::CaseReview Get() {
    v1::GetCaseReviewRequest request;
    request.set_name(name_);
    v1::CaseReview out;
    grpc::Status status = Call(&Review::GetCaseReview, Reviews().get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Publishes the default policy, records three complaints of
  // `complainant` in the six months to 2 November 2026 (police, council,
  // housing provider) and receives their application.
  void ApplyAfterThreeComplaints(const std::string& complainant) {
    Publish(workflow::LlrDefaultPolicy("eastbrook"));
    Record(ComplaintRequest(complainant + "-1", complainant, Date(2026, 8, 30), Date(2026, 9, 1)));
    Record(ComplaintRequest(complainant + "-2", complainant, Date(2026, 9, 28), Date(2026, 10, 1),
                            v1::COUNCIL));
    Record(ComplaintRequest(complainant + "-3", complainant, Date(2026, 10, 18), Date(2026, 10, 20),
                            v1::HOUSING_PROVIDER));
    Do(&Review::ReceiveApplication, Application(complainant));
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

}  // namespace casework::services::case_review_testing

#endif  // CASEWORK_TESTS_SERVICES_CASE_REVIEW_FIXTURE_H_
