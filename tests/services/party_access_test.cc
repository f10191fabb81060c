// Case-level access: an agency sees a case when it is a party to it (the
// workflow names it on the case) or the policy shares the case type with it.
// Gets, lists, ReadStream, ReadLog and commands all apply it, and a refusal
// is the NOT_FOUND a missing case gets, word for word.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "casework/v1/panels.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/server_fixture.h"
#include "tests/support/test_support.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::casework::testing::At;
using ::casework::testing::Date;
using ::casework::testing::DetailOf;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kCouncil[] = "eastbrook-council";
constexpr char kPolice[] = "shire-police";
constexpr char kFire[] = "shire-fire";
constexpr char kHousing[] = "eastbrook-homes";

class PartyAccessTest : public casework::testing::ServerFixture {
 protected:
  PartyAccessTest() : ServerFixture(At(2026, 11, 2)) {}  // Monday 2 November 2026

  void SetUp() override {
    ServerFixture::SetUp();
    actions_ = v1::ActionService::NewStub(InProcess());
    reviews_ = v1::CaseReviewService::NewStub(InProcess());
    complaints_ = v1::ComplaintService::NewStub(InProcess());
    events_ = v1::EventService::NewStub(InProcess());
    cases_ = v1::PanelService::NewStub(InProcess());
    meetings_ = v1::PanelMeetingService::NewStub(InProcess());
    policies_ = v1::PolicyService::NewStub(InProcess());
  }

  std::string Id() { return absl::StrCat("rq-", ++requests_); }

  // Creates an action owned by `owner` as a caseworker of `by`.
  std::string CreateAction(const std::string& owner, const std::string& by) {
    v1::CreateActionRequest r = casework::testing::CreateRequest(Id());
    r.set_owner_agency(owner);
    v1::ActionResponse out;
    grpc::Status status =
        Call(&v1::ActionService::Stub::CreateAction, actions_.get(), r, &out, "caseworker", by);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.action().name();
  }

  grpc::Status GetAction(const std::string& name, const std::string& agency,
                         const std::string& role = "caseworker") {
    v1::GetActionRequest r;
    r.set_name(name);
    v1::Action out;
    return Call(&v1::ActionService::Stub::GetAction, actions_.get(), r, &out, role, agency);
  }

  std::vector<std::string> ListActions(const std::string& agency) {
    v1::ListActionsRequest r;
    r.set_parent("partnerships/eastbrook");
    v1::ListActionsResponse out;
    grpc::Status status =
        Call(&v1::ActionService::Stub::ListActions, actions_.get(), r, &out, "caseworker", agency);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const v1::Action& a : out.actions()) names.push_back(a.name());
    return names;
  }

  grpc::Status Progress(const std::string& name, const std::string& agency) {
    v1::ActionResponse out;
    return Call(&v1::ActionService::Stub::RecordProgress, actions_.get(),
                casework::testing::ProgressRequest(Id(), name, "Visited the flats"), &out,
                "caseworker", agency);
  }

  grpc::Status ReadStream(const std::string& stream, const std::string& agency) {
    v1::ReadStreamRequest r;
    r.set_stream(stream);
    v1::ReadStreamResponse out;
    return Call(&v1::EventService::Stub::ReadStream, events_.get(), r, &out, "caseworker", agency);
  }

  // The distinct case streams of the whole log as `agency` reads it (the
  // policy is everyone's).
  std::vector<std::string> StreamsInLog(const std::string& agency) {
    v1::ReadLogRequest r;
    r.set_page_size(1000);
    v1::ReadLogResponse out;
    grpc::Status status =
        Call(&v1::EventService::Stub::ReadLog, events_.get(), r, &out, "caseworker", agency);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> streams;
    for (const v1::EventEnvelope& e : out.events()) {
      if (e.stream() == "partnerships/eastbrook/policy/current") continue;
      if (streams.empty() || streams.back() != e.stream()) streams.push_back(e.stream());
    }
    return streams;
  }

  v1::Policy PolicySharing(const std::string& case_type, std::vector<std::string> agencies) {
    v1::Policy policy = workflow::LlrDefaultPolicy("eastbrook");
    v1::CaseShare& share = *policy.mutable_access()->add_shares();
    share.set_case_type(case_type);
    for (const std::string& a : agencies) share.add_agencies(a);
    return policy;
  }

  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::unique_ptr<v1::CaseReviewService::Stub> reviews_;
  std::unique_ptr<v1::ComplaintService::Stub> complaints_;
  std::unique_ptr<v1::EventService::Stub> events_;
  std::unique_ptr<v1::PanelService::Stub> cases_;
  std::unique_ptr<v1::PanelMeetingService::Stub> meetings_;
  std::unique_ptr<v1::PolicyService::Stub> policies_;
  int requests_ = 0;
};

TEST_F(PartyAccessTest, ANonPartyFindsNothingWhereTheActionIs) {
  const std::string action = CreateAction(kHousing, kCouncil);
  const std::string missing = "partnerships/eastbrook/actions/99";

  // The owner and the agency that raised it read it; the police do not, and
  // are told exactly what they would be told of an action that does not
  // exist.
  EXPECT_TRUE(GetAction(action, kHousing).ok());
  EXPECT_TRUE(GetAction(action, kCouncil).ok());
  grpc::Status refused = GetAction(action, kPolice);
  grpc::Status absent = GetAction(missing, kPolice);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(absent.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(refused.error_message(), action + " does not exist");
  EXPECT_EQ(absent.error_message(), missing + " does not exist");

  // Its notes, its history and commands on it: the same.
  v1::ListActionNotesRequest notes;
  notes.set_name(action);
  v1::ListActionNotesResponse notes_out;
  grpc::Status notes_status = Call(&v1::ActionService::Stub::ListActionNotes, actions_.get(), notes,
                                   &notes_out, "caseworker", kPolice);
  EXPECT_EQ(notes_status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(notes_status.error_message(), action + " does not exist");

  grpc::Status history = ReadStream(action, kPolice);
  EXPECT_EQ(history.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(history.error_message(), "stream \"" + action + "\" has no events");
  EXPECT_EQ(ReadStream(missing, kPolice).error_message(),
            "stream \"" + missing + "\" has no events");
  EXPECT_TRUE(ReadStream(action, kHousing).ok());

  grpc::Status command = Progress(action, kPolice);
  EXPECT_EQ(command.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(command.error_message(), action + " does not exist");
  EXPECT_TRUE(Progress(action, kHousing).ok());

  // Lists and the log leave it out.
  EXPECT_THAT(ListActions(kPolice), IsEmpty());
  EXPECT_THAT(ListActions(kHousing), ElementsAre(action));
  EXPECT_THAT(StreamsInLog(kPolice), IsEmpty());
  EXPECT_THAT(StreamsInLog(kHousing), ElementsAre(action));

  // The partnership chair oversees every case, whatever their agency.
  EXPECT_TRUE(GetAction(action, kPolice, "partnership_chair").ok());
}

TEST_F(PartyAccessTest, AnAgencyAskedForInformationSeesTheCaseReviewFromThen) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  // Three complaints to the council, recorded by its own system.
  for (int i = 1; i <= 3; ++i) {
    v1::RecordComplaintRequest r;
    r.set_parent("partnerships/eastbrook");
    r.set_request_id(Id());
    v1::Complaint& c = *r.mutable_complaint();
    c.set_complainant_reference("cmp-31");
    c.set_agency(kCouncil);
    c.set_agency_kind(v1::COUNCIL);
    c.set_source_system("sentinel");
    c.set_source_reference(absl::StrCat("S-", i));
    c.set_incident_reference(absl::StrCat("INC-", i));
    *c.mutable_behaviour_date() = Date(2026, 8 + i, 1);
    *c.mutable_reported_date() = Date(2026, 8 + i, 2);
    c.set_category(v1::PERSONAL);
    c.set_locality("mill-lane");
    v1::RecordComplaintResponse out;
    ASSERT_TRUE(
        Call(&v1::ComplaintService::Stub::RecordComplaint, complaints_.get(), r, &out).ok());
  }
  auto send = [&](auto method, auto request, const std::string& agency) {
    request.set_request_id(Id());
    v1::CaseReviewResponse out;
    grpc::Status status = Call(method, reviews_.get(), request, &out, "caseworker", agency);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.case_review();
  };
  v1::ReceiveApplicationRequest apply;
  apply.set_parent("partnerships/eastbrook");
  apply.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
  apply.mutable_applicant()->set_complainant_reference("cmp-31");
  apply.mutable_applicant()->set_locality("mill-lane");
  apply.mutable_applicant()->set_category(v1::PERSONAL);
  apply.set_description("Repeated intimidation in the stairwell");
  const std::string name =
      send(&v1::CaseReviewService::Stub::ReceiveApplication, apply, kCouncil).name();
  v1::CaseReviewCommand command;
  command.set_name(name);
  send(&v1::CaseReviewService::Stub::EvaluateThreshold, command, kCouncil);
  v1::AssignLeadOfficerRequest assign;
  assign.set_name(name);
  v1::CaseReview review = send(&v1::CaseReviewService::Stub::AssignLeadOfficer, assign, kCouncil);
  EXPECT_EQ(review.receiving_agency(), kCouncil);
  EXPECT_EQ(review.lead_agency(), kCouncil);

  auto get = [&](const std::string& agency) {
    v1::GetCaseReviewRequest r;
    r.set_name(name);
    v1::CaseReview out;
    return Call(&v1::CaseReviewService::Stub::GetCaseReview, reviews_.get(), r, &out, "caseworker",
                agency);
  };
  auto listed = [&](const std::string& agency) {
    v1::ListCaseReviewsRequest r;
    r.set_parent("partnerships/eastbrook");
    v1::ListCaseReviewsResponse out;
    EXPECT_TRUE(Call(&v1::CaseReviewService::Stub::ListCaseReviews, reviews_.get(), r, &out,
                     "caseworker", agency)
                    .ok());
    return out.case_reviews_size();
  };
  v1::AgencyInformationRequest info;
  info.set_name(name);
  info.set_agency(kPolice);
  info.set_summary("Two attendances, one community protection warning");

  // Before: the police are not a party.
  EXPECT_EQ(get(kPolice).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(listed(kPolice), 0);
  EXPECT_EQ(ReadStream(name, kPolice).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(StreamsInLog(kPolice), IsEmpty());
  info.set_request_id(Id());
  v1::CaseReviewResponse early;
  EXPECT_EQ(Call(&v1::CaseReviewService::Stub::RecordAgencyInformation, reviews_.get(), info,
                 &early, "caseworker", kPolice)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The lead asks them for information: from then on they read the case,
  // its history and its events in the log, and answer.
  send(&v1::CaseReviewService::Stub::RequestAgencyInformation, info, kCouncil);
  EXPECT_TRUE(get(kPolice).ok());
  EXPECT_EQ(listed(kPolice), 1);
  EXPECT_TRUE(ReadStream(name, kPolice).ok());
  EXPECT_THAT(StreamsInLog(kPolice), ElementsAre(name));
  review = send(&v1::CaseReviewService::Stub::RecordAgencyInformation, info, kPolice);
  EXPECT_EQ(review.agency_requests(0).summary(), info.summary());

  // The fire service, never asked, still sees nothing; the complaints stay
  // with the council.
  EXPECT_EQ(get(kFire).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(listed(kFire), 0);
}

TEST_F(PartyAccessTest, APolicyShareLetsAnAgencyReadACaseTypeButNotActOnIt) {
  const std::string action = CreateAction(kHousing, kCouncil);
  EXPECT_EQ(GetAction(action, kPolice).error_code(), grpc::StatusCode::NOT_FOUND);

  Publish(PolicySharing("action", {kPolice, kFire}));
  EXPECT_TRUE(GetAction(action, kPolice).ok());
  EXPECT_THAT(ListActions(kPolice), ElementsAre(action));
  EXPECT_TRUE(ReadStream(action, kFire).ok());
  EXPECT_THAT(StreamsInLog(kFire), ElementsAre(action));
  // Reading, not acting: commands stay with the parties.
  EXPECT_EQ(Progress(action, kPolice).error_code(), grpc::StatusCode::NOT_FOUND);

  // A later version without the share takes it back.
  Publish(workflow::LlrDefaultPolicy("eastbrook"), "policy-3");
  EXPECT_EQ(GetAction(action, kPolice).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(ListActions(kPolice), IsEmpty());
}

// A Get names the steps the caller may take now: its state's commands that
// the caller's role may call, and none for a reader by the policy's share.
TEST_F(PartyAccessTest, AGetNamesTheNextStepsTheCallerMayTake) {
  const std::string action = CreateAction(kHousing, kCouncil);
  auto next_steps = [&](const std::string& agency, const std::string& role) {
    v1::GetActionRequest r;
    r.set_name(action);
    v1::Action out;
    grpc::Status status =
        Call(&v1::ActionService::Stub::GetAction, actions_.get(), r, &out, role, agency);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return std::vector<std::string>(out.next_steps().begin(), out.next_steps().end());
  };
  EXPECT_THAT(next_steps(kHousing, "caseworker"),
              ElementsAre("RecordProgress", "ChangeDueDate", "CompleteAction", "CancelAction",
                          "PutActionOnHold"));
  // An integration may record progress and complete, nothing more.
  EXPECT_THAT(next_steps(kHousing, "integration"), ElementsAre("RecordProgress", "CompleteAction"));
  Publish(PolicySharing("action", {kPolice}));
  EXPECT_THAT(next_steps(kPolice, "caseworker"), IsEmpty());

  // A completed action may only be reopened; lists never carry the steps.
  v1::CompleteActionRequest complete;
  complete.set_name(action);
  complete.set_request_id(Id());
  complete.set_note("Visit done");
  v1::ActionResponse done;
  ASSERT_TRUE(Call(&v1::ActionService::Stub::CompleteAction, actions_.get(), complete, &done,
                   "caseworker", kHousing)
                  .ok());
  EXPECT_THAT(done.action().next_steps(), IsEmpty());
  EXPECT_THAT(next_steps(kHousing, "caseworker"), ElementsAre("ReopenAction"));
}

TEST_F(PartyAccessTest, SharesAreValidatedAndDeathReviewsCannotBeShared) {
  v1::Policy policy = PolicySharing("death_review", {kPolice});
  v1::CaseShare& twice = *policy.mutable_access()->add_shares();
  twice.set_case_type("action");
  twice.add_agencies(kPolice);
  twice.add_agencies(kPolice);
  v1::CaseShare& again = *policy.mutable_access()->add_shares();
  again.set_case_type("action");
  again.add_agencies("Not An Id");
  policy.mutable_access()->add_shares()->set_case_type("complaint");

  v1::PublishPolicyRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_request_id(Id());
  *request.mutable_policy() = policy;
  v1::Policy out;
  grpc::Status status =
      Call(&v1::PolicyService::Stub::PublishPolicy, policies_.get(), request, &out, "admin");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::optional<v1::BadRequest> bad = DetailOf<v1::BadRequest>(status);
  ASSERT_TRUE(bad.has_value());
  std::vector<std::string> violations;
  for (const v1::FieldViolation& v : bad->violations()) {
    violations.push_back(absl::StrCat(v.field(), " ", v.rule()));
  }
  EXPECT_THAT(violations, ElementsAre("policy.access.shares[0].case_type unknown",
                                      "policy.access.shares[1].agencies[1] duplicate",
                                      "policy.access.shares[2].case_type duplicate",
                                      "policy.access.shares[2].agencies[0] format",
                                      "policy.access.shares[3].agencies required"));
}

TEST_F(PartyAccessTest, AComplaintKeyHeldByAnotherAgencyIsRefusedWithoutTheComplaint) {
  v1::RecordComplaintRequest r;
  r.set_parent("partnerships/eastbrook");
  r.set_request_id("sentinel-P-7");
  v1::Complaint& c = *r.mutable_complaint();
  c.set_complainant_reference("cmp-40");
  c.set_agency(kPolice);
  c.set_agency_kind(v1::POLICE);
  c.set_source_system("sentinel");
  c.set_source_reference("P-7");
  c.set_incident_reference("INC-7");
  *c.mutable_behaviour_date() = Date(2026, 10, 30);
  *c.mutable_reported_date() = Date(2026, 10, 31);
  c.set_category(v1::PERSONAL);
  c.set_locality("mill-lane");
  v1::RecordComplaintResponse first;
  ASSERT_TRUE(Call(&v1::ComplaintService::Stub::RecordComplaint, complaints_.get(), r, &first,
                   "integration", kCouncil)
                  .ok());
  EXPECT_EQ(first.complaint().recorded_by_agency(), kCouncil);

  // The same source from the council's system again: the recorded complaint.
  r.set_request_id("sentinel-P-7-again");
  v1::RecordComplaintResponse again;
  ASSERT_TRUE(Call(&v1::ComplaintService::Stub::RecordComplaint, complaints_.get(), r, &again,
                   "integration", kCouncil)
                  .ok());
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.complaint().name(), first.complaint().name());

  // From a system of an agency that is no party: refused, and shown nothing.
  r.set_request_id("housing-P-7");
  v1::RecordComplaintResponse refused_out;
  grpc::Status refused = Call(&v1::ComplaintService::Stub::RecordComplaint, complaints_.get(), r,
                              &refused_out, "integration", kHousing);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  std::optional<v1::ErrorInfo> info = DetailOf<v1::ErrorInfo>(refused);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "KEY_HELD_BY_ANOTHER_PARTY");
  EXPECT_FALSE(refused_out.has_complaint());

  // The agency it was made to reads it; housing neither reads nor lists it.
  v1::GetComplaintRequest get;
  get.set_name(first.complaint().name());
  v1::Complaint read;
  EXPECT_TRUE(Call(&v1::ComplaintService::Stub::GetComplaint, complaints_.get(), get, &read,
                   "caseworker", kPolice)
                  .ok());
  EXPECT_EQ(Call(&v1::ComplaintService::Stub::GetComplaint, complaints_.get(), get, &read,
                 "caseworker", kHousing)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListComplaintsRequest list;
  list.set_parent("partnerships/eastbrook");
  list.set_complainant_reference("cmp-40");
  v1::ListComplaintsResponse listed;
  ASSERT_TRUE(Call(&v1::ComplaintService::Stub::ListComplaints, complaints_.get(), list, &listed,
                   "caseworker", kHousing)
                  .ok());
  EXPECT_EQ(listed.complaints_size(), 0);
  ASSERT_TRUE(Call(&v1::ComplaintService::Stub::ListComplaints, complaints_.get(), list, &listed,
                   "caseworker", kPolice)
                  .ok());
  EXPECT_EQ(listed.complaints_size(), 1);
}

TEST_F(PartyAccessTest, PanelMembersAreTheAgenciesPresentWhenTheCaseWasDecided) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  v1::ReferCaseRequest refer;
  refer.set_parent("partnerships/eastbrook");
  refer.set_request_id(Id());
  refer.set_panel("jag");
  refer.mutable_subject()->set_kind(v1::SUBJECT_PERSON);
  refer.mutable_subject()->set_reference("subj-12");
  refer.mutable_subject()->set_display_name("Subject 12");
  *refer.mutable_subject()->mutable_date_of_birth() = Date(1990, 1, 1);
  refer.set_referrer_agency(kPolice);
  refer.set_reason("Repeat victim of cuckooing");
  refer.set_lawful_basis(v1::SAFEGUARDING);
  v1::PanelCaseResponse referred;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::ReferCase, cases_.get(), refer, &referred, "caseworker",
                   kCouncil)
                  .ok());
  const std::string name = referred.panel_case().name();
  auto get = [&](const std::string& agency, const std::string& role = "caseworker") {
    v1::GetPanelCaseRequest r;
    r.set_name(name);
    v1::PanelCase out;
    return Call(&v1::PanelService::Stub::GetPanelCase, cases_.get(), r, &out, role, agency);
  };
  // The referrer and the agency that recorded the referral; the chair.
  EXPECT_TRUE(get(kPolice).ok());
  EXPECT_TRUE(get(kCouncil).ok());
  EXPECT_TRUE(get(kHousing, "panel_chair").ok());
  EXPECT_EQ(get(kFire).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::AssessRiskRequest assess;
  assess.set_name(name);
  assess.set_request_id(Id());
  assess.set_reoffending(v1::RISK_HIGH);
  assess.set_harm_to_others(v1::RISK_LOW);
  assess.set_harm_to_self(v1::RISK_LOW);
  assess.set_no_domain_concerns(true);
  assess.set_summary("Multi-agency assessment");
  v1::PanelCaseResponse assessed;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::AssessRisk, cases_.get(), assess, &assessed).ok());

  // A meeting with the fire service present reviews the case.
  v1::ScheduleMeetingRequest schedule;
  schedule.set_parent("partnerships/eastbrook");
  schedule.set_request_id(Id());
  schedule.set_panel("jag");
  *schedule.mutable_date() = Date(2026, 11, 2);
  v1::PanelMeetingResponse scheduled;
  ASSERT_TRUE(Call(&v1::PanelMeetingService::Stub::ScheduleMeeting, meetings_.get(), schedule,
                   &scheduled, "panel_chair", kCouncil)
                  .ok());
  const std::string meeting = scheduled.meeting().name();
  auto get_meeting = [&](const std::string& agency) {
    v1::GetMeetingRequest r;
    r.set_name(meeting);
    v1::PanelMeetingMinutes out;
    return Call(&v1::PanelMeetingService::Stub::GetMeeting, meetings_.get(), r, &out, "caseworker",
                agency);
  };
  EXPECT_EQ(get_meeting(kFire).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::RecordAttendanceRequest attendance;
  attendance.set_name(meeting);
  attendance.set_request_id(Id());
  for (auto [agency, kind, chair] :
       {std::tuple{kCouncil, v1::COUNCIL, false}, std::tuple{kPolice, v1::POLICE, true},
        std::tuple{kFire, v1::FIRE_AND_RESCUE, false}}) {
    v1::Attendee& a = *attendance.add_attendees();
    a.set_agency(agency);
    a.set_agency_kind(kind);
    a.set_role("panel member");
    a.set_chair(chair);
  }
  v1::PanelMeetingResponse attended;
  ASSERT_TRUE(Call(&v1::PanelMeetingService::Stub::RecordAttendance, meetings_.get(), attendance,
                   &attended, "panel_chair", kCouncil)
                  .ok());
  EXPECT_TRUE(get_meeting(kFire).ok());
  EXPECT_EQ(get_meeting(kHousing).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(get(kFire).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::ReviewCaseRequest review;
  review.set_name(name);
  review.set_request_id(Id());
  review.set_meeting(meeting);
  review.set_summary("Joint visit agreed");
  v1::PanelCaseResponse reviewed;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::ReviewCase, cases_.get(), review, &reviewed,
                   "panel_chair", kCouncil)
                  .ok());
  EXPECT_THAT(reviewed.panel_case().member_agencies(), ElementsAre(kCouncil, kFire, kPolice));
  EXPECT_TRUE(get(kFire).ok());
  EXPECT_EQ(get(kHousing).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace casework::services
