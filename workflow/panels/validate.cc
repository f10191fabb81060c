// The panel commands' own field rules. The kit has checked parent or name,
// request_id and expected_version.
#include <set>

#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/panels/internal.h"
#include "workflow/panels/rules.h"

namespace casework::workflow::panels {
namespace {

constexpr size_t kMaxText = 4000;
constexpr size_t kMaxName = 200;
constexpr int kMaxAttendees = 60;
constexpr int kMaxFactors = 7;
constexpr int kMaxDomains = 5;

void CheckMeetingName(absl::string_view meeting, FieldErrors& errors) {
  ParseResourceName("meeting", meeting, kMeetingCollection, errors);
}

void CheckLevel(absl::string_view field, v1::RiskLevel level, FieldErrors& errors) {
  if (level == v1::RISK_LEVEL_UNSPECIFIED || !v1::RiskLevel_IsValid(level)) {
    errors.Add(std::string(field), "required", "must be a risk level: low, medium, high or very high");
  }
}

void CheckDistinct(absl::string_view field, const google::protobuf::RepeatedField<int>& values,
                   bool (*is_valid)(int), int max_items, FieldErrors& errors) {
  if (!CheckCount(field, values.size(), max_items, errors)) return;
  std::set<int> seen;
  for (int i = 0; i < values.size(); ++i) {
    const std::string item = absl::StrCat(field, "[", i, "]");
    if (values[i] == 0 || !is_valid(values[i])) {
      errors.Add(item, "unknown", absl::StrCat(values[i], " is not a known value"));
    } else if (!seen.insert(values[i]).second) {
      errors.Add(item, "duplicate", "is listed twice");
    }
  }
}

}  // namespace

void ValidateRefer(const v1::ReferCaseRequest& r, const ValidateContext& ctx, FieldErrors& errors) {
  CheckId("panel", r.panel(), errors);
  CheckSubject("subject", r.subject(), ctx.today, errors);
  CheckId("referrer_agency", r.referrer_agency(), errors);
  CheckText("reason", r.reason(), true, kMaxText, errors);
  CheckLawfulBasis(r.lawful_basis(), r.consent_recorded(), errors);
  if (r.has_referral_date()) CheckPastDate("referral_date", r.referral_date(), ctx.today, errors);
}

void ValidateAssess(const v1::AssessRiskRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckLevel("reoffending", r.reoffending(), errors);
  CheckLevel("harm_to_others", r.harm_to_others(), errors);
  CheckLevel("harm_to_self", r.harm_to_self(), errors);
  CheckDistinct("factors", r.factors(), v1::AggravatingFactor_IsValid, kMaxFactors, errors);
  CheckDistinct("domains", r.domains(), v1::SafeguardingDomain_IsValid, kMaxDomains, errors);
  if (r.no_domain_concerns() && !r.domains().empty()) {
    errors.Add("no_domain_concerns", "conflict", "cannot be set when domains are listed");
  }
  CheckText("summary", r.summary(), true, kMaxText, errors);
}

void ValidateReview(const v1::ReviewCaseRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckMeetingName(r.meeting(), errors);
  CheckText("summary", r.summary(), true, kMaxText, errors);
}

void ValidateMove(const v1::MoveCaseRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckMeetingName(r.meeting(), errors);
  if (r.to() != v1::PanelCase::MAIN_AGENDA && r.to() != v1::PanelCase::MONITORING) {
    errors.Add("to", "placement", "must be MAIN_AGENDA or MONITORING");
  }
  CheckText("reason", r.reason(), true, kMaxText, errors);
}

void ValidateStage(const v1::RecordStageRequest& r, const ValidateContext& ctx, FieldErrors& errors) {
  CheckText("stage", r.stage(), true, kMaxName, errors);
  CheckPastDate("date", r.date(), ctx.today, errors);
  CheckText("justification", r.justification(), false, kMaxText, errors);
}

void ValidateClose(const v1::CloseCaseRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckMeetingName(r.meeting(), errors);
  CheckText("reason", r.reason(), true, kMaxName, errors);
  CheckText("note", r.note(), false, kMaxText, errors);
}

void ValidateReopen(const v1::ReopenCaseRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckText("reason", r.reason(), true, kMaxText, errors);
}

void ValidateEscalate(const v1::EscalateCaseRequest& r, const ValidateContext&, FieldErrors& errors) {
  CheckMeetingName(r.meeting(), errors);
  CheckText("reason", r.reason(), true, kMaxText, errors);
}

void ValidateReceive(const v1::ReceiveEscalationRequest& r, const ValidateContext&,
                     FieldErrors& errors) {
  ParseResourceName("escalated_case", r.escalated_case(), kCaseCollection, errors);
}

void ValidateReceiveRecommendation(const v1::ReceiveRecommendationRequest& r,
                                   const ValidateContext& ctx, FieldErrors& errors) {
  ParseResourceName("case_review", r.case_review(), "caseReviews", errors);
  if (r.recommendation_id() < 1) errors.Add("recommendation_id", "range", "must be 1 or more");
  v1::ReferCaseRequest as_referral;
  as_referral.set_panel(r.panel());
  *as_referral.mutable_subject() = r.subject();
  as_referral.set_referrer_agency(r.referrer_agency());
  as_referral.set_reason(r.reason());
  as_referral.set_lawful_basis(r.lawful_basis());
  as_referral.set_consent_recorded(r.consent_recorded());
  ValidateRefer(as_referral, ctx, errors);
  CheckDate("due_date", r.due_date(), errors);
}

void ValidateLink(const v1::LinkEscalationRequest& r, const ValidateContext&, FieldErrors& errors) {
  ParseResourceName("linked_case", r.linked_case(), kCaseCollection, errors);
}

void ValidateSchedule(const v1::ScheduleMeetingRequest& r, const ValidateContext&,
                      FieldErrors& errors) {
  CheckId("panel", r.panel(), errors);
  CheckDate("date", r.date(), errors);
  CheckText("location", r.location(), false, kMaxName, errors);
}

void ValidateAttendance(const v1::RecordAttendanceRequest& r, const ValidateContext&,
                        FieldErrors& errors) {
  if (r.attendees().empty()) errors.Add("attendees", "required", "must list at least one attendee");
  if (!CheckCount("attendees", r.attendees_size(), kMaxAttendees, errors)) return;
  int chairs = 0;
  for (int i = 0; i < r.attendees_size(); ++i) {
    const v1::Attendee& a = r.attendees(i);
    const std::string field = absl::StrCat("attendees[", i, "]");
    CheckId(field + ".agency", a.agency(), errors);
    if (a.agency_kind() == v1::AGENCY_KIND_UNSPECIFIED || !v1::AgencyKind_IsValid(a.agency_kind())) {
      errors.Add(field + ".agency_kind", "required", "must name the kind of agency");
    }
    CheckText(field + ".role", a.role(), true, kMaxName, errors);
    if (a.chair() && ++chairs == 2) {
      errors.Add(field + ".chair", "one_chair", "a meeting has at most one chair");
    }
  }
}

void ValidateCloseMeeting(const v1::CloseMeetingRequest& r, const ValidateContext&,
                          FieldErrors& errors) {
  CheckText("notes", r.notes(), false, kMaxText, errors);
}

}  // namespace casework::workflow::panels
