// The death review commands' own field rules. The kit has checked parent or
// name, request_id and expected_version.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/internal.h"

namespace casework::workflow::death_reviews {
namespace {

constexpr size_t kMaxText = 4000;
constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxArea = 500;
constexpr int kMaxAge = 130;
constexpr int kMaxAreas = 20;
constexpr int kMaxMilestones = 20;

// A list of agency identifiers, each valid and listed once.
void CheckAgencies(absl::string_view field,
                   const google::protobuf::RepeatedPtrField<std::string>& agencies,
                   FieldErrors& errors) {
  if (!CheckCount(field, agencies.size(), kMaxAgencies, errors)) return;
  std::set<std::string> seen;
  for (int i = 0; i < agencies.size(); ++i) {
    const std::string item = absl::StrCat(field, "[", i, "]");
    CheckId(item, agencies[i], errors);
    if (!seen.insert(agencies[i]).second) errors.Add(item, "duplicate", "is listed twice");
  }
}

}  // namespace

void ValidateNotify(const v1::NotifyDeathRequest& r, const ValidateContext& ctx,
                    FieldErrors& errors) {
  CheckId("notifying_agency", r.notifying_agency(), errors);
  CheckReference("police_reference", r.police_reference(), true, errors);
  const auto death = CheckPastDate("date_of_death", r.date_of_death(), ctx.today, errors);
  const auto notified = CheckPastDate("date_notified", r.date_notified(), ctx.today, errors);
  if (death && notified && *death > *notified) {
    errors.Add(
        "date_of_death", "after_notification",
        absl::StrCat("must not be after the notification (", FormatDate(r.date_notified()), ")"));
  }
  if (r.victim_age_at_death() < 0 || r.victim_age_at_death() > kMaxAge) {
    errors.Add("victim_age_at_death", "range", "must be 0-130");
  }
  if (r.relationship() == v1::PERPETRATOR_RELATIONSHIP_UNSPECIFIED ||
      !v1::PerpetratorRelationship_IsValid(r.relationship())) {
    errors.Add("relationship", "required",
               "must name the suspected perpetrator's relationship to the person who died");
  }
  CheckText("victim_pseudonym", r.victim_pseudonym(), true, kMaxTitle, errors);
  CheckText("circumstances", r.circumstances(), false, kMaxText, errors);
}

void ValidateDecision(const v1::RecordDecisionRequest& r, const ValidateContext& ctx,
                      FieldErrors& errors) {
  if (!r.has_commission()) {
    errors.Add("commission", "required", "say whether a review is commissioned");
  }
  CheckText("reason", r.reason(), true, kMaxText, errors);
  const auto decided = CheckPastDate("decided_on", r.decided_on(), ctx.today, errors);
  const auto told =
      CheckPastDate("home_office_notified_on", r.home_office_notified_on(), ctx.today, errors);
  if (decided && told && *told < *decided) {
    errors.Add("home_office_notified_on", "before_decision", "must not be before decided_on");
  }
  if (r.has_family_notified_on()) {
    const auto family =
        CheckPastDate("family_notified_on", r.family_notified_on(), ctx.today, errors);
    if (decided && family && *family < *decided) {
      errors.Add("family_notified_on", "before_decision", "must not be before decided_on");
    }
  }
  CheckAgencies("agencies_involved", r.agencies_involved(), errors);
}

void ValidateChair(const v1::AppointChairRequest& r, const ValidateContext& ctx,
                   FieldErrors& errors) {
  CheckId("chair_agency", r.chair_agency(), errors);
  CheckId("chair_user", r.chair_user(), errors);
  CheckAgencies("declared_associations", r.declared_associations(), errors);
  CheckPastDate("appointed_on", r.appointed_on(), ctx.today, errors);
}

void ValidateMember(const v1::AddPanelMemberRequest& r, const ValidateContext&,
                    FieldErrors& errors) {
  CheckId("agency", r.agency(), errors);
  CheckId("user", r.user(), errors);
  CheckText("role_title", r.role_title(), true, kMaxTitle, errors);
  if (!r.declared_senior()) {
    errors.Add("declared_senior", "declaration",
               "a panel member must declare they are senior in their agency");
  }
  if (!r.declared_no_direct_involvement()) {
    errors.Add("declared_no_direct_involvement", "declaration",
               "a panel member must declare they had no direct involvement in the case");
  }
}

void ValidateTerms(const v1::AgreeTermsOfReferenceRequest& r, const ValidateContext& ctx,
                   FieldErrors& errors) {
  CheckPastDate("agreed_on", r.agreed_on(), ctx.today, errors);
  CheckReference("document_reference", r.document_reference(), true, errors);
}

void ValidateScoping(const v1::CompleteScopingRequest& r, const ValidateContext& ctx,
                     FieldErrors& errors) {
  CheckPastDate("completed_on", r.completed_on(), ctx.today, errors);
  CheckText("summary", r.summary(), true, kMaxText, errors);
}

void ValidateRequestReport(const v1::RequestAgencyReportRequest& r, const ValidateContext& ctx,
                           FieldErrors& errors) {
  CheckId("agency", r.agency(), errors);
  if (r.kind() == v1::AGENCY_REPORT_KIND_UNSPECIFIED || !v1::AgencyReportKind_IsValid(r.kind())) {
    errors.Add("kind", "required", "must be IMR, CHRONOLOGY or SHORT_REPORT");
  }
  const auto requested = CheckPastDate("requested_on", r.requested_on(), ctx.today, errors);
  const auto due = CheckDate("due_on", r.due_on(), errors);
  if (requested && due && *due <= *requested) {
    errors.Add("due_on", "not_after_request", "must be after requested_on");
  }
}

void ValidateReceiveReport(const v1::ReceiveAgencyReportRequest& r, const ValidateContext& ctx,
                           FieldErrors& errors) {
  if (r.report_id() <= 0) errors.Add("report_id", "required", "must name a report (1, 2, ...)");
  CheckPastDate("received_on", r.received_on(), ctx.today, errors);
  CheckReference("document_reference", r.document_reference(), true, errors);
}

void ValidateWaiveReport(const v1::WaiveAgencyReportRequest& r, const ValidateContext&,
                         FieldErrors& errors) {
  if (r.report_id() <= 0) errors.Add("report_id", "required", "must name a report (1, 2, ...)");
  CheckText("reason", r.reason(), true, kMaxText, errors);
}

void ValidateFamily(const v1::RecordFamilyContactRequest& r, const ValidateContext& ctx,
                    FieldErrors& errors) {
  CheckPastDate("contacted_on", r.contacted_on(), ctx.today, errors);
  CheckText("summary", r.summary(), true, kMaxText, errors);
}

void ValidateDraft(const v1::RecordDraftRequest& r, const ValidateContext& ctx,
                   FieldErrors& errors) {
  CheckPastDate("drafted_on", r.drafted_on(), ctx.today, errors);
  CheckReference("overview_report_reference", r.overview_report_reference(), true, errors);
  CheckReference("executive_summary_reference", r.executive_summary_reference(), true, errors);
}

void ValidateSignOff(const v1::SignOffReviewRequest& r, const ValidateContext& ctx,
                     FieldErrors& errors) {
  CheckPastDate("signed_off_on", r.signed_off_on(), ctx.today, errors);
}

void ValidateSubmit(const v1::SubmitToHomeOfficeRequest& r, const ValidateContext& ctx,
                    FieldErrors& errors) {
  CheckPastDate("submitted_on", r.submitted_on(), ctx.today, errors);
}

void ValidateQaOutcome(const v1::RecordQaOutcomeRequest& r, const ValidateContext& ctx,
                       FieldErrors& errors) {
  if (r.outcome() == v1::QA_OUTCOME_UNSPECIFIED || !v1::QaOutcome_IsValid(r.outcome())) {
    errors.Add("outcome", "required", "must be PUBLISH, PUBLISH_AFTER_REVISIONS or RESUBMIT");
  }
  CheckPastDate("decided_on", r.decided_on(), ctx.today, errors);
  if (r.outcome() == v1::PUBLISH && !r.areas().empty()) {
    errors.Add("areas", "not_allowed", "are listed only for revisions or a resubmission");
  }
  if ((r.outcome() == v1::PUBLISH_AFTER_REVISIONS || r.outcome() == v1::RESUBMIT) &&
      r.areas().empty()) {
    errors.Add("areas", "required", "must list the areas the panel asked to develop");
  }
  if (!CheckCount("areas", r.areas().size(), kMaxAreas, errors)) return;
  for (int i = 0; i < r.areas().size(); ++i) {
    CheckText(absl::StrCat("areas[", i, "]"), r.areas(i), true, kMaxArea, errors);
  }
}

void ValidatePublish(const v1::PublishReviewRequest& r, const ValidateContext& ctx,
                     FieldErrors& errors) {
  CheckPastDate("published_on", r.published_on(), ctx.today, errors);
  CheckReference("overview_report_reference", r.overview_report_reference(), true, errors);
  CheckReference("executive_summary_reference", r.executive_summary_reference(), true, errors);
}

void ValidatePlanItem(const v1::AddActionPlanItemRequest& r, const ValidateContext&,
                      FieldErrors& errors) {
  CheckText("recommendation", r.recommendation(), true, kMaxText, errors);
  CheckText("action", r.action(), true, kMaxArea, errors);
  CheckId("lead_agency", r.lead_agency(), errors);
  const auto due = CheckDate("due_on", r.due_on(), errors);
  if (!CheckCount("milestones", r.milestones().size(), kMaxMilestones, errors)) return;
  for (int i = 0; i < r.milestones().size(); ++i) {
    const std::string field = absl::StrCat("milestones[", i, "]");
    CheckText(field + ".description", r.milestones(i).description(), true, kMaxArea, errors);
    const auto on = CheckDate(field + ".due_on", r.milestones(i).due_on(), errors);
    if (due && on && *on > *due) {
      errors.Add(field + ".due_on", "after_item", "must not be after the item's due_on");
    }
  }
}

void ValidateLinkAction(const v1::LinkPlanActionRequest& r, const ValidateContext&,
                        FieldErrors& errors) {
  if (r.item_id() <= 0) errors.Add("item_id", "required", "must name a plan item (1, 2, ...)");
  ParseResourceName("action", r.action(), "actions", errors);
}

void ValidateHold(const v1::PlaceOnHoldRequest& r, const ValidateContext& ctx,
                  FieldErrors& errors) {
  if (r.reason() == v1::HOLD_REASON_UNSPECIFIED || !v1::HoldReason_IsValid(r.reason())) {
    errors.Add("reason", "required", "must be CRIMINAL_TRIAL, INQUEST or OTHER_PROCEEDINGS");
  }
  CheckText("explanation", r.explanation(), true, kMaxText, errors);
  const auto resume = CheckDate("expected_resume_on", r.expected_resume_on(), errors);
  if (resume && *resume <= ctx.today) {
    errors.Add("expected_resume_on", "not_future", "must be after today");
  }
}

void ValidateResume(const v1::ResumeReviewRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckText("note", r.note(), false, kMaxText, errors);
}

void ValidateClose(const v1::CloseReviewRequest& r, const ValidateContext& ctx,
                   FieldErrors& errors) {
  CheckPastDate("closed_on", r.closed_on(), ctx.today, errors);
}

}  // namespace casework::workflow::death_reviews
