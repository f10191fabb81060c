// The report and what follows it: drafts, the partnership's sign-off, the
// Home Office quality-assurance rounds, publication, the action plan and
// closure. The kit has already checked the table.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workflow/actions/commands.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/internal.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::death_reviews {
namespace {

absl::Status NoDraft(absl::string_view why) {
  return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NO_DRAFT", why);
}

const char* KindLabel(v1::AgencyReportKind kind) {
  switch (kind) {
    case v1::IMR: return "IMR";
    case v1::CHRONOLOGY: return "chronology";
    case v1::SHORT_REPORT: return "short report";
    default: return "report";
  }
}

}  // namespace

absl::Status DecideDraft(const Review& s, const v1::RecordDraftRequest& r, const DecideContext&,
                         Decision& out) {
  if (s.state() == v1::DeathReview::AGENCY_REPORTS) {
    std::vector<std::string> outstanding;
    for (const v1::AgencyReport& report : s.agency_reports()) {
      if (report.state() != v1::AgencyReport::REQUESTED) continue;
      outstanding.push_back(absl::StrCat("report ", report.id(), " (", report.agency(), " ",
                                         KindLabel(report.kind()), ", due ",
                                         FormatDate(report.due_on()), ")"));
    }
    if (!outstanding.empty()) {
      return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "REPORTS_OUTSTANDING",
                             absl::StrCat("drafting starts once every agency report is received "
                                          "or waived; outstanding: ",
                                          absl::StrJoin(outstanding, ", ")));
    }
  }
  if (s.drafts_size() >= kMaxDrafts) {
    return FieldError("overview_report_reference", "count",
                      absl::StrCat("a review keeps at most ", kMaxDrafts, " drafts"));
  }
  if (!s.drafts().empty()) {
    RETURN_IF_ERROR(CheckNotBefore("drafted_on", r.drafted_on(),
                                   s.drafts(s.drafts_size() - 1).drafted_on(), "previous_draft"));
  }
  v1::DraftRecorded e;
  v1::ReportDraft& d = *e.mutable_draft();
  d.set_number(LatestDraft(s) + 1);
  *d.mutable_drafted_on() = r.drafted_on();
  d.set_overview_report_reference(r.overview_report_reference());
  d.set_executive_summary_reference(r.executive_summary_reference());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideSignOff(const Review& s, const v1::SignOffReviewRequest& r,
                           const DecideContext& ctx, Decision& out) {
  if (LatestDraft(s) == 0 || LatestDraft(s) == LastRoundDraft(s)) {
    return NoDraft(s.qa_rounds().empty()
                       ? "the partnership signs off a draft: record one first (RecordDraft)"
                       : "the Home Office asked for a resubmission: record the revised draft "
                         "first (RecordDraft)");
  }
  RETURN_IF_ERROR(CheckNotBefore("signed_off_on", r.signed_off_on(),
                                 s.drafts(s.drafts_size() - 1).drafted_on(), "draft"));
  v1::ReviewSignedOff e;
  *e.mutable_sign_off()->mutable_signed_off_on() = r.signed_off_on();
  e.mutable_sign_off()->set_draft_number(LatestDraft(s));
  *e.mutable_sign_off()->mutable_signed_off_by() = *ctx.actor;
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideSubmit(const Review& s, const v1::SubmitToHomeOfficeRequest& r,
                          const DecideContext&, Decision& out) {
  RETURN_IF_ERROR(CheckNotBefore("submitted_on", r.submitted_on(), s.sign_off().signed_off_on(),
                                 "sign_off"));
  if (s.qa_rounds_size() >= kMaxQaRounds) {
    return FieldError("submitted_on", "count",
                      absl::StrCat("a review keeps at most ", kMaxQaRounds, " rounds"));
  }
  v1::SubmittedToHomeOffice e;
  e.set_round(s.qa_rounds_size() + 1);
  *e.mutable_submitted_on() = r.submitted_on();
  e.set_draft_number(s.sign_off().draft_number());
  out.Emit(std::move(e));
  out.Emit(MeetDeadline(s.deadlines(), kSubmissionDeadline));
  return absl::OkStatus();
}

absl::Status DecideQaOutcome(const Review& s, const v1::RecordQaOutcomeRequest& r,
                             const DecideContext&, Decision& out) {
  const v1::QaRound& round = s.qa_rounds(s.qa_rounds_size() - 1);
  RETURN_IF_ERROR(CheckNotBefore("decided_on", r.decided_on(), round.submitted_on(),
                                 "submission"));
  v1::QaOutcomeRecorded e;
  e.set_round(round.round());
  e.set_outcome(r.outcome());
  *e.mutable_decided_on() = r.decided_on();
  *e.mutable_areas() = r.areas();
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecidePublish(const Review& s, const v1::PublishReviewRequest& r,
                           const DecideContext&, Decision& out) {
  const v1::QaRound& round = s.qa_rounds(s.qa_rounds_size() - 1);
  if (round.outcome() == v1::PUBLISH_AFTER_REVISIONS && LatestDraft(s) == round.draft_number()) {
    return NoDraft(absl::StrCat("the Home Office asked for revisions on ",
                                FormatDate(round.decided_on()),
                                ": record the revised draft first (RecordDraft)"));
  }
  RETURN_IF_ERROR(CheckNotBefore("published_on", r.published_on(), round.decided_on(),
                                 "quality_assurance_outcome"));
  v1::ReviewPublished e;
  *e.mutable_publication()->mutable_published_on() = r.published_on();
  e.mutable_publication()->set_overview_report_reference(r.overview_report_reference());
  e.mutable_publication()->set_executive_summary_reference(r.executive_summary_reference());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecidePlanItem(const Review& s, const v1::AddActionPlanItemRequest& r,
                            const DecideContext&, Decision& out) {
  if (s.action_plan_size() >= kMaxPlanItems) {
    return FieldError("action", "count",
                      absl::StrCat("an action plan has at most ", kMaxPlanItems, " items"));
  }
  v1::ActionPlanItemAdded e;
  v1::ActionPlanItem& item = *e.mutable_item();
  item.set_id(s.action_plan_size() + 1);
  item.set_recommendation(r.recommendation());
  item.set_action(r.action());
  item.set_lead_agency(r.lead_agency());
  *item.mutable_milestones() = r.milestones();
  *item.mutable_due_on() = r.due_on();
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideLinkAction(const Review& s, const v1::LinkPlanActionRequest& r,
                              const DecideContext& ctx, Decision& out) {
  if (r.item_id() > s.action_plan_size()) {
    return FieldError("item_id", "unknown",
                      absl::StrCat("the action plan has ", s.action_plan_size(), " items"));
  }
  const v1::ActionPlanItem& item = s.action_plan(r.item_id() - 1);
  if (item.action_name() == r.action()) return absl::OkStatus();  // linked already
  if (!item.action_name().empty()) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "ALREADY_LINKED",
                           absl::StrCat("item ", item.id(), " is already on the action log as ",
                                        item.action_name()));
  }
  if (PartnershipOfStream(r.action()) != ctx.partnership) {
    return FieldError("action", "other_partnership",
                      absl::StrCat("must be an action of partnership ", ctx.partnership));
  }
  v1::PlanActionLinked e;
  e.set_item_id(r.item_id());
  e.set_action_name(r.action());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideClose(const Review& s, const v1::CloseReviewRequest& r,
                         const DecideContext& ctx, Decision& out) {
  RETURN_IF_ERROR(CheckNotBefore("closed_on", r.closed_on(), s.publication().published_on(),
                                 "publication"));
  std::vector<std::string> open;
  for (const v1::ActionPlanItem& item : s.action_plan()) {
    if (item.action_name().empty()) {
      open.push_back(absl::StrCat("item ", item.id(), " (not yet on the action log)"));
      continue;
    }
    ASSIGN_OR_RETURN(auto state,
                     ctx.read_state(actions::ActionWorkflow(), item.action_name()));
    const auto& action = static_cast<const v1::Action&>(*state);
    if (action.state() != v1::Action::COMPLETED && action.state() != v1::Action::CANCELLED) {
      open.push_back(absl::StrCat("item ", item.id(), " (", item.action_name(), ", ",
                                  v1::Action::State_Name(action.state()), ")"));
    }
  }
  if (!open.empty()) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "ACTIONS_OPEN",
                           absl::StrCat("a review closes once every action of its plan is "
                                        "completed or cancelled; open: ",
                                        absl::StrJoin(open, ", ")));
  }
  v1::ReviewClosed e;
  *e.mutable_closed_on() = r.closed_on();
  out.Emit(std::move(e));
  out.EmitAll(CancelOpenDeadlines(s.deadlines(), "review closed"));
  return absl::OkStatus();
}

}  // namespace casework::workflow::death_reviews
