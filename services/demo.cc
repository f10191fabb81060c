#include "services/demo.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/death_reviews.grpc.pb.h"
#include "casework/v1/panels.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "services/call_context.h"
#include "services/grpc_status.h"
#include "workflow/registry.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

struct DemoAction {
  const char* title;
  const char* owner;
  int year, month, day;
  const char* source;
};

// Fictional actions in the style of a partnership action log.
constexpr DemoAction kActions[] = {
    {"Arrange a joint visit with housing to the flats on Mill Lane", "eastbrook-homes", 2026,
     12, 4, "JAG meeting November 2026"},
    {"Share the hate-crime reporting leaflet with the mosque and the synagogue",
     "eastbrook-council", 2026, 12, 11, "JAG meeting November 2026"},
    {"Review lighting and CCTV coverage of the underpass by the station", "eastbrook-council",
     2026, 11, 13, "LCDG October 2026"},
    {"Offer diversionary activities to the young people gathering at the skate park",
     "shire-police", 2027, 1, 15, "YJAG November 2026"},
};

struct DemoComplaint {
  const char* source_reference;
  const char* complainant;
  const char* agency;
  v1::AgencyKind kind;
  const char* incident;
  int behaviour_month, behaviour_day, reported_month, reported_day;
  bool hate;
};

// A fictional ledger: cmp-demo-1 has three complaints about separate
// incidents (one reported to two agencies), cmp-demo-2 one hate incident,
// cmp-demo-3 a single complaint.
constexpr DemoComplaint kComplaints[] = {
    {"SEN-2026-0411", "cmp-demo-1", "shire-police", v1::POLICE, "INC-2026-101", 7, 3, 7, 4, false},
    {"SEN-2026-0412", "cmp-demo-1", "eastbrook-council", v1::COUNCIL, "INC-2026-101", 7, 3, 7, 6, false},
    {"SEN-2026-0519", "cmp-demo-1", "eastbrook-homes", v1::HOUSING_PROVIDER, "INC-2026-140", 8, 14, 8, 15, false},
    {"SEN-2026-0602", "cmp-demo-1", "shire-police", v1::POLICE, "INC-2026-188", 9, 20, 9, 21, false},
    {"SEN-2026-0655", "cmp-demo-2", "shire-police", v1::POLICE, "INC-2026-201", 10, 2, 10, 2, true},
    {"SEN-2026-0700", "cmp-demo-3", "eastbrook-council", v1::COUNCIL, "INC-2026-230", 10, 12, 10, 30, false},
};

void SetDemoIdentity(grpc::ClientContext& context, const char* role = "caseworker") {
  context.AddMetadata(kAgencyHeader, "eastbrook-council");
  context.AddMetadata(kUserHeader, "demo-loader");
  context.AddMetadata(kRoleHeader, role);
}

absl::Status Check(const grpc::Status& status, absl::string_view what) {
  return FromGrpcStatus(status, absl::StrCat("demo ", what));
}

}  // namespace

namespace {

// Three fictional panel cases (two on the youth panel, one on the adults
// panel), assessed, and the youth panel's next meeting.
absl::Status LoadDemoPanels(const std::shared_ptr<grpc::Channel>& channel) {
  auto panels = v1::PanelService::NewStub(channel);
  struct DemoCase {
    const char* panel;
    const char* name;
    int born_year;
    v1::RiskLevel others, self;
    std::vector<v1::AggravatingFactor> factors;
  };
  const DemoCase cases[] = {
      {"yjag", "Robin Ashdown", 2011, v1::RISK_HIGH, v1::RISK_MEDIUM,
       {v1::COUNTY_LINES, v1::MISSING_EPISODES}},
      {"yjag", "Sam Kettering", 2012, v1::RISK_HIGH, v1::RISK_LOW, {}},
      {"aarg", "Alex Penrose", 1979, v1::RISK_MEDIUM, v1::RISK_VERY_HIGH, {v1::CUCKOOING}},
  };
  int i = 0;
  for (const DemoCase& d : cases) {
    ++i;
    v1::ReferCaseRequest refer;
    refer.set_parent("partnerships/eastbrook");
    refer.set_request_id(absl::StrCat("demo-panel-case-", i));
    refer.set_panel(d.panel);
    v1::PanelSubject& subject = *refer.mutable_subject();
    subject.set_kind(v1::SUBJECT_PERSON);
    subject.set_reference(absl::StrCat("DEMO-PN-", i));
    subject.set_display_name(d.name);
    subject.mutable_date_of_birth()->set_year(d.born_year);
    subject.mutable_date_of_birth()->set_month(5);
    subject.mutable_date_of_birth()->set_day(5);
    subject.set_locality("mill-lane");
    refer.set_referrer_agency("shire-police");
    refer.set_reason("Fictional demo referral");
    refer.set_lawful_basis(v1::SAFEGUARDING);
    v1::PanelCaseResponse referred;
    grpc::ClientContext c1;
    SetDemoIdentity(c1);
    RETURN_IF_ERROR(Check(panels->ReferCase(&c1, refer, &referred), "panel referral"));
    v1::AssessRiskRequest assess;
    assess.set_name(referred.panel_case().name());
    assess.set_request_id(absl::StrCat("demo-panel-case-", i, "-assessment"));
    assess.set_reoffending(v1::RISK_MEDIUM);
    assess.set_harm_to_others(d.others);
    assess.set_harm_to_self(d.self);
    for (v1::AggravatingFactor f : d.factors) assess.add_factors(f);
    if (std::string(d.panel) == "yjag") assess.add_domains(v1::PEER_NETWORK);
    assess.set_summary("Fictional demo assessment");
    v1::PanelCaseResponse assessed;
    grpc::ClientContext c2;
    SetDemoIdentity(c2);
    RETURN_IF_ERROR(Check(panels->AssessRisk(&c2, assess, &assessed), "panel assessment"));
  }
  auto meetings = v1::PanelMeetingService::NewStub(channel);
  v1::ScheduleMeetingRequest schedule;
  schedule.set_parent("partnerships/eastbrook");
  schedule.set_request_id("demo-yjag-meeting-1");
  schedule.set_panel("yjag");
  schedule.mutable_date()->set_year(2027);
  schedule.mutable_date()->set_month(1);
  schedule.mutable_date()->set_day(11);
  schedule.set_location("Council offices, committee room 2");
  v1::PanelMeetingResponse scheduled;
  grpc::ClientContext c3;
  SetDemoIdentity(c3);
  return Check(meetings->ScheduleMeeting(&c3, schedule, &scheduled), "panel meeting");
}

// Policy version 3 (with the death reviews section) and one commissioned
// review with its chair and two panel members, read by the review
// coordinator.
absl::Status LoadDemoDeathReviews(const std::shared_ptr<grpc::Channel>& channel) {
  {
    auto policies = v1::PolicyService::NewStub(channel);
    grpc::ClientContext context;
    SetDemoIdentity(context, "admin");
    v1::PublishPolicyRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_request_id("demo-policy-3");
    // As the release that added death reviews published it: without the
    // retention section (absent, the schedule keeps every case type six
    // years after closure, the default).
    *request.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
    request.mutable_policy()->clear_retention();
    request.mutable_policy()->set_title(
        "Eastbrook CSP policy: case reviews, panels and death reviews");
    v1::Policy policy;
    RETURN_IF_ERROR(Check(policies->PublishPolicy(&context, request, &policy), "policy"));
  }
  auto reviews = v1::DeathReviewService::NewStub(channel);
  auto date = [](int y, int m, int d) { return workflow::ToCivilDate(absl::CivilDay(y, m, d)); };
  v1::NotifyDeathRequest notify;
  notify.set_parent("partnerships/eastbrook");
  notify.set_request_id("demo-death-review-1");
  notify.set_notifying_agency("shire-police");
  notify.set_police_reference("SP-DEMO-0001");
  *notify.mutable_date_of_death() = date(2026, 10, 3);
  *notify.mutable_date_notified() = date(2026, 10, 5);
  notify.set_victim_age_at_death(41);
  notify.set_relationship(v1::FORMER_INTIMATE_PARTNER);
  notify.set_victim_pseudonym("Adult D");
  notify.set_circumstances("Fictional demo notification");
  v1::DeathReviewResponse response;
  grpc::ClientContext c1;
  SetDemoIdentity(c1, "partnership_chair");
  RETURN_IF_ERROR(Check(reviews->NotifyDeath(&c1, notify, &response), "death notification"));
  const std::string name = response.death_review().name();

  v1::RecordDecisionRequest decision;
  decision.set_name(name);
  decision.set_request_id("demo-death-review-1-decision");
  decision.set_commission(true);
  decision.set_reason("Meets the criteria; several agencies knew the family");
  *decision.mutable_decided_on() = date(2026, 10, 19);
  *decision.mutable_home_office_notified_on() = date(2026, 10, 20);
  decision.add_agencies_involved("eastbrook-council");
  decision.add_agencies_involved("shire-health");
  grpc::ClientContext c2;
  SetDemoIdentity(c2, "partnership_chair");
  RETURN_IF_ERROR(Check(reviews->RecordDecision(&c2, decision, &response), "decision"));

  v1::AppointChairRequest chair;
  chair.set_name(name);
  chair.set_request_id("demo-death-review-1-chair");
  chair.set_chair_agency("independent-reviews");
  chair.set_chair_user("chair-demo");
  *chair.mutable_appointed_on() = date(2026, 10, 21);
  grpc::ClientContext c3;
  SetDemoIdentity(c3, "partnership_chair");
  RETURN_IF_ERROR(Check(reviews->AppointChair(&c3, chair, &response), "chair"));

  int i = 0;
  for (const char* agency : {"shire-police", "shire-health"}) {
    v1::AddPanelMemberRequest member;
    member.set_name(name);
    member.set_request_id(absl::StrCat("demo-death-review-1-member-", ++i));
    member.set_agency(agency);
    member.set_user("demo-panel-member");
    member.set_role_title("Head of Safeguarding");
    member.set_declared_senior(true);
    member.set_declared_no_direct_involvement(true);
    grpc::ClientContext c;
    SetDemoIdentity(c, "partnership_chair");
    RETURN_IF_ERROR(Check(reviews->AddPanelMember(&c, member, &response), "panel member"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadDemoPartnership(std::shared_ptr<grpc::Channel> channel,
                                 const std::set<std::string>& hosted) {
  auto hosts = [&hosted](const char* service) {
    return hosted.empty() || hosted.count(service) > 0;
  };
  {
    auto policies = v1::PolicyService::NewStub(channel);
    grpc::ClientContext context;
    SetDemoIdentity(context, "admin");
    v1::PublishPolicyRequest request;
    request.set_parent("partnerships/eastbrook");
    // Version 1 as the first release published it (case reviews only), so
    // that a data directory it seeded answers this request from its record;
    // version 2 adds the panels, version 3 (LoadDemoDeathReviews) the death
    // reviews.
    request.set_request_id("demo-policy-1");
    *request.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
    request.mutable_policy()->clear_panels();
    request.mutable_policy()->clear_death_reviews();
    request.mutable_policy()->clear_retention();
    request.mutable_policy()->set_title("Eastbrook CSP case review policy (LLR model)");
    v1::Policy policy;
    RETURN_IF_ERROR(Check(policies->PublishPolicy(&context, request, &policy), "policy"));
    grpc::ClientContext second;
    SetDemoIdentity(second, "admin");
    request.set_request_id("demo-policy-2");
    *request.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
    request.mutable_policy()->clear_death_reviews();
    request.mutable_policy()->clear_retention();
    request.mutable_policy()->set_title("Eastbrook CSP policy: case reviews and panels");
    RETURN_IF_ERROR(Check(policies->PublishPolicy(&second, request, &policy), "policy"));
  }
  if (hosts("casework.v1.ComplaintService")) {
    auto complaints = v1::ComplaintService::NewStub(channel);
    for (const DemoComplaint& d : kComplaints) {
      grpc::ClientContext context;
      SetDemoIdentity(context);
      v1::RecordComplaintRequest request;
      request.set_parent("partnerships/eastbrook");
      request.set_request_id(absl::StrCat("demo-", d.source_reference));
      v1::Complaint& c = *request.mutable_complaint();
      c.set_complainant_reference(d.complainant);
      c.set_agency(d.agency);
      c.set_agency_kind(d.kind);
      c.set_source_system("sentinel");
      c.set_source_reference(d.source_reference);
      c.set_incident_reference(d.incident);
      c.mutable_behaviour_date()->set_year(2026);
      c.mutable_behaviour_date()->set_month(d.behaviour_month);
      c.mutable_behaviour_date()->set_day(d.behaviour_day);
      c.mutable_reported_date()->set_year(2026);
      c.mutable_reported_date()->set_month(d.reported_month);
      c.mutable_reported_date()->set_day(d.reported_day);
      c.set_category(d.hate ? v1::PERSONAL : v1::NUISANCE);
      c.set_hate_related(d.hate);
      if (d.hate) c.set_hate_strand(v1::RELIGION);
      c.set_locality("mill-lane");
      c.set_summary("Fictional demo complaint");
      v1::RecordComplaintResponse response;
      RETURN_IF_ERROR(Check(complaints->RecordComplaint(&context, request, &response), "complaint"));
    }
  }
  if (hosts("casework.v1.CaseReviewService")) {
    // One application, evaluated, with a lead officer.
    auto reviews = v1::CaseReviewService::NewStub(channel);
    v1::ReceiveApplicationRequest application;
    application.set_parent("partnerships/eastbrook");
    application.set_request_id("demo-review-1");
    application.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
    application.mutable_applicant()->set_complainant_reference("cmp-demo-1");
    application.mutable_applicant()->set_locality("mill-lane");
    application.mutable_applicant()->set_category(v1::NUISANCE);
    application.mutable_received_date()->set_year(2026);
    application.mutable_received_date()->set_month(11);
    application.mutable_received_date()->set_day(2);
    application.set_description("Noise and intimidation from a neighbouring flat over several months");
    v1::CaseReviewResponse response;
    grpc::ClientContext c1;
    SetDemoIdentity(c1);
    RETURN_IF_ERROR(Check(reviews->ReceiveApplication(&c1, application, &response), "application"));
    const std::string name = response.case_review().name();
    v1::CaseReviewCommand evaluate;
    evaluate.set_name(name);
    evaluate.set_request_id("demo-review-1-threshold");
    grpc::ClientContext c2;
    SetDemoIdentity(c2);
    RETURN_IF_ERROR(Check(reviews->EvaluateThreshold(&c2, evaluate, &response), "threshold"));
  }
  auto stub = v1::ActionService::NewStub(channel);
  int i = 0;
  for (const DemoAction& a : kActions) {
    if (!hosts("casework.v1.ActionService")) break;
    ++i;
    grpc::ClientContext context;
    SetDemoIdentity(context);
    v1::CreateActionRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_request_id(absl::StrCat("demo-action-", i));
    request.set_title(a.title);
    request.set_owner_agency(a.owner);
    request.mutable_due_date()->set_year(a.year);
    request.mutable_due_date()->set_month(a.month);
    request.mutable_due_date()->set_day(a.day);
    request.set_source(a.source);
    v1::ActionResponse response;
    grpc::Status status = stub->CreateAction(&context, request, &response);
    RETURN_IF_ERROR(Check(status, absl::StrCat("action ", i)));
  }
  if (hosts("casework.v1.PanelService")) RETURN_IF_ERROR(LoadDemoPanels(channel));
  if (hosts("casework.v1.DeathReviewService")) return LoadDemoDeathReviews(channel);
  return absl::OkStatus();
}

}  // namespace casework::services
