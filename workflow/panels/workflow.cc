// The panel case and panel meeting workflows' definitions.
#include <algorithm>

#include "workflow/common/roles.h"
#include "workflow/kernel/definition.h"
#include "workflow/panels/internal.h"
#include "workflow/panels/policy_section.h"

namespace casework::workflow::panels {
namespace {

// The roles that oversee every panel case and meeting.
bool OverseesPanels(const v1::Actor& actor) {
  return actor.role() == kPanelChairRole || actor.role() == kPartnershipChairRole;
}

// A panel case's parties: the referring agency, the agency that recorded the
// referral, the agencies present when a meeting decided on it
// (member_agencies), and the chairs.
bool IsCaseParty(const Case& c, const v1::Actor& actor) {
  if (actor.agency() == c.referrer_agency() || actor.agency() == c.recorded_by_agency() ||
      OverseesPanels(actor)) {
    return true;
  }
  return std::binary_search(c.member_agencies().begin(), c.member_agencies().end(),
                            actor.agency());
}

// A meeting's parties: the agency that scheduled it, the attendees'
// agencies, and the chairs.
bool IsMeetingParty(const Meeting& m, const v1::Actor& actor) {
  if (actor.agency() == m.organiser_agency() || OverseesPanels(actor)) return true;
  for (const v1::Attendee& a : m.attendees()) {
    if (a.agency() == actor.agency()) return true;
  }
  return false;
}

}  // namespace

const Workflow& PanelCaseWorkflow() {
  static const Workflow* workflow = [] {
    Definition<Case> d({"panel_case", kCaseCollection, 1, "casework.v1.PanelService",
                        "docs/workflows/panels.md"});
    d.StateField(&v1::PanelCase::state);
    d.Retention([](const Case& c) -> int64_t {
      const bool closed = c.state() == Case::CLOSED || c.state() == Case::DECLINED ||
                          c.state() == Case::ESCALATED;
      return closed ? c.update_time().seconds() : 0;
    });
    // The table keeps views of these names: they must outlive it.
    static constexpr char main[] = "MAIN_AGENDA";
    static constexpr char monitoring[] = "MONITORING";
    d.Transitions({
        {kNewState, kReferCase.name, {"REFERRED"}},
        {"REFERRED", kAssessRisk.name, {main, monitoring, "DECLINED"}},
        {main, kAssessRisk.name, {main}},
        {monitoring, kAssessRisk.name, {monitoring}},
        {main, kReviewCase.name, {main}},
        {monitoring, kReviewCase.name, {monitoring}},
        {main, kMoveCase.name, {monitoring}},
        {monitoring, kMoveCase.name, {main}},
        {main, kRecordStage.name, {main}},
        {monitoring, kRecordStage.name, {monitoring}},
        {"REFERRED", kCloseCase.name, {"CLOSED"}},
        {main, kCloseCase.name, {"CLOSED"}},
        {monitoring, kCloseCase.name, {"CLOSED"}},
        {"CLOSED", kReopenCase.name, {"REFERRED"}},
        {"DECLINED", kReopenCase.name, {"REFERRED"}},
        {main, kEscalateCase.name, {"ESCALATED"}},
        {monitoring, kEscalateCase.name, {"ESCALATED"}},
        {"ESCALATED", kLinkEscalation.name, {"ESCALATED"}},
        {kNewState, kReceiveEscalation.name, {"REFERRED"}},
        // A repeated ReceiveEscalation reaches the case it opened (its
        // natural key) and changes nothing, whatever became of it.
        {"REFERRED", kReceiveEscalation.name, {"REFERRED"}},
        {main, kReceiveEscalation.name, {main}},
        {monitoring, kReceiveEscalation.name, {monitoring}},
        {"DECLINED", kReceiveEscalation.name, {"DECLINED"}},
        {"CLOSED", kReceiveEscalation.name, {"CLOSED"}},
        {"ESCALATED", kReceiveEscalation.name, {"ESCALATED"}},
        // The same for the referral of a case review's recommendation.
        {kNewState, kReceiveRecommendation.name, {"REFERRED"}},
        {"REFERRED", kReceiveRecommendation.name, {"REFERRED"}},
        {main, kReceiveRecommendation.name, {main}},
        {monitoring, kReceiveRecommendation.name, {monitoring}},
        {"DECLINED", kReceiveRecommendation.name, {"DECLINED"}},
        {"CLOSED", kReceiveRecommendation.name, {"CLOSED"}},
        {"ESCALATED", kReceiveRecommendation.name, {"ESCALATED"}},
    });

    d.Create(kReferCase, DecideRefer, ValidateRefer);
    d.Update(kAssessRisk, DecideAssess, ValidateAssess);
    d.Update(kReviewCase, DecideReview, ValidateReview);
    d.Update(kMoveCase, DecideMove, ValidateMove);
    d.Update(kRecordStage, DecideStage, ValidateStage);
    d.Update(kCloseCase, DecideClose, ValidateClose);
    d.Update(kReopenCase, DecideReopen, ValidateReopen);
    d.Update(kEscalateCase, DecideEscalate, ValidateEscalate);
    d.Create(kReceiveEscalation, DecideReceive, ValidateReceive).NaturalKey(EscalatedFromKey);
    d.Update(kLinkEscalation, DecideLink, ValidateLink);
    d.Create(kReceiveRecommendation, DecideReceiveRecommendation, ValidateReceiveRecommendation)
        .NaturalKey(FromRecommendationKey);
    d.Reply(CaseReply);

    d.On<v1::PanelCaseReferred>(ApplyReferred);
    d.On<v1::RiskAssessed>(ApplyAssessed);
    d.On<v1::PanelCasePlaced>(ApplyPlaced);
    d.On<v1::PanelCaseReviewed>(ApplyReviewed);
    d.On<v1::IncrementalStageRecorded>(ApplyStage);
    d.On<v1::PanelCaseClosed>(ApplyClosed);
    d.On<v1::PanelCaseReopened>(ApplyReopened);
    d.On<v1::PanelCaseEscalated>(ApplyEscalated);
    d.On<v1::EscalationLinked>(ApplyLinked);

    d.Rows(CaseRows, {std::string(kCaseCollection)});
    d.Outbox(EscalationRoute());
    d.SummaryRow(CaseSummaryRow);
    d.EventRows(AssessmentRows, {});
    d.EventRows(ReviewDecisionRows, {});
    d.EventRows(MoveDecisionRows, {});
    d.EventRows(CloseDecisionRows, {});
    d.EventRows(EscalateDecisionRows, {});
    d.PinnedPolicy(+[](const Case& c) { return c.policy_version(); });
    d.ReadAccess(IsCaseParty);
    d.Policy(kPolicySection);
    return std::move(d).Build();
  }();
  return *workflow;
}

const Workflow& PanelMeetingWorkflow() {
  static const Workflow* workflow = [] {
    Definition<Meeting> d({"panel_meeting", kMeetingCollection, 1,
                           "casework.v1.PanelMeetingService", "docs/workflows/panel-meetings.md"});
    d.StateField(&v1::PanelMeeting::state);
    d.Retention([](const Meeting& m) -> int64_t {
      return m.state() == Meeting::CLOSED ? m.update_time().seconds() : 0;
    });
    d.Transitions({
        {kNewState, kScheduleMeeting.name, {"SCHEDULED"}},
        {"SCHEDULED", kRecordAttendance.name, {"SCHEDULED"}},
        {"SCHEDULED", kCloseMeeting.name, {"CLOSED"}},
    });
    d.Create(kScheduleMeeting, DecideSchedule, ValidateSchedule);
    d.Update(kRecordAttendance, DecideAttendance, ValidateAttendance);
    d.Update(kCloseMeeting, DecideCloseMeeting, ValidateCloseMeeting);
    d.Reply(MeetingReply);

    d.On<v1::PanelMeetingScheduled>(ApplyScheduled);
    d.On<v1::AttendanceRecorded>(ApplyAttendance);
    d.On<v1::PanelMeetingClosed>(ApplyMeetingClosed);

    d.Rows(MeetingRows, {std::string(kMeetingCollection)});
    d.SummaryRow(MeetingSummaryRow);
    d.PinnedPolicy(+[](const Meeting& m) { return m.policy_version(); });
    d.ReadAccess(IsMeetingParty);
    return std::move(d).Build();
  }();
  return *workflow;
}

}  // namespace casework::workflow::panels
