// The review's people and evidence: the independent chair, the panel, the
// terms of reference, scoping, the agency reports and the family. The kit
// has already checked the table.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/internal.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::death_reviews {
namespace {

bool IsInvolved(const Review& s, absl::string_view agency) {
  const auto& involved = s.agencies_involved();
  return std::find(involved.begin(), involved.end(), agency) != involved.end();
}

// A new agency joins the review (a panel member's, a report's): the chair
// must be independent of it, and the list stays bounded.
absl::Status CheckNewAgency(const Review& s, absl::string_view field, absl::string_view agency) {
  if (s.has_chair()) RETURN_IF_ERROR(CheckChairIndependentOf(s.chair(), agency));
  if (!IsInvolved(s, agency) && s.agencies_involved_size() >= kMaxAgencies) {
    return FieldError(std::string(field), "count",
                      absl::StrCat("a review involves at most ", kMaxAgencies, " agencies"));
  }
  return absl::OkStatus();
}

std::string ReportDeadline(int id) { return absl::StrCat(kReportDeadlinePrefix, id); }

// The report `id` while it is still requested.
absl::StatusOr<const v1::AgencyReport*> OpenReport(const Review& s, int id) {
  if (id > s.agency_reports_size()) {
    return FieldError("report_id", "unknown",
                      absl::StrCat("the review has ", s.agency_reports_size(),
                                   " agency reports; there is no report ", id));
  }
  const v1::AgencyReport& report = s.agency_reports(id - 1);
  if (report.state() != v1::AgencyReport::REQUESTED) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "REPORT_SETTLED",
                           absl::StrCat("agency report ", id, " was already ",
                                        report.state() == v1::AgencyReport::RECEIVED ? "received"
                                                                                      : "waived"));
  }
  return &report;
}

}  // namespace

absl::Status DecideChair(const Review& s, const v1::AppointChairRequest& r, const DecideContext&,
                         Decision& out) {
  RETURN_IF_ERROR(CheckNotBefore("appointed_on", r.appointed_on(), s.decision().decided_on(),
                                 "decision"));
  v1::ChairAppointed e;
  v1::ReviewChair& chair = *e.mutable_chair();
  chair.set_agency(r.chair_agency());
  chair.set_user(r.chair_user());
  *chair.mutable_declared_associations() = r.declared_associations();
  *chair.mutable_appointed_on() = r.appointed_on();
  for (const std::string& agency : s.agencies_involved()) {
    RETURN_IF_ERROR(CheckChairIndependentOf(chair, agency));
  }
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideMember(const Review& s, const v1::AddPanelMemberRequest& r,
                          const DecideContext&, Decision& out) {
  for (const v1::PanelMember& m : s.panel_members()) {
    if (m.agency() == r.agency() && m.user() == r.user()) {
      return FieldError("user", "duplicate",
                        absl::StrCat(r.agency(), "/", r.user(), " is already a panel member"));
    }
  }
  if (s.panel_members_size() >= kMaxPanelMembers) {
    return FieldError("user", "count",
                      absl::StrCat("a panel has at most ", kMaxPanelMembers, " members"));
  }
  RETURN_IF_ERROR(CheckNewAgency(s, "agency", r.agency()));
  v1::PanelMemberAdded e;
  v1::PanelMember& m = *e.mutable_member();
  m.set_agency(r.agency());
  m.set_user(r.user());
  m.set_role_title(r.role_title());
  m.set_declared_senior(r.declared_senior());
  m.set_declared_no_direct_involvement(r.declared_no_direct_involvement());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideTerms(const Review& s, const v1::AgreeTermsOfReferenceRequest& r,
                         const DecideContext&, Decision& out) {
  if (!s.has_chair()) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NO_CHAIR",
                           "the terms of reference are agreed once an independent chair is "
                           "appointed (AppointChair)");
  }
  RETURN_IF_ERROR(CheckNotBefore("agreed_on", r.agreed_on(), s.chair().appointed_on(),
                                 "chair_appointment"));
  v1::TermsOfReferenceAgreed e;
  *e.mutable_terms()->mutable_agreed_on() = r.agreed_on();
  e.mutable_terms()->set_document_reference(r.document_reference());
  e.mutable_terms()->set_scoping(r.scoping());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideScoping(const Review& s, const v1::CompleteScopingRequest& r,
                           const DecideContext&, Decision& out) {
  RETURN_IF_ERROR(CheckNotBefore("completed_on", r.completed_on(),
                                 s.terms_of_reference().agreed_on(), "terms_of_reference"));
  v1::ScopingCompleted e;
  *e.mutable_completed_on() = r.completed_on();
  e.set_summary(r.summary());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideRequestReport(const Review& s, const v1::RequestAgencyReportRequest& r,
                                 const DecideContext& ctx, Decision& out) {
  RETURN_IF_ERROR(CheckNotBefore("requested_on", r.requested_on(),
                                 s.terms_of_reference().agreed_on(), "terms_of_reference"));
  if (s.agency_reports_size() >= kMaxReports) {
    return FieldError("agency", "count",
                      absl::StrCat("a review has at most ", kMaxReports, " agency reports"));
  }
  RETURN_IF_ERROR(CheckNewAgency(s, "agency", r.agency()));
  const int id = s.agency_reports_size() + 1;
  v1::AgencyReportRequested e;
  v1::AgencyReport& report = *e.mutable_report();
  report.set_id(id);
  report.set_agency(r.agency());
  report.set_kind(r.kind());
  report.set_state(v1::AgencyReport::REQUESTED);
  *report.mutable_requested_on() = r.requested_on();
  *report.mutable_due_on() = r.due_on();
  out.Emit(std::move(e));
  out.Emit(SetFixedDeadline(*ctx.calendar, ReportDeadline(id), ToCivilDay(r.requested_on()),
                            ToCivilDay(r.due_on()), out.NextVersion()));
  return absl::OkStatus();
}

absl::Status DecideReceiveReport(const Review& s, const v1::ReceiveAgencyReportRequest& r,
                                 const DecideContext&, Decision& out) {
  ASSIGN_OR_RETURN(const v1::AgencyReport* report, OpenReport(s, r.report_id()));
  RETURN_IF_ERROR(CheckNotBefore("received_on", r.received_on(), report->requested_on(),
                                 "request"));
  v1::AgencyReportReceived e;
  e.set_report_id(r.report_id());
  *e.mutable_received_on() = r.received_on();
  e.set_document_reference(r.document_reference());
  out.Emit(std::move(e));
  out.Emit(MeetDeadline(s.deadlines(), ReportDeadline(r.report_id())));
  return absl::OkStatus();
}

absl::Status DecideWaiveReport(const Review& s, const v1::WaiveAgencyReportRequest& r,
                               const DecideContext&, Decision& out) {
  RETURN_IF_ERROR(OpenReport(s, r.report_id()).status());
  v1::AgencyReportWaived e;
  e.set_report_id(r.report_id());
  e.set_reason(r.reason());
  out.Emit(std::move(e));
  out.Emit(CancelDeadline(s.deadlines(), ReportDeadline(r.report_id()),
                          absl::StrCat("waived: ", r.reason())));
  return absl::OkStatus();
}

absl::Status DecideFamily(const Review& s, const v1::RecordFamilyContactRequest& r,
                          const DecideContext& ctx, Decision& out) {
  RETURN_IF_ERROR(CheckNotBefore("contacted_on", r.contacted_on(),
                                 s.notification().date_notified(), "notification"));
  v1::FamilyContactRecorded e;
  v1::FamilyContact& c = *e.mutable_contact();
  *c.mutable_contacted_on() = r.contacted_on();
  c.set_summary(r.summary());
  if (r.has_advocacy_offered()) c.set_advocacy_offered(r.advocacy_offered());
  if (r.has_wishes_to_contribute()) c.set_wishes_to_contribute(r.wishes_to_contribute());
  *c.mutable_recorded_by() = *ctx.actor;
  out.Emit(std::move(e));
  return absl::OkStatus();
}

}  // namespace casework::workflow::death_reviews
