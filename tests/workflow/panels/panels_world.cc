#include "tests/workflow/panels/panels_world.h"

#include "absl/strings/str_cat.h"
#include "workflow/common/status.h"
#include "workflow/panels/commands.h"

namespace casework::testing {
namespace {

v1::ReferCaseRequest Referral(const std::string& panel) {
  v1::ReferCaseRequest r;
  r.set_parent("partnerships/eastbrook");
  r.set_request_id("refer");
  r.set_panel(panel);
  r.set_referrer_agency("shire-police");
  r.set_reason("Repeat missing episodes and suspected exploitation");
  r.set_lawful_basis(v1::SAFEGUARDING);
  return r;
}

}  // namespace

v1::ReferCaseRequest PersonReferral(const std::string& panel, v1::CivilDate born,
                                    v1::CivilDate referred) {
  v1::ReferCaseRequest r = Referral(panel);
  v1::PanelSubject& s = *r.mutable_subject();
  s.set_kind(v1::SUBJECT_PERSON);
  s.set_reference("PN-0042");
  s.set_display_name("Jordan Vale");
  *s.mutable_date_of_birth() = born;
  s.set_locality("Hollin Park");
  *r.mutable_referral_date() = referred;
  return r;
}

v1::ReferCaseRequest LocationReferral(const std::string& panel) {
  v1::ReferCaseRequest r = Referral(panel);
  v1::PanelSubject& s = *r.mutable_subject();
  s.set_kind(v1::SUBJECT_LOCATION);
  s.set_reference("LOC-7");
  s.set_display_name("Canal towpath underpass");
  return r;
}

v1::AssessRiskRequest Assessment(v1::RiskLevel reoffending, v1::RiskLevel others,
                                 v1::RiskLevel self, int factors) {
  v1::AssessRiskRequest r;
  r.set_request_id("assess");
  r.set_reoffending(reoffending);
  r.set_harm_to_others(others);
  r.set_harm_to_self(self);
  for (int f = 1; f <= factors; ++f) r.add_factors(static_cast<v1::AggravatingFactor>(f));
  r.set_no_domain_concerns(true);
  r.set_summary("Assessed by the referring officer with housing and health");
  return r;
}

v1::RecordAttendanceRequest QuorateAttendance() {
  v1::RecordAttendanceRequest r;
  r.set_request_id("attendance");
  struct {
    const char* agency;
    v1::AgencyKind kind;
    const char* role;
    bool chair;
  } const people[] = {{"eastbrook-council", v1::COUNCIL, "community safety officer", false},
                      {"shire-police", v1::POLICE, "neighbourhood sergeant", true},
                      {"eastbrook-health", v1::HEALTH, "safeguarding nurse", false}};
  for (const auto& p : people) {
    v1::Attendee& a = *r.add_attendees();
    a.set_agency(p.agency);
    a.set_agency_kind(p.kind);
    a.set_role(p.role);
    a.set_chair(p.chair);
  }
  return r;
}

std::string HoldMeeting(World& world, const std::string& panel, v1::CivilDate date,
                        bool quorate) {
  v1::ScheduleMeetingRequest schedule;
  schedule.set_parent("partnerships/eastbrook");
  schedule.set_request_id(absl::StrCat("schedule-", panel, "-", date.year(), date.month(), date.day()));
  schedule.set_panel(panel);
  *schedule.mutable_date() = date;
  Outcome out = world.When(workflow::panels::kScheduleMeeting, schedule);
  if (!out.status.ok()) AbortWithMessage(out.status.ToString());
  if (quorate) {
    v1::RecordAttendanceRequest attendance = QuorateAttendance();
    attendance.set_name(out.stream);
    Outcome recorded = world.When(workflow::panels::kRecordAttendance, attendance);
    if (!recorded.status.ok()) AbortWithMessage(recorded.status.ToString());
  }
  return out.stream;
}

}  // namespace casework::testing
