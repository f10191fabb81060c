// High-risk case panels: the JAG, its subgroups (AARG, YJAG) and delivery
// groups. Two workflows: a panel case, one stream per referral
// ("partnerships/{p}/panelCases/{n}"), and a panel meeting
// ("partnerships/{p}/panelMeetings/{n}"). States and rules:
// docs/workflows/panels.md. API: casework.v1.PanelService and
// casework.v1.PanelMeetingService.
//
// This header is the workflows' public face: their commands, their
// definitions and the read-model rows the services query.
#ifndef CASEWORK_WORKFLOW_PANELS_COMMANDS_H_
#define CASEWORK_WORKFLOW_PANELS_COMMANDS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "casework/v1/panels.pb.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow::panels {

inline constexpr CommandName<v1::ReferCaseRequest> kReferCase{"ReferCase"};
inline constexpr CommandName<v1::AssessRiskRequest> kAssessRisk{"AssessRisk"};
inline constexpr CommandName<v1::ReviewCaseRequest> kReviewCase{"ReviewCase"};
inline constexpr CommandName<v1::MoveCaseRequest> kMoveCase{"MoveCase"};
inline constexpr CommandName<v1::RecordStageRequest> kRecordStage{"RecordStage"};
inline constexpr CommandName<v1::CloseCaseRequest> kCloseCase{"CloseCase"};
inline constexpr CommandName<v1::ReopenCaseRequest> kReopenCase{"ReopenCase"};
inline constexpr CommandName<v1::EscalateCaseRequest> kEscalateCase{"EscalateCase"};
inline constexpr CommandName<v1::ReceiveEscalationRequest> kReceiveEscalation{"ReceiveEscalation"};
inline constexpr CommandName<v1::LinkEscalationRequest> kLinkEscalation{"LinkEscalation"};
inline constexpr CommandName<v1::ReceiveRecommendationRequest> kReceiveRecommendation{
    "ReceiveRecommendation"};

inline constexpr CommandName<v1::ScheduleMeetingRequest> kScheduleMeeting{"ScheduleMeeting"};
inline constexpr CommandName<v1::RecordAttendanceRequest> kRecordAttendance{"RecordAttendance"};
inline constexpr CommandName<v1::CloseMeetingRequest> kCloseMeeting{"CloseMeeting"};

// The panel case workflow (state: casework.v1.PanelCase).
const Workflow& PanelCaseWorkflow();
// The panel meeting workflow (state: casework.v1.PanelMeeting).
const Workflow& PanelMeetingWorkflow();

inline constexpr absl::string_view kCaseCollection = "panelCases";
inline constexpr absl::string_view kMeetingCollection = "panelMeetings";

std::string PanelCaseStream(absl::string_view partnership, int64_t number);
std::string PanelMeetingStream(absl::string_view partnership, int64_t number);

// Read-model key prefixes, for the queries in services/:
//   panelCases/{p}/all/{n}                          -> PanelCase (summary row)
//   panelCases/{p}/panel/{panel}/{STATE}/{n}        every case by panel and state
//   panelCases/{p}/due/{panel}/{yyyy-mm-dd}/{n}     placed cases by next review
//   panelCases/{p}/assessments/{n}/{version}        -> RiskAssessment
//   panelCases/{p}/decisions/{meeting n}/{global position} -> PanelDecision
//   panelCases/{p}/escalatedFrom/{n}                -> the parent panel's case of case n
//   panelCases/{p}/fromRecommendation/{review n}/{id} -> the referral of a recommendation
//   panelCases/~escalating/{p}/{n}                  -> an escalated case not yet linked
//   panelMeetings/{p}/all/{n}                       -> PanelMeeting (summary row)
//   panelMeetings/{p}/panel/{panel}/{yyyy-mm-dd}/{n} meetings by panel and date
std::string CaseRowPrefix(absl::string_view partnership, absl::string_view index);
std::string MeetingRowPrefix(absl::string_view partnership, absl::string_view index);
// The prefix of case `number`'s assessment rows, oldest first.
std::string AssessmentsPrefix(absl::string_view partnership, int64_t number);
// The prefix of the decision rows of meeting `number`, in the order taken.
std::string DecisionsPrefix(absl::string_view partnership, int64_t meeting_number);
// Escalations waiting for their parent panel's case, in every partnership:
// the rows the server's outbox delivers (value: the escalated case).
// An escalated case implies its row until LinkEscalation lands, so the row
// is written with the escalation and removed with the link, atomically.
inline constexpr absl::string_view kEscalatingPrefix = "panelCases/~escalating/";

}  // namespace casework::workflow::panels

#endif  // CASEWORK_WORKFLOW_PANELS_COMMANDS_H_
