// The parts of the panel case and meeting workflows their definitions
// (workflow.cc) assemble. Private to workflow/panels/.
#ifndef CASEWORK_WORKFLOW_PANELS_INTERNAL_H_
#define CASEWORK_WORKFLOW_PANELS_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "casework/v1/panels.pb.h"
#include "workflow/common/status.h"
#include "workflow/panels/commands.h"

namespace casework::workflow::panels {

using Case = v1::PanelCase;
using Meeting = v1::PanelMeeting;

// validate.cc: each command's own field rules (the kit checks parent or
// name, request_id and expected_version).
void ValidateRefer(const v1::ReferCaseRequest& r, const ValidateContext& ctx, FieldErrors& errors);
void ValidateAssess(const v1::AssessRiskRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateReview(const v1::ReviewCaseRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateMove(const v1::MoveCaseRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateStage(const v1::RecordStageRequest& r, const ValidateContext& ctx, FieldErrors& errors);
void ValidateClose(const v1::CloseCaseRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateReopen(const v1::ReopenCaseRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateEscalate(const v1::EscalateCaseRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateReceive(const v1::ReceiveEscalationRequest& r, const ValidateContext&,
                     FieldErrors& errors);
void ValidateReceiveRecommendation(const v1::ReceiveRecommendationRequest& r,
                                   const ValidateContext& ctx, FieldErrors& errors);
void ValidateLink(const v1::LinkEscalationRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateSchedule(const v1::ScheduleMeetingRequest& r, const ValidateContext&,
                      FieldErrors& errors);
void ValidateAttendance(const v1::RecordAttendanceRequest& r, const ValidateContext&,
                        FieldErrors& errors);
void ValidateCloseMeeting(const v1::CloseMeetingRequest& r, const ValidateContext&,
                          FieldErrors& errors);

// decide_case.cc: referral, assessment, stages, reopening.
//
// The referral of `subject` to panel `panel_id` of the policy in force on
// `date`, after its eligibility checks (partnership, number, panel,
// subject, date, age and policy version set; the caller adds the rest).
absl::StatusOr<v1::PanelCaseReferred> ReferralTo(const DecideContext& ctx, absl::string_view panel_id,
                                                 const v1::PanelSubject& subject,
                                                 absl::CivilDay date);
absl::Status DecideReceiveRecommendation(const Case& s, const v1::ReceiveRecommendationRequest& r,
                                         const DecideContext& ctx, Decision& out);
// The natural key of the referral of a case review's recommendation.
std::string FromRecommendationKey(const v1::ReceiveRecommendationRequest& r);
absl::Status DecideRefer(const Case& s, const v1::ReferCaseRequest& r, const DecideContext& ctx,
                         Decision& out);
absl::Status DecideAssess(const Case& s, const v1::AssessRiskRequest& r, const DecideContext& ctx,
                          Decision& out);
absl::Status DecideStage(const Case& s, const v1::RecordStageRequest& r, const DecideContext& ctx,
                         Decision& out);
absl::Status DecideReopen(const Case& s, const v1::ReopenCaseRequest& r, const DecideContext& ctx,
                          Decision& out);

// decide_meeting.cc: the decisions taken at a meeting, and the meeting's
// own commands.
//
// The meeting `name` a decision on case `s` is taken at: a meeting of the
// case's partnership and panel, held (on or before today), not closed, and
// quorate by the policy version it was scheduled under.
absl::StatusOr<Meeting> QuorateMeeting(const Case& s, absl::string_view name,
                                       const DecideContext& ctx);
// `agencies`, sorted and distinct, into `out`: how agency lists are kept on
// events and cases, so that appliers merge them in one pass.
void AssignAgencies(std::vector<std::string> agencies,
                    google::protobuf::RepeatedPtrField<std::string>* out);
// The agencies present at `meeting` into `present` (AssignAgencies):
// recorded on the decision's event, they join the case's member_agencies
// (its parties).
void SetPresentAgencies(const Meeting& meeting,
                        google::protobuf::RepeatedPtrField<std::string>* present);
absl::Status DecideReview(const Case& s, const v1::ReviewCaseRequest& r, const DecideContext& ctx,
                          Decision& out);
absl::Status DecideMove(const Case& s, const v1::MoveCaseRequest& r, const DecideContext& ctx,
                        Decision& out);
absl::Status DecideClose(const Case& s, const v1::CloseCaseRequest& r, const DecideContext& ctx,
                         Decision& out);
absl::Status DecideSchedule(const Meeting& s, const v1::ScheduleMeetingRequest& r,
                            const DecideContext& ctx, Decision& out);
absl::Status DecideAttendance(const Meeting& s, const v1::RecordAttendanceRequest& r,
                              const DecideContext& ctx, Decision& out);
absl::Status DecideCloseMeeting(const Meeting& s, const v1::CloseMeetingRequest& r,
                                const DecideContext& ctx, Decision& out);

// decide_escalation.cc: a case handed to the parent panel, and the link
// between the two cases.
absl::Status DecideEscalate(const Case& s, const v1::EscalateCaseRequest& r,
                            const DecideContext& ctx, Decision& out);
absl::Status DecideReceive(const Case& s, const v1::ReceiveEscalationRequest& r,
                           const DecideContext& ctx, Decision& out);
absl::Status DecideLink(const Case& s, const v1::LinkEscalationRequest& r,
                        const DecideContext& ctx, Decision& out);
// The natural key of the parent panel's case of `escalated_case`.
std::string EscalatedFromKey(const v1::ReceiveEscalationRequest& r);

// apply.cc: one applier per event type.
void ApplyReferred(Case& c, const v1::PanelCaseReferred& e, const v1::EventEnvelope& env);
// The assessment as recorded: the event's, with who made it and its version.
v1::RiskAssessment AssessmentOf(const v1::RiskAssessed& e, const v1::EventEnvelope& env);
void ApplyAssessed(Case& c, const v1::RiskAssessed& e, const v1::EventEnvelope& env);
void ApplyPlaced(Case& c, const v1::PanelCasePlaced& e);
void ApplyReviewed(Case& c, const v1::PanelCaseReviewed& e);
void ApplyStage(Case& c, const v1::IncrementalStageRecorded& e, const v1::EventEnvelope& env);
void ApplyClosed(Case& c, const v1::PanelCaseClosed& e);
void ApplyReopened(Case& c, const v1::PanelCaseReopened& e);
void ApplyEscalated(Case& c, const v1::PanelCaseEscalated& e);
void ApplyLinked(Case& c, const v1::EscalationLinked& e);
void ApplyScheduled(Meeting& m, const v1::PanelMeetingScheduled& e, const v1::EventEnvelope& env);
void ApplyAttendance(Meeting& m, const v1::AttendanceRecorded& e);
void ApplyMeetingClosed(Meeting& m, const v1::PanelMeetingClosed& e);

// rows.cc
// The message of each escalated case not yet linked (outbox.cc).
OutboxRoute EscalationRoute();
void CaseRows(absl::string_view stream, const Case& c, std::vector<Row>* rows);
std::string CaseSummaryRow(absl::string_view stream);
void AssessmentRows(absl::string_view stream, const v1::RiskAssessed& e,
                    const v1::EventEnvelope& env, std::vector<Row>* rows);
void ReviewDecisionRows(absl::string_view stream, const v1::PanelCaseReviewed& e,
                        const v1::EventEnvelope& env, std::vector<Row>* rows);
void MoveDecisionRows(absl::string_view stream, const v1::PanelCasePlaced& e,
                      const v1::EventEnvelope& env, std::vector<Row>* rows);
void EscalateDecisionRows(absl::string_view stream, const v1::PanelCaseEscalated& e,
                          const v1::EventEnvelope& env, std::vector<Row>* rows);
void CloseDecisionRows(absl::string_view stream, const v1::PanelCaseClosed& e,
                       const v1::EventEnvelope& env, std::vector<Row>* rows);
v1::PanelCaseResponse CaseReply(const Case& c, const v1::CommitInfo& commit);
void MeetingRows(absl::string_view stream, const Meeting& m, std::vector<Row>* rows);
std::string MeetingSummaryRow(absl::string_view stream);
v1::PanelMeetingResponse MeetingReply(const Meeting& m, const v1::CommitInfo& commit);

}  // namespace casework::workflow::panels

#endif  // CASEWORK_WORKFLOW_PANELS_INTERNAL_H_
