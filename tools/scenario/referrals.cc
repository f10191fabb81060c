#include "tools/scenario/referrals.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/panels.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "services/grpc_status.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::scenario {
namespace {

v1::CivilDate Date(int y, int m, int d) { return workflow::ToCivilDate(absl::CivilDay(y, m, d)); }

absl::Status Check(const grpc::Status& status, const std::string& what) {
  return services::FromGrpcStatus(status, what);
}

template <typename Req>
absl::Status Step(v1::CaseReviewService::Stub& stub,
                  grpc::Status (v1::CaseReviewService::Stub::*method)(grpc::ClientContext*,
                                                                      const Req&,
                                                                      v1::CaseReviewResponse*),
                  Req request, const std::string& id, v1::CaseReviewResponse* out) {
  request.set_request_id(id);
  grpc::ClientContext context;
  Identify(context);
  return Check((stub.*method)(&context, request, out), id);
}

}  // namespace

void Identify(grpc::ClientContext& context, const std::string& role, const std::string& process) {
  context.AddMetadata("x-casework-agency", "eastbrook-council");
  context.AddMetadata("x-casework-user", "scenario-officer");
  context.AddMetadata("x-casework-role", role);
  context.AddMetadata("x-casework-purpose", "Following a referral to the panel");
  if (!process.empty()) context.AddMetadata("x-casework-process", process);
}

absl::Status PublishPolicy(const std::shared_ptr<grpc::Channel>& channel,
                           const std::string& process) {
  auto stub = v1::PolicyService::NewStub(channel);
  grpc::ClientContext context;
  Identify(context, "admin", process);
  v1::PublishPolicyRequest request;
  request.set_parent(kPartnership);
  request.set_request_id("scenario-policy-1");
  *request.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
  v1::Policy policy;
  return Check(stub->PublishPolicy(&context, request, &policy), "policy");
}

absl::StatusOr<std::string> ReferRecommendations(const std::shared_ptr<grpc::Channel>& channel,
                                                 const std::string& complainant, int count) {
  auto complaints = v1::ComplaintService::NewStub(channel);
  const v1::CivilDate reported[] = {Date(2026, 9, 1), Date(2026, 10, 1), Date(2026, 10, 20)};
  for (int i = 0; i < 3; ++i) {
    v1::RecordComplaintRequest r;
    r.set_parent(kPartnership);
    const std::string ref = absl::StrCat(complainant, "-", i);
    r.set_request_id(ref);
    v1::Complaint& c = *r.mutable_complaint();
    c.set_complainant_reference(complainant);
    c.set_agency("shire-police");
    c.set_agency_kind(v1::POLICE);
    c.set_source_system("sentinel");
    c.set_source_reference(ref);
    c.set_incident_reference(absl::StrCat("INC-", ref));
    *c.mutable_behaviour_date() = reported[i];
    *c.mutable_reported_date() = reported[i];
    c.set_category(v1::PERSONAL);
    c.set_locality("mill-lane");
    grpc::ClientContext context;
    Identify(context);
    v1::RecordComplaintResponse response;
    RETURN_IF_ERROR(Check(complaints->RecordComplaint(&context, r, &response), ref));
  }
  auto reviews = v1::CaseReviewService::NewStub(channel);
  v1::CaseReviewResponse out;
  v1::ReceiveApplicationRequest application;
  application.set_parent(kPartnership);
  application.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
  application.mutable_applicant()->set_complainant_reference(complainant);
  application.mutable_applicant()->set_locality("mill-lane");
  application.mutable_applicant()->set_category(v1::PERSONAL);
  *application.mutable_received_date() = Date(2026, 11, 2);
  application.set_description("Repeated noise and intimidation from a neighbouring flat");
  RETURN_IF_ERROR(Step(*reviews, &v1::CaseReviewService::Stub::ReceiveApplication, application,
                       complainant + "-application", &out));
  const std::string name = out.case_review().name();
  v1::CaseReviewCommand evaluate;
  evaluate.set_name(name);
  RETURN_IF_ERROR(Step(*reviews, &v1::CaseReviewService::Stub::EvaluateThreshold, evaluate,
                       complainant + "-threshold", &out));
  v1::AssignLeadOfficerRequest assign;
  assign.set_name(name);
  RETURN_IF_ERROR(Step(*reviews, &v1::CaseReviewService::Stub::AssignLeadOfficer, assign,
                       complainant + "-officer", &out));
  v1::RecordReviewMeetingRequest meeting;
  meeting.set_name(name);
  *meeting.mutable_date() = Date(2026, 11, 9);
  meeting.add_attendees("eastbrook-council");
  meeting.add_attendees("shire-police");
  RETURN_IF_ERROR(Step(*reviews, &v1::CaseReviewService::Stub::RecordReviewMeeting, meeting,
                       complainant + "-meeting", &out));
  v1::RecordOutcomeRequest outcome;
  outcome.set_name(name);
  for (int i = 1; i <= count; ++i) {
    v1::Recommendation* rec = outcome.add_recommendations();
    rec->set_text(absl::StrCat("The JAG to manage the perpetrator, part ", i));
    rec->set_lead_agency("shire-police");
    *rec->mutable_due_date() = Date(2026, 12, 18);
  }
  RETURN_IF_ERROR(Step(*reviews, &v1::CaseReviewService::Stub::RecordOutcome, outcome,
                       complainant + "-outcome", &out));
  for (int i = 1; i <= count; ++i) {
    v1::ReferRecommendationRequest refer;
    refer.set_name(name);
    refer.set_recommendation_id(i);
    refer.set_panel("jag");
    refer.mutable_subject()->set_kind(v1::SUBJECT_PERSON);
    refer.mutable_subject()->set_reference(absl::StrCat("PN-", complainant, "-", i));
    refer.mutable_subject()->set_display_name("Robin Vale");
    *refer.mutable_subject()->mutable_date_of_birth() = Date(1990, 4, 9);
    refer.set_lawful_basis(v1::LAW_ENFORCEMENT);
    RETURN_IF_ERROR(Step(*reviews, &v1::CaseReviewService::Stub::ReferRecommendation, refer,
                         absl::StrCat(complainant, "-refer-", i), &out));
  }
  return name;
}

absl::StatusOr<std::vector<v1::PanelCase>> ListPanelCases(
    const std::shared_ptr<grpc::Channel>& channel) {
  auto panels = v1::PanelService::NewStub(channel);
  std::vector<v1::PanelCase> cases;
  v1::ListPanelCasesRequest list;
  list.set_parent(kPartnership);
  list.set_page_size(1000);
  do {
    grpc::ClientContext context;
    Identify(context, "panel_chair");
    v1::ListPanelCasesResponse page;
    RETURN_IF_ERROR(Check(panels->ListPanelCases(&context, list, &page), "panel cases"));
    for (v1::PanelCase& c : *page.mutable_panel_cases()) cases.push_back(std::move(c));
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  return cases;
}

}  // namespace casework::scenario
