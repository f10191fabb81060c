// The case review commands' own field rules.
#include "absl/strings/str_cat.h"
#include "workflow/case_review/internal.h"
#include "workflow/common/validation.h"

namespace casework::workflow::case_review {
namespace {

constexpr size_t kMaxText = 4000;
// Most agencies at one review meeting, and recommendations in one outcome.
constexpr int kMaxAttendees = 50;
constexpr int kMaxRecommendations = 50;

void ValidateRecommendation(int i, const v1::Recommendation& r, FieldErrors& errors) {
  const std::string field = absl::StrCat("recommendations[", i, "]");
  CheckText(absl::StrCat(field, ".text"), r.text(), true, kMaxText, errors);
  CheckId(absl::StrCat(field, ".lead_agency"), r.lead_agency(), errors);
  CheckDate(absl::StrCat(field, ".due_date"), r.due_date(), errors);
  if (r.id() != 0 || r.completed() || r.progress_size() > 0) {
    errors.Add(absl::StrCat(field, ".id"), "output_only",
               "id, completed and progress are set by the server");
  }
}

}  // namespace

// For the commands that take a CaseReviewCommand (AcknowledgeApplication,
// EvaluateThreshold, InviteVictim, CommunicateOutcome).
void ValidateCaseReviewCommand(const v1::CaseReviewCommand& r, const ValidateContext&,
                               FieldErrors& errors) {
  CheckText("note", r.note(), false, kMaxText, errors);
}

void ValidateReceiveApplication(const v1::ReceiveApplicationRequest& r, const ValidateContext& ctx,
                                FieldErrors& errors) {
  const v1::Applicant& a = r.applicant();
  if (a.complainant_reference().empty()) {
    errors.Add("applicant.complainant_reference", "not_anonymous",
               "is required: anonymous applications cannot be accepted (the review needs the "
               "victim's complaint history)");
  } else {
    CheckReference("applicant.complainant_reference", a.complainant_reference(), true, errors);
  }
  CheckReference("applicant.representative_reference", a.representative_reference(), false, errors);
  CheckReference("applicant.locality", a.locality(), false, errors);
  if (a.kind() == v1::Applicant::KIND_UNSPECIFIED || !v1::Applicant::Kind_IsValid(a.kind())) {
    errors.Add("applicant.kind", "required",
               "is required: INDIVIDUAL, BUSINESS or COMMUNITY_GROUP");
  }
  if (!v1::ComplaintCategory_IsValid(a.category())) {
    errors.Add("applicant.category", "known_value", "must be PERSONAL, NUISANCE or ENVIRONMENTAL");
  }
  if (!a.representative_reference().empty() && !a.consent_recorded()) {
    errors.Add(
        "applicant.consent_recorded", "consent_required",
        "must be true when applying on the victim's behalf (representative_reference is set)");
  }
  if (r.has_received_date()) CheckPastDate("received_date", r.received_date(), ctx.today, errors);
  CheckText("description", r.description(), false, kMaxText, errors);
}

void ValidateOverrideThreshold(const v1::OverrideThresholdRequest& r, const ValidateContext&,
                               FieldErrors& errors) {
  CheckText("reason", r.reason(), true, kMaxText, errors);
}

void ValidateNotifyApplicant(const v1::NotifyApplicantRequest& r, const ValidateContext&,
                             FieldErrors& errors) {
  CheckText("channel", r.channel(), true, 40, errors);
}

void ValidateAssignLeadOfficer(const v1::AssignLeadOfficerRequest& r, const ValidateContext&,
                               FieldErrors& errors) {
  if (!r.officer().empty()) CheckId("officer", r.officer(), errors);
}

void ValidateRequestAgencyInformation(const v1::AgencyInformationRequest& r, const ValidateContext&,
                                      FieldErrors& errors) {
  CheckId("agency", r.agency(), errors);
  CheckText("summary", r.summary(), false, kMaxText, errors);
}

void ValidateRecordAgencyInformation(const v1::AgencyInformationRequest& r, const ValidateContext&,
                                     FieldErrors& errors) {
  CheckId("agency", r.agency(), errors);
  CheckText("summary", r.summary(), true, kMaxText, errors);
}

void ValidateRecordReviewMeeting(const v1::RecordReviewMeetingRequest& r, const ValidateContext&,
                                 FieldErrors& errors) {
  CheckDate("date", r.date(), errors);
  if (r.attendees().empty()) errors.Add("attendees", "required", "list the agencies present");
  if (CheckCount("attendees", r.attendees_size(), kMaxAttendees, errors)) {
    for (int i = 0; i < r.attendees_size(); ++i) {
      CheckId(absl::StrCat("attendees[", i, "]"), r.attendees(i), errors);
    }
  }
  CheckText("notes", r.notes(), false, kMaxText, errors);
}

void ValidateRecordOfficerHours(const v1::RecordOfficerHoursRequest& r, const ValidateContext&,
                                FieldErrors& errors) {
  if (!(r.hours() > 0 && r.hours() <= 200)) {
    errors.Add("hours", "range",
               absl::StrCat("must be more than 0 and at most 200, got ", r.hours()));
  }
  if (!r.agency().empty()) CheckId("agency", r.agency(), errors);
}

void ValidateRecordOutcome(const v1::RecordOutcomeRequest& r, const ValidateContext&,
                           FieldErrors& errors) {
  if (CheckCount("recommendations", r.recommendations_size(), kMaxRecommendations, errors)) {
    for (int i = 0; i < r.recommendations_size(); ++i) {
      ValidateRecommendation(i, r.recommendations(i), errors);
    }
  }
  CheckText("no_further_action_reason", r.no_further_action_reason(), false, kMaxText, errors);
  if (r.recommendations().empty() && r.no_further_action_reason().empty()) {
    errors.Add("no_further_action_reason", "required",
               "is required when there are no recommendations");
  }
  if (!r.recommendations().empty() && !r.no_further_action_reason().empty()) {
    errors.Add("no_further_action_reason", "exclusive",
               "must be empty when there are recommendations");
  }
}

void ValidateLodgeAppeal(const v1::LodgeAppealRequest& r, const ValidateContext&,
                         FieldErrors& errors) {
  CheckText("ground", r.ground(), true, 500, errors);
  CheckText("details", r.details(), false, kMaxText, errors);
}

void ValidateSendAppealPapers(const v1::SendAppealPapersRequest& r, const ValidateContext&,
                              FieldErrors& errors) {
  CheckId("chair", r.chair(), errors);
}

void ValidateDecideAppeal(const v1::DecideAppealRequest& r, const ValidateContext&,
                          FieldErrors& errors) {
  if (!r.has_upheld()) {
    errors.Add("upheld", "required", "say whether the appeal is upheld or dismissed");
  }
  CheckText("reason", r.reason(), true, kMaxText, errors);
  if (!r.new_lead_officer().empty()) CheckId("new_lead_officer", r.new_lead_officer(), errors);
  if (!r.upheld() && !r.new_lead_officer().empty()) {
    errors.Add("new_lead_officer", "exclusive", "only applies when the appeal is upheld");
  }
}

void ValidateRecommendationProgress(const v1::RecommendationProgressRequest& r,
                                    const ValidateContext&, FieldErrors& errors) {
  if (r.recommendation_id() <= 0) errors.Add("recommendation_id", "required", "is required");
  CheckText("note", r.note(), true, kMaxText, errors);
}

void ValidateCloseCaseReview(const v1::CloseCaseReviewRequest& r, const ValidateContext&,
                             FieldErrors& errors) {
  CheckText("reason", r.reason(), true, kMaxText, errors);
}

void ValidateWithdrawApplication(const v1::WithdrawApplicationRequest& r, const ValidateContext&,
                                 FieldErrors& errors) {
  CheckText("reason", r.reason(), true, kMaxText, errors);
}

}  // namespace casework::workflow::case_review
