// The case review workflow's definition: its table, commands, appliers, rows
// and policy section.
#include "workflow/case_review/internal.h"
#include "workflow/common/roles.h"
#include "workflow/case_review/policy_section.h"
#include "workflow/kernel/definition.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::case_review {
namespace {

// A case review's parties: the agency that received the application, the
// lead officer's agency, the agencies asked for information, and the
// partnership chair (who decides appeals).
bool IsParty(const State& s, const v1::Actor& actor) {
  if (actor.agency() == s.receiving_agency() || actor.agency() == s.lead_agency() ||
      actor.role() == kPartnershipChairRole) {
    return true;
  }
  for (const v1::AgencyRequest& r : s.agency_requests()) {
    if (r.agency() == actor.agency()) return true;
  }
  return false;
}

}  // namespace

const Workflow& CaseReviewWorkflow() {
  static const Workflow* workflow = [] {
    Definition<State> d({"case_review", "caseReviews", 1, "casework.v1.CaseReviewService",
                         "docs/workflows/case-review.md"});
    d.StateField(&State::state);
    // Closed: CLOSED, WITHDRAWN, or THRESHOLD_NOT_MET (until an appeal
    // moves it on).
    d.Retention([](const State& s) -> int64_t {
      const bool closed = s.state() == State::CLOSED || s.state() == State::WITHDRAWN ||
                          s.state() == State::THRESHOLD_NOT_MET;
      return closed ? s.update_time().seconds() : 0;
    });
    d.Transitions({
        {kNewState, kReceiveApplication.name, {"RECEIVED"}},
        {"RECEIVED", kAcknowledgeApplication.name, {"RECEIVED"}},
        {"RECEIVED", kEvaluateThreshold.name, {"THRESHOLD_MET", "THRESHOLD_NOT_MET"}},
        {"RECEIVED", kOverrideThreshold.name, {"THRESHOLD_MET"}},
        {"RECEIVED", kWithdrawApplication.name, {"WITHDRAWN"}},
        {"THRESHOLD_NOT_MET", kNotifyApplicant.name, {"THRESHOLD_NOT_MET"}},
        {"THRESHOLD_NOT_MET", kLodgeAppeal.name, {"APPEAL_LODGED"}},
        {"THRESHOLD_NOT_MET", kOverrideThreshold.name, {"THRESHOLD_MET"}},
        {"THRESHOLD_NOT_MET", kCloseCaseReview.name, {"CLOSED"}},
        {"THRESHOLD_NOT_MET", kWithdrawApplication.name, {"WITHDRAWN"}},
        {"THRESHOLD_MET", kNotifyApplicant.name, {"THRESHOLD_MET"}},
        {"THRESHOLD_MET", kAssignLeadOfficer.name, {"IN_REVIEW"}},
        {"THRESHOLD_MET", kWithdrawApplication.name, {"WITHDRAWN"}},
        {"IN_REVIEW", kAssignLeadOfficer.name, {"IN_REVIEW"}},
        {"IN_REVIEW", kRequestAgencyInformation.name, {"IN_REVIEW"}},
        {"IN_REVIEW", kRecordAgencyInformation.name, {"IN_REVIEW"}},
        {"IN_REVIEW", kInviteVictim.name, {"IN_REVIEW"}},
        {"IN_REVIEW", kRecordReviewMeeting.name, {"IN_REVIEW"}},
        {"IN_REVIEW", kRecordOfficerHours.name, {"IN_REVIEW"}},
        {"IN_REVIEW", kRecordOutcome.name, {"OUTCOME_DECIDED"}},
        {"IN_REVIEW", kWithdrawApplication.name, {"WITHDRAWN"}},
        {"OUTCOME_DECIDED", kRecordOfficerHours.name, {"OUTCOME_DECIDED"}},
        {"OUTCOME_DECIDED", kCommunicateOutcome.name, {"OUTCOME_COMMUNICATED"}},
        {"OUTCOME_DECIDED", kWithdrawApplication.name, {"WITHDRAWN"}},
        {"OUTCOME_COMMUNICATED", kLodgeAppeal.name, {"APPEAL_LODGED"}},
        {"OUTCOME_COMMUNICATED", kRecordRecommendationProgress.name, {"OUTCOME_COMMUNICATED"}},
        {"OUTCOME_COMMUNICATED", kRecordOfficerHours.name, {"OUTCOME_COMMUNICATED"}},
        {"OUTCOME_COMMUNICATED", kCloseCaseReview.name, {"CLOSED"}},
        {"OUTCOME_COMMUNICATED", kWithdrawApplication.name, {"WITHDRAWN"}},
        {"APPEAL_LODGED", kSendAppealPapers.name, {"WITH_APPEAL_CHAIR"}},
        {"APPEAL_LODGED", kRecordRecommendationProgress.name, {"APPEAL_LODGED"}},
        {"APPEAL_LODGED", kRecordOfficerHours.name, {"APPEAL_LODGED"}},
        {"APPEAL_LODGED", kWithdrawApplication.name, {"WITHDRAWN"}},
        // Against an outcome: upheld re-opens the review (IN_REVIEW), dismissed
        // is final. Against a threshold decision: upheld, the threshold is met;
        // dismissed, the case closes.
        {"WITH_APPEAL_CHAIR",
         kDecideAppeal.name,
         {"IN_REVIEW", "OUTCOME_COMMUNICATED", "THRESHOLD_MET", "CLOSED"}},
        {"WITH_APPEAL_CHAIR", kRecordRecommendationProgress.name, {"WITH_APPEAL_CHAIR"}},
        {"WITH_APPEAL_CHAIR", kRecordOfficerHours.name, {"WITH_APPEAL_CHAIR"}},
        {"WITH_APPEAL_CHAIR", kWithdrawApplication.name, {"WITHDRAWN"}},
        // An appeal lodged while the window is still open re-opens the case.
        {"CLOSED", kLodgeAppeal.name, {"APPEAL_LODGED"}},
        // Recommendations go to a high-risk case panel once decided.
        {"OUTCOME_DECIDED", kReferRecommendation.name, {"OUTCOME_DECIDED"}},
        {"OUTCOME_DECIDED", kLinkPanelReferral.name, {"OUTCOME_DECIDED"}},
        {"OUTCOME_COMMUNICATED", kReferRecommendation.name, {"OUTCOME_COMMUNICATED"}},
        {"OUTCOME_COMMUNICATED", kLinkPanelReferral.name, {"OUTCOME_COMMUNICATED"}},
        {"APPEAL_LODGED", kReferRecommendation.name, {"APPEAL_LODGED"}},
        {"APPEAL_LODGED", kLinkPanelReferral.name, {"APPEAL_LODGED"}},
        {"WITH_APPEAL_CHAIR", kReferRecommendation.name, {"WITH_APPEAL_CHAIR"}},
        {"WITH_APPEAL_CHAIR", kLinkPanelReferral.name, {"WITH_APPEAL_CHAIR"}},
        {"CLOSED", kReferRecommendation.name, {"CLOSED"}},
        {"CLOSED", kLinkPanelReferral.name, {"CLOSED"}},
    });

    d.Create(kReceiveApplication, DecideReceiveApplication, ValidateReceiveApplication);
    d.Update(kAcknowledgeApplication, DecideAcknowledgeApplication, ValidateCaseReviewCommand);
    d.Update(kEvaluateThreshold, DecideEvaluateThreshold, ValidateCaseReviewCommand);
    d.Update(kOverrideThreshold, DecideOverrideThreshold, ValidateOverrideThreshold);
    d.Update(kNotifyApplicant, DecideNotifyApplicant, ValidateNotifyApplicant);
    d.Update(kAssignLeadOfficer, DecideAssignLeadOfficer, ValidateAssignLeadOfficer);
    d.Update(kRequestAgencyInformation, DecideRequestAgencyInformation,
             ValidateRequestAgencyInformation);
    d.Update(kRecordAgencyInformation, DecideRecordAgencyInformation,
             ValidateRecordAgencyInformation);
    d.Update(kInviteVictim, DecideInviteVictim, ValidateCaseReviewCommand);
    d.Update(kRecordReviewMeeting, DecideRecordReviewMeeting, ValidateRecordReviewMeeting);
    d.Update(kRecordOfficerHours, DecideRecordOfficerHours, ValidateRecordOfficerHours);
    d.Update(kRecordOutcome, DecideRecordOutcome, ValidateRecordOutcome);
    d.Update(kCommunicateOutcome, DecideCommunicateOutcome, ValidateCaseReviewCommand);
    d.Update(kLodgeAppeal, DecideLodgeAppeal, ValidateLodgeAppeal);
    d.Update(kSendAppealPapers, DecideSendAppealPapers, ValidateSendAppealPapers);
    d.Update(kDecideAppeal, DecideDecideAppeal, ValidateDecideAppeal);
    d.Update(kRecordRecommendationProgress, DecideRecommendationProgress,
             ValidateRecommendationProgress);
    d.Update(kCloseCaseReview, DecideCloseCaseReview, ValidateCloseCaseReview);
    d.Update(kReferRecommendation, DecideReferRecommendation, ValidateReferRecommendation);
    d.Update(kLinkPanelReferral, DecideLinkPanelReferral, ValidateLinkPanelReferral);
    d.Update(kWithdrawApplication, DecideWithdrawApplication, ValidateWithdrawApplication);
    d.Reply(CaseReviewReply);

    d.On<v1::ApplicationReceived>(ApplyApplicationReceived);
    d.On<v1::ApplicationAcknowledged>(ApplyApplicationAcknowledged);
    d.On<v1::ThresholdEvaluated>(ApplyThresholdEvaluated);
    d.On<v1::ApplicantNotified>(ApplyApplicantNotified);
    d.On<v1::LeadOfficerAssigned>(ApplyLeadOfficerAssigned);
    d.On<v1::AgencyInformationRequested>(ApplyAgencyInformationRequested);
    d.On<v1::AgencyInformationReceived>(ApplyAgencyInformationReceived);
    d.On<v1::VictimInvited>(ApplyVictimInvited);
    d.On<v1::ReviewMeetingRecorded>(ApplyReviewMeetingRecorded);
    d.On<v1::OfficerHoursRecorded>(ApplyOfficerHoursRecorded);
    d.On<v1::OutcomeRecorded>(ApplyOutcomeRecorded);
    d.On<v1::OutcomeCommunicated>(ApplyOutcomeCommunicated);
    d.On<v1::AppealLodged>(ApplyAppealLodged);
    d.On<v1::AppealPapersSent>(ApplyAppealPapersSent);
    d.On<v1::AppealDecided>(ApplyAppealDecided);
    d.On<v1::ReviewReopened>(ApplyReviewReopened);
    d.On<v1::RecommendationProgressed>(ApplyRecommendationProgressed);
    d.On<v1::CaseReviewClosed>(ApplyCaseReviewClosed);
    d.On<v1::ApplicationWithdrawn>(ApplyApplicationWithdrawn);
    d.On<v1::RecommendationReferred>(ApplyRecommendationReferred);
    d.On<v1::PanelReferralLinked>(ApplyPanelReferralLinked);
    AddDeadlines(d);

    d.Rows(CaseReviewRows, {"caseReviews"});
    d.Rows(ReferralRows, {});
    d.EventRows(ConsideredRows, {});
    d.Outbox(PanelReferralRoute());
    d.SummaryRow(CaseReviewSummaryRow);
    d.ReadAccess(IsParty);
    d.Policy(kPolicySection);
    d.PinnedPolicy(+[](const State& s) { return s.policy_version(); });
    return std::move(d).Build();
  }();
  return *workflow;
}

}  // namespace casework::workflow::case_review
