// The death review workflow's definition.
#include "workflow/death_reviews/internal.h"
#include "workflow/death_reviews/policy_section.h"
#include "workflow/kernel/definition.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::death_reviews {

const Workflow& DeathReviewWorkflow() {
  static const Workflow* workflow = [] {
    Definition<Review> d({"death_review", kCollection, 1, "casework.v1.DeathReviewService",
                          "docs/workflows/death-reviews.md"});
    d.StateField(&Review::state);
    d.Retention([](const Review& r) -> int64_t {
      return r.state() == Review::CLOSED ? r.update_time().seconds() : 0;
    });
    // The table keeps views of these names: they must outlive it.
    static constexpr char notified[] = "NOTIFIED";
    static constexpr char commissioned[] = "COMMISSIONED";
    static constexpr char scoping[] = "SCOPING";
    static constexpr char reports[] = "AGENCY_REPORTS";
    static constexpr char drafting[] = "DRAFTING";
    static constexpr char signed_off[] = "SIGNED_OFF";
    static constexpr char submitted[] = "SUBMITTED";
    static constexpr char approved[] = "APPROVED";
    static constexpr char published[] = "PUBLISHED";
    static constexpr char on_hold[] = "ON_HOLD";
    std::vector<Transition> table = {
        {kNewState, kNotifyDeath.name, {notified}},
        {notified, kRecordDecision.name, {commissioned, "NOT_COMMISSIONED"}},
        {commissioned, kAgreeTermsOfReference.name, {scoping, reports}},
        {scoping, kCompleteScoping.name, {reports}},
        {reports, kRecordDraft.name, {drafting}},
        {drafting, kRecordDraft.name, {drafting}},
        {approved, kRecordDraft.name, {approved}},  // the final revisions
        {drafting, kSignOffReview.name, {signed_off}},
        {signed_off, kSubmitToHomeOffice.name, {submitted}},
        {submitted, kRecordQaOutcome.name, {approved, drafting}},
        {approved, kPublishReview.name, {published}},
        {published, kCloseReview.name, {"CLOSED"}},
        {on_hold, kResumeReview.name,
         {notified, commissioned, scoping, reports, drafting, signed_off, submitted, approved}},
    };
    // Commands that keep the review in its stage, and the stages they run in.
    const std::vector<std::pair<absl::string_view, std::vector<const char*>>> staying = {
        {kAppointChair.name, {commissioned, scoping, reports, drafting}},
        {kAddPanelMember.name, {commissioned, scoping, reports, drafting}},
        {kRequestAgencyReport.name, {scoping, reports, drafting}},
        {kReceiveAgencyReport.name, {reports, drafting}},
        {kWaiveAgencyReport.name, {reports, drafting}},
        {kRecordFamilyContact.name,
         {notified, commissioned, scoping, reports, drafting, signed_off, submitted, approved,
          published, on_hold}},
        {kAddActionPlanItem.name, {approved, published}},
        {kLinkPlanAction.name, {approved, published}},
    };
    for (const auto& [command, stages] : staying) {
      for (const char* stage : stages) table.push_back({stage, command, {stage}});
    }
    for (const char* stage :
         {notified, commissioned, scoping, reports, drafting, signed_off, submitted, approved}) {
      table.push_back({stage, kPlaceOnHold.name, {on_hold}});
    }
    d.Transitions(std::move(table));

    d.Create(kNotifyDeath, DecideNotify, ValidateNotify);
    d.Update(kRecordDecision, DecideDecision, ValidateDecision);
    d.Update(kAppointChair, DecideChair, ValidateChair);
    d.Update(kAddPanelMember, DecideMember, ValidateMember);
    d.Update(kAgreeTermsOfReference, DecideTerms, ValidateTerms);
    d.Update(kCompleteScoping, DecideScoping, ValidateScoping);
    d.Update(kRequestAgencyReport, DecideRequestReport, ValidateRequestReport);
    d.Update(kReceiveAgencyReport, DecideReceiveReport, ValidateReceiveReport);
    d.Update(kWaiveAgencyReport, DecideWaiveReport, ValidateWaiveReport);
    d.Update(kRecordFamilyContact, DecideFamily, ValidateFamily);
    d.Update(kRecordDraft, DecideDraft, ValidateDraft);
    d.Update(kSignOffReview, DecideSignOff, ValidateSignOff);
    d.Update(kSubmitToHomeOffice, DecideSubmit, ValidateSubmit);
    d.Update(kRecordQaOutcome, DecideQaOutcome, ValidateQaOutcome);
    d.Update(kPublishReview, DecidePublish, ValidatePublish);
    d.Update(kAddActionPlanItem, DecidePlanItem, ValidatePlanItem);
    d.Update(kLinkPlanAction, DecideLinkAction, ValidateLinkAction);
    d.Update(kPlaceOnHold, DecideHold, ValidateHold);
    d.Update(kResumeReview, DecideResume, ValidateResume);
    d.Update(kCloseReview, DecideClose, ValidateClose);
    d.Reply(ReviewReply);

    d.On<v1::DeathNotified>(ApplyNotified);
    d.On<v1::ReviewDecided>(ApplyDecided);
    d.On<v1::ChairAppointed>(ApplyChair);
    d.On<v1::PanelMemberAdded>(ApplyMember);
    d.On<v1::TermsOfReferenceAgreed>(ApplyTerms);
    d.On<v1::ScopingCompleted>(ApplyScoping);
    d.On<v1::AgencyReportRequested>(ApplyReportRequested);
    d.On<v1::AgencyReportReceived>(ApplyReportReceived);
    d.On<v1::AgencyReportWaived>(ApplyReportWaived);
    d.On<v1::FamilyContactRecorded>(ApplyFamily);
    d.On<v1::DraftRecorded>(ApplyDraft);
    d.On<v1::ReviewSignedOff>(ApplySignedOff);
    d.On<v1::SubmittedToHomeOffice>(ApplySubmitted);
    d.On<v1::QaOutcomeRecorded>(ApplyQaOutcome);
    d.On<v1::ReviewPublished>(ApplyPublished);
    d.On<v1::ActionPlanItemAdded>(ApplyPlanItem);
    d.On<v1::PlanActionLinked>(ApplyLinked);
    d.On<v1::ReviewPlacedOnHold>(ApplyOnHold);
    d.On<v1::ReviewResumed>(ApplyResumed);
    d.On<v1::ReviewClosed>(ApplyClosed);
    AddDeadlines(d);

    d.Rows(ReviewRows, {std::string(kCollection)});
    d.Outbox(PlanActionRoute());
    d.SummaryRow(ReviewSummaryRow);
    d.EventRows(FamilyContactRows, {});
    d.PinnedPolicy(+[](const Review& s) { return s.policy_version(); });
    d.ReadAccess(MayRead, Sharing::kNever);
    d.Policy(kPolicySection);
    return std::move(d).Build();
  }();
  return *workflow;
}

}  // namespace casework::workflow::death_reviews
