// The panels end to end over gRPC: agendas, minutes, counts over a scripted
// six months, and retries.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "casework/v1/panels.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/server_fixture.h"
#include "tests/support/test_support.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using ::casework::testing::At;
using ::casework::testing::Date;

class PanelsTest : public casework::testing::ServerFixture {
 protected:
  PanelsTest() : ServerFixture(At(2026, 11, 2)) {}  // Monday 2 November 2026

  void SetUp() override {
    ServerFixture::SetUp();
    Publish(workflow::LlrDefaultPolicy("eastbrook"));
  }

  std::unique_ptr<v1::PanelService::Stub> Cases() { return v1::PanelService::NewStub(InProcess()); }
  std::unique_ptr<v1::PanelMeetingService::Stub> Meetings() {
    return v1::PanelMeetingService::NewStub(InProcess());
  }
  std::string Id() { return absl::StrCat("rq-", ++requests_); }

  // Refers a person born on `born` to `panel`; returns the case's name.
  std::string Refer(const std::string& panel, v1::CivilDate born, const std::string& who) {
    v1::ReferCaseRequest r;
    r.set_parent("partnerships/eastbrook");
    r.set_request_id(Id());
    r.set_panel(panel);
    r.mutable_subject()->set_kind(v1::SUBJECT_PERSON);
    r.mutable_subject()->set_reference(who);
    r.mutable_subject()->set_display_name(who);
    *r.mutable_subject()->mutable_date_of_birth() = born;
    r.set_referrer_agency("shire-police");
    r.set_reason("Repeat victim of cuckooing");
    r.set_lawful_basis(v1::SAFEGUARDING);
    v1::PanelCaseResponse out;
    grpc::Status status = Call(&v1::PanelService::Stub::ReferCase, Cases().get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.panel_case().name();
  }

  // Assesses `name` with one dimension at `level` (and one factor).
  void Assess(const std::string& name, v1::RiskLevel level, int factors = 0) {
    v1::AssessRiskRequest r;
    r.set_name(name);
    r.set_request_id(Id());
    r.set_reoffending(level);
    r.set_harm_to_others(v1::RISK_LOW);
    r.set_harm_to_self(v1::RISK_LOW);
    for (int f = 1; f <= factors; ++f) r.add_factors(static_cast<v1::AggravatingFactor>(f));
    r.set_no_domain_concerns(true);
    r.set_summary("Multi-agency assessment");
    v1::PanelCaseResponse out;
    grpc::Status status = Call(&v1::PanelService::Stub::AssessRisk, Cases().get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  // Schedules a meeting of `panel` on `date` with quorate attendance.
  std::string Meeting(const std::string& panel, v1::CivilDate date) {
    v1::ScheduleMeetingRequest schedule;
    schedule.set_parent("partnerships/eastbrook");
    schedule.set_request_id(Id());
    schedule.set_panel(panel);
    *schedule.mutable_date() = date;
    v1::PanelMeetingResponse out;
    EXPECT_TRUE(
        Call(&v1::PanelMeetingService::Stub::ScheduleMeeting, Meetings().get(), schedule, &out)
            .ok());
    v1::RecordAttendanceRequest attendance;
    attendance.set_name(out.meeting().name());
    attendance.set_request_id(Id());
    for (auto [agency, kind, chair] : {std::tuple{"eastbrook-council", v1::COUNCIL, false},
                                       std::tuple{"shire-police", v1::POLICE, true},
                                       std::tuple{"shire-fire", v1::FIRE_AND_RESCUE, false}}) {
      v1::Attendee& a = *attendance.add_attendees();
      a.set_agency(agency);
      a.set_agency_kind(kind);
      a.set_role("panel member");
      a.set_chair(chair);
    }
    v1::PanelMeetingResponse recorded;
    EXPECT_TRUE(Call(&v1::PanelMeetingService::Stub::RecordAttendance, Meetings().get(), attendance,
                     &recorded)
                    .ok());
    return out.meeting().name();
  }

  void Move(const std::string& name, const std::string& meeting, v1::PanelCase::State to) {
    v1::MoveCaseRequest r;
    r.set_name(name);
    r.set_request_id(Id());
    r.set_meeting(meeting);
    r.set_to(to);
    r.set_reason("Agreed at the meeting");
    v1::PanelCaseResponse out;
    grpc::Status status = Call(&v1::PanelService::Stub::MoveCase, Cases().get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  void Close(const std::string& name, const std::string& meeting) {
    v1::CloseCaseRequest r;
    r.set_name(name);
    r.set_request_id(Id());
    r.set_meeting(meeting);
    r.set_reason("risk reduced");
    v1::PanelCaseResponse out;
    grpc::Status status = Call(&v1::PanelService::Stub::CloseCase, Cases().get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  // "referred/main/monitoring/open" of `panel`.
  std::string Count(const std::string& panel) {
    v1::CountPanelCasesRequest r;
    r.set_parent("partnerships/eastbrook");
    v1::CountPanelCasesResponse out;
    EXPECT_TRUE(Call(&v1::PanelService::Stub::CountPanelCases, Cases().get(), r, &out).ok());
    for (const v1::PanelCount& c : out.panels()) {
      if (c.panel() == panel) {
        return absl::StrCat(c.referred(), "/", c.main_agenda(), "/", c.monitoring(), "/", c.open());
      }
    }
    return "none";
  }

  static std::vector<std::string> Names(
      const google::protobuf::RepeatedPtrField<v1::AgendaItem>& items) {
    std::vector<std::string> names;
    for (const v1::AgendaItem& i : items) names.push_back(i.display_name());
    return names;
  }

  int requests_ = 0;
};

TEST_F(PanelsTest, TheAgendaListsNewReferralsCasesDueAndOverdueActionsOfThePanel) {
  const std::string a = Refer("aarg", Date(1980, 1, 1), "Adult A");
  Assess(a, v1::RISK_VERY_HIGH);  // main agenda, due 14 December
  const std::string b = Refer("aarg", Date(1981, 1, 1), "Adult B");
  Assess(b, v1::RISK_HIGH);                    // monitoring, due 14 December
  Refer("aarg", Date(1982, 1, 1), "Adult C");  // not yet assessed
  const std::string d = Refer("yjag", Date(2012, 1, 1), "Young D");
  Assess(d, v1::RISK_VERY_HIGH);  // another panel
  auto action = [&](const std::string& title, v1::CivilDate due, const std::string& source) {
    v1::CreateActionRequest r;
    r.set_parent("partnerships/eastbrook");
    r.set_request_id(Id());
    r.set_title(title);
    r.set_owner_agency("eastbrook-homes");
    *r.mutable_due_date() = due;
    r.set_source(source);
    v1::ActionResponse out;
    auto stub = v1::ActionService::NewStub(InProcess());
    EXPECT_TRUE(Call(&v1::ActionService::Stub::CreateAction, stub.get(), r, &out).ok());
  };
  action("Change the locks at A's flat", Date(2026, 11, 20), a);
  action("Refer A to the drug service", Date(2026, 12, 20), a);
  action("School visit for D", Date(2026, 11, 20), d);
  action("Unrelated action", Date(2026, 11, 10), "");

  const std::string meeting = Meeting("aarg", Date(2026, 12, 14));
  v1::GetAgendaRequest get;
  get.set_name(meeting);
  v1::PanelAgenda agenda;
  ASSERT_TRUE(Call(&v1::PanelMeetingService::Stub::GetAgenda, Meetings().get(), get, &agenda).ok());
  EXPECT_THAT(Names(agenda.new_referrals()), ElementsAre("Adult C"));
  EXPECT_THAT(Names(agenda.main_agenda_due()), ElementsAre("Adult A"));
  EXPECT_THAT(Names(agenda.monitoring_due()), ElementsAre("Adult B"));
  ASSERT_EQ(agenda.overdue_actions_size(), 1);
  EXPECT_EQ(agenda.overdue_actions(0).title(), "Change the locks at A's flat");
  EXPECT_EQ(agenda.overdue_actions(0).source(), a);

  // At the meeting: A is reviewed, B moves up; the minutes show both.
  clock_.Set(At(2026, 12, 14));
  v1::ReviewCaseRequest review;
  review.set_name(a);
  review.set_request_id(Id());
  review.set_meeting(meeting);
  review.set_summary("Locks changed; keep on the main agenda");
  v1::PanelCaseResponse reviewed;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::ReviewCase, Cases().get(), review, &reviewed).ok());
  EXPECT_EQ(workflow::FormatDate(reviewed.panel_case().next_review_due()), "2027-01-25");
  Move(b, meeting, v1::PanelCase::MAIN_AGENDA);
  action("Housing to visit B weekly", Date(2027, 1, 8), meeting);
  v1::GetMeetingRequest minutes_request;
  minutes_request.set_name(meeting);
  v1::PanelMeetingMinutes minutes;
  ASSERT_TRUE(
      Call(&v1::PanelMeetingService::Stub::GetMeeting, Meetings().get(), minutes_request, &minutes)
          .ok());
  EXPECT_TRUE(minutes.quorum().quorate());
  EXPECT_THAT(minutes.quorum().authorities_present(),
              ElementsAre("eastbrook-council", "shire-fire", "shire-police"));
  ASSERT_EQ(minutes.decisions_size(), 2);
  EXPECT_EQ(minutes.decisions(0).case_name(), a);
  EXPECT_EQ(minutes.decisions(0).decision(), "review");
  EXPECT_EQ(minutes.decisions(1).case_name(), b);
  EXPECT_EQ(minutes.decisions(1).decision(), "move to MAIN_AGENDA");
  ASSERT_EQ(minutes.new_actions_size(), 1);
  EXPECT_EQ(minutes.new_actions(0).title(), "Housing to visit B weekly");
  ASSERT_TRUE(Call(&v1::PanelMeetingService::Stub::GetAgenda, Meetings().get(), get, &agenda).ok());
  EXPECT_THAT(Names(agenda.main_agenda_due()), ElementsAre());
  EXPECT_THAT(Names(agenda.monitoring_due()), ElementsAre());
}

// Meetings are listed by panel in date order, or all by number, filtered
// by state and by who may see them; a meeting's Get names its next steps.
TEST_F(PanelsTest, MeetingsAreListedByPanelInDateOrderToTheirParties) {
  const std::string december = Meeting("yjag", Date(2026, 12, 10));
  const std::string jag = Meeting("jag", Date(2026, 11, 25));
  const std::string november = Meeting("yjag", Date(2026, 11, 20));
  auto list = [&](const std::string& panel, v1::PanelMeeting::State state,
                  const std::string& agency = "eastbrook-council") {
    v1::ListMeetingsRequest r;
    r.set_parent("partnerships/eastbrook");
    r.set_panel(panel);
    r.set_state(state);
    v1::ListMeetingsResponse out;
    grpc::Status status = Call(&v1::PanelMeetingService::Stub::ListMeetings, Meetings().get(), r,
                               &out, "caseworker", agency);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const v1::PanelMeeting& m : out.meetings()) names.push_back(m.name());
    return names;
  };
  const auto none = v1::PanelMeeting::STATE_UNSPECIFIED;
  EXPECT_THAT(list("yjag", none), ElementsAre(november, december));
  EXPECT_THAT(list("", none), ElementsAre(december, jag, november));
  // Only the parties: the organiser and the attendees' agencies.
  EXPECT_THAT(list("", none, "eastbrook-homes"), IsEmpty());
  EXPECT_THAT(list("jag", none, "shire-fire"), ElementsAre(jag));

  v1::GetMeetingRequest get;
  get.set_name(november);
  v1::PanelMeetingMinutes minutes;
  ASSERT_TRUE(
      Call(&v1::PanelMeetingService::Stub::GetMeeting, Meetings().get(), get, &minutes).ok());
  EXPECT_THAT(minutes.meeting().next_steps(), ElementsAre("RecordAttendance", "CloseMeeting"));

  v1::CloseMeetingRequest close;
  close.set_name(november);
  close.set_request_id(Id());
  close.set_notes("No cases due");
  v1::PanelMeetingResponse closed;
  ASSERT_TRUE(
      Call(&v1::PanelMeetingService::Stub::CloseMeeting, Meetings().get(), close, &closed).ok());
  EXPECT_THAT(list("yjag", v1::PanelMeeting::CLOSED), ElementsAre(november));
  EXPECT_THAT(list("", v1::PanelMeeting::SCHEDULED), ElementsAre(december, jag));
  ASSERT_TRUE(
      Call(&v1::PanelMeetingService::Stub::GetMeeting, Meetings().get(), get, &minutes).ok());
  EXPECT_THAT(minutes.meeting().next_steps(), IsEmpty());

  v1::ListMeetingsRequest bad;
  bad.set_parent("partnerships/eastbrook");
  bad.set_panel("Youth Panel");
  v1::ListMeetingsResponse out;
  EXPECT_EQ(
      Call(&v1::PanelMeetingService::Stub::ListMeetings, Meetings().get(), bad, &out).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PanelsTest, SixMonthsOfTheYouthPanelGiveExactCounts) {
  std::vector<std::string> c;
  for (int i = 0; i < 4; ++i)
    c.push_back(Refer("yjag", Date(2011, 3, 1 + i), absl::StrCat("Youth ", i)));
  Assess(c[0], v1::RISK_VERY_HIGH);
  Assess(c[1], v1::RISK_HIGH, 1);
  Assess(c[2], v1::RISK_HIGH);
  Assess(c[3], v1::RISK_LOW);  // declined
  EXPECT_EQ(Count("yjag"), "0/2/1/3");

  clock_.Set(At(2026, 12, 14));
  std::string meeting = Meeting("yjag", Date(2026, 12, 14));
  Move(c[1], meeting, v1::PanelCase::MONITORING);
  c.push_back(Refer("yjag", Date(2012, 7, 7), "Youth 4"));
  EXPECT_EQ(Count("yjag"), "1/1/2/4");

  clock_.Set(At(2027, 1, 25));
  meeting = Meeting("yjag", Date(2027, 1, 25));
  Close(c[2], meeting);
  Assess(c[4], v1::RISK_VERY_HIGH);
  EXPECT_EQ(Count("yjag"), "0/2/1/3");

  clock_.Set(At(2027, 3, 8));
  v1::ReopenCaseRequest reopen;
  reopen.set_name(c[2]);
  reopen.set_request_id(Id());
  reopen.set_reason("New missing episodes");
  v1::PanelCaseResponse out;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::ReopenCase, Cases().get(), reopen, &out).ok());
  EXPECT_EQ(Count("yjag"), "1/2/1/4");

  clock_.Set(At(2027, 4, 19));
  meeting = Meeting("yjag", Date(2027, 4, 19));
  Move(c[1], meeting, v1::PanelCase::MAIN_AGENDA);
  EXPECT_EQ(Count("yjag"), "1/3/0/4");
  EXPECT_EQ(Count("aarg"), "0/0/0/0");

  // The board's figures for the six months and for the winter alone.
  auto figures = [&](v1::CivilDate from, v1::CivilDate to) {
    v1::GetPanelFiguresRequest r;
    r.set_parent("partnerships/eastbrook");
    *r.mutable_from() = from;
    *r.mutable_to() = to;
    v1::PanelFigures out;
    EXPECT_TRUE(Call(&v1::PanelService::Stub::GetPanelFigures, Cases().get(), r, &out).ok());
    for (const v1::PanelPeriodFigures& f : out.panels()) {
      if (f.panel() == "yjag") {
        return absl::StrCat(f.new_referrals(), " new, ", f.declined(), " declined, ", f.closed(),
                            " closed, ", f.escalated(), " escalated, ",
                            f.average_main_agenda_days(), " days");
      }
    }
    return std::string("none");
  };
  // c[2] was in monitoring from 2 November until it closed on 25 January:
  // no day on the main agenda.
  EXPECT_EQ(figures(Date(2026, 11, 1), Date(2027, 4, 30)),
            "5 new, 1 declined, 0 closed, 0 escalated, 0 days");
  EXPECT_EQ(figures(Date(2026, 12, 1), Date(2027, 1, 31)),
            "1 new, 0 declined, 0 closed, 0 escalated, 0 days");

  // The cases due by a date, and the risk trend of one.
  v1::ListPanelCasesRequest list;
  list.set_parent("partnerships/eastbrook");
  list.set_panel("yjag");
  list.set_state(v1::PanelCase::MAIN_AGENDA);
  v1::ListPanelCasesResponse listed;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::ListPanelCases, Cases().get(), list, &listed).ok());
  EXPECT_EQ(listed.panel_cases_size(), 3);
  v1::ListAssessmentsRequest trend;
  trend.set_name(c[0]);
  v1::ListAssessmentsResponse assessments;
  ASSERT_TRUE(
      Call(&v1::PanelService::Stub::ListAssessments, Cases().get(), trend, &assessments).ok());
  ASSERT_EQ(assessments.assessments_size(), 1);
  EXPECT_EQ(assessments.assessments(0).rule(), "P1");
}

TEST_F(PanelsTest, EscalationOpensALinkedCaseOnTheParentPanelExactlyOnce) {
  const std::string adult = Refer("aarg", Date(1975, 5, 5), "Adult E");
  Assess(adult, v1::RISK_VERY_HIGH, 2);
  const std::string meeting = Meeting("aarg", Date(2026, 11, 2));
  v1::EscalateCaseRequest escalate;
  escalate.set_name(adult);
  escalate.set_request_id(Id());
  escalate.set_meeting(meeting);
  escalate.set_reason("Cuckooing by an organised group across two areas");
  v1::PanelCaseResponse escalated;
  grpc::Status status =
      Call(&v1::PanelService::Stub::EscalateCase, Cases().get(), escalate, &escalated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(escalated.panel_case().state(), v1::PanelCase::ESCALATED);
  EXPECT_EQ(escalated.panel_case().escalated_to_panel(), "jag");

  // Only the engine opens the JAG's case: no caller may (the contract
  // declares ReceiveEscalation engine-only).
  v1::ReceiveEscalationRequest receive;
  receive.set_parent("partnerships/eastbrook");
  receive.set_request_id("manual-receive");
  receive.set_escalated_case(adult);
  v1::PanelCaseResponse opened;
  EXPECT_EQ(Call(&v1::PanelService::Stub::ReceiveEscalation, Cases().get(), receive, &opened,
                 "panel_chair")
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The worker delivers it once: a JAG case, linked both ways.
  absl::StatusOr<int> linked = server_->outbox().DeliverDue();
  ASSERT_TRUE(linked.ok()) << linked.status();
  EXPECT_EQ(*linked, 1);
  EXPECT_EQ(*server_->outbox().DeliverDue(), 0);
  v1::GetPanelCaseRequest get;
  get.set_name(adult);
  v1::PanelCase source;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::GetPanelCase, Cases().get(), get, &source).ok());
  const std::string jag_case = source.escalated_to();
  ASSERT_FALSE(jag_case.empty());
  v1::GetPanelCaseRequest get_jag;
  get_jag.set_name(jag_case);
  v1::PanelCase jag;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::GetPanelCase, Cases().get(), get_jag, &jag).ok());
  EXPECT_EQ(jag.panel(), "jag");
  EXPECT_EQ(jag.escalated_from(), adult);
  EXPECT_EQ(Count("jag"), "1/0/0/1");

  // Both histories show the link.
  auto events = v1::EventService::NewStub(InProcess());
  auto history = [&](const std::string& stream) {
    v1::ReadStreamRequest read;
    read.set_stream(stream);
    v1::ReadStreamResponse out;
    EXPECT_TRUE(Call(&v1::EventService::Stub::ReadStream, events.get(), read, &out).ok());
    std::vector<std::string> lines;
    for (const v1::EventEnvelope& e : out.events()) {
      const std::string type(e.payload().type_url().substr(e.payload().type_url().rfind('.') + 1));
      if (type == "EscalationLinked") {
        v1::EscalationLinked l;
        e.payload().UnpackTo(&l);
        lines.push_back(type + " " + l.linked_case());
      } else if (type == "PanelCaseReferred") {
        v1::PanelCaseReferred r;
        e.payload().UnpackTo(&r);
        lines.push_back(type + " " + r.escalated_from());
      } else {
        lines.push_back(type);
      }
    }
    return lines;
  };
  EXPECT_THAT(history(adult), ElementsAre("PanelCaseReferred ", "RiskAssessed", "PanelCasePlaced",
                                          "PanelCaseEscalated", "EscalationLinked " + jag_case));
  EXPECT_THAT(history(jag_case), ElementsAre("PanelCaseReferred " + adult));

  // The JAG's next agenda lists it as an escalation in.
  const std::string jag_meeting = Meeting("jag", Date(2026, 11, 16));
  v1::GetAgendaRequest agenda_request;
  agenda_request.set_name(jag_meeting);
  v1::PanelAgenda agenda;
  ASSERT_TRUE(
      Call(&v1::PanelMeetingService::Stub::GetAgenda, Meetings().get(), agenda_request, &agenda)
          .ok());
  EXPECT_THAT(Names(agenda.escalations_in()), ElementsAre("Adult E"));
  EXPECT_THAT(Names(agenda.new_referrals()), ElementsAre());
  // The JAG has no parent: escalating from it is refused.
  Assess(jag_case, v1::RISK_VERY_HIGH);
  clock_.Set(At(2026, 11, 16));
  escalate.set_name(jag_case);
  escalate.set_request_id(Id());
  escalate.set_meeting(jag_meeting);
  status = Call(&v1::PanelService::Stub::EscalateCase, Cases().get(), escalate, &escalated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(),
            "panel jag has no parent panel to escalate to in policy version 1");
}

TEST_F(PanelsTest, AnEscalationLeftUnlinkedByAStopIsLinkedBeforeTheNextStartServes) {
  const std::string adult = Refer("aarg", Date(1970, 2, 2), "Adult F");
  Assess(adult, v1::RISK_VERY_HIGH);
  v1::EscalateCaseRequest escalate;
  escalate.set_name(adult);
  escalate.set_request_id(Id());
  escalate.set_meeting(Meeting("aarg", Date(2026, 11, 2)));
  escalate.set_reason("Beyond the group's reach");
  v1::PanelCaseResponse escalated;
  ASSERT_TRUE(
      Call(&v1::PanelService::Stub::EscalateCase, Cases().get(), escalate, &escalated).ok());
  // Stopped before any poll delivered it; started again with the timers
  // (and links) polling, as caseworkd runs.
  server_.reset();
  Start(nullptr, absl::Hours(1));
  v1::GetPanelCaseRequest get;
  get.set_name(adult);
  v1::PanelCase source;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::GetPanelCase, Cases().get(), get, &source).ok());
  EXPECT_EQ(source.escalated_to(), "partnerships/eastbrook/panelCases/2");
  EXPECT_EQ(Count("jag"), "1/0/0/1");
}

TEST_F(PanelsTest, ARetriedReferralIsAnsweredOnceAndCreatesOneCase) {
  v1::ReferCaseRequest r;
  r.set_parent("partnerships/eastbrook");
  r.set_request_id("police-ref-77");
  r.set_panel("central-dg");
  r.mutable_subject()->set_kind(v1::SUBJECT_LOCATION);
  r.mutable_subject()->set_reference("LOC-9");
  r.mutable_subject()->set_display_name("Riverside car park");
  r.set_referrer_agency("shire-police");
  r.set_reason("Drug dealing and fires");
  r.set_lawful_basis(v1::LAW_ENFORCEMENT);
  v1::PanelCaseResponse first, second;
  ASSERT_TRUE(Call(&v1::PanelService::Stub::ReferCase, Cases().get(), r, &first).ok());
  ASSERT_TRUE(Call(&v1::PanelService::Stub::ReferCase, Cases().get(), r, &second).ok());
  EXPECT_EQ(first.commit().first_position(), second.commit().first_position());
  EXPECT_EQ(second.panel_case().name(), "partnerships/eastbrook/panelCases/1");
  EXPECT_EQ(Count("central-dg"), "1/0/0/1");
}

}  // namespace
}  // namespace casework::services
