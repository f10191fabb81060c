// The subject access workflow's definition: one command records a request;
// its response is due one month later (UK GDPR Art. 12(3), the corresponding
// date). The workflow is small enough to keep its validation, decision,
// applier and rows here.
#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/erasures/commands.h"
#include "workflow/kernel/definition.h"
#include "workflow/subject_access/commands.h"
#include "workflow/time/deadline_rules.h"

namespace casework::workflow::subject_access {
namespace {

using State = v1::SubjectAccessRequest;

constexpr absl::string_view kCollection = "subjectAccessRequests";
constexpr size_t kMaxReceived = 500;

std::string StateName(const State& s) {
  return s.name().empty() ? std::string(kNewState) : "RECORDED";
}

void ValidateRequest(const v1::RequestSubjectAccessRequest& r, const ValidateContext&,
                     FieldErrors& errors) {
  if (!erasures::IsPersonSubject(r.subject())) {
    errors.Add("subject", "person",
               "must be COMPLAINANT, REPRESENTATIVE, PERPETRATOR or PANEL_SUBJECT");
  }
  CheckReference("reference", r.reference(), true, errors);
  CheckText("received", r.received(), true, kMaxReceived, errors);
}

absl::Status DecideRequest(const State&, const v1::RequestSubjectAccessRequest& r,
                           const DecideContext& context, Decision& out) {
  v1::SubjectAccessRequested e;
  e.set_partnership(std::string(context.partnership));
  State& request = *e.mutable_request();
  request.set_subject(r.subject());
  switch (r.subject()) {
    case v1::COMPLAINANT: request.set_complainant_reference(r.reference()); break;
    case v1::REPRESENTATIVE: request.set_representative_reference(r.reference()); break;
    case v1::PERPETRATOR: request.set_perpetrator_reference(r.reference()); break;
    case v1::PANEL_SUBJECT: request.set_panel_subject_reference(r.reference()); break;
    default: break;
  }
  request.set_received(r.received());
  *request.mutable_requested_by() = *context.actor;
  request.mutable_request_time()->set_seconds(absl::ToUnixSeconds(context.now));
  bool clamped = false;
  *request.mutable_due() = ToCivilDate(AddMonthsClamped(context.today, 1, &clamped));
  out.Emit(std::move(e));
  return absl::OkStatus();
}

void ApplyRequested(State& s, const v1::SubjectAccessRequested& e, const v1::EventEnvelope& env) {
  s = e.request();
  s.set_name(env.stream());
}

void RequestRows(absl::string_view, const State&, std::vector<Row>*) {}

State RequestReply(const State& s, const v1::CommitInfo&) { return s; }

}  // namespace

const std::string& ReferenceOf(const v1::SubjectAccessRequest& request) {
  switch (request.subject()) {
    case v1::REPRESENTATIVE: return request.representative_reference();
    case v1::PERPETRATOR: return request.perpetrator_reference();
    case v1::PANEL_SUBJECT: return request.panel_subject_reference();
    default: return request.complainant_reference();
  }
}

std::string SubjectAccessRowPrefix(absl::string_view partnership) {
  return absl::StrCat(kCollection, "/", partnership, "/all/");
}

std::string SubjectAccessSummaryRow(absl::string_view stream) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCollection);
  if (!name) return std::string(stream);
  return absl::StrCat(SubjectAccessRowPrefix(name->partnership), SortableNumber(name->number));
}

const Workflow& SubjectAccessWorkflow() {
  static const Workflow* workflow = [] {
    Definition<State> d({"subject_access", kCollection, 1, "casework.v1.SubjectAccessService",
                         "docs/workflows/subject-access.md"});
    d.States(StateName, {std::string(kNewState), "RECORDED"});
    d.Transitions({{kNewState, kRequestSubjectAccess.name, {"RECORDED"}}});
    d.Create(kRequestSubjectAccess, DecideRequest, ValidateRequest);
    d.On<v1::SubjectAccessRequested>(ApplyRequested);
    d.Rows(RequestRows, {std::string(kCollection)});
    d.SummaryRow(SubjectAccessSummaryRow);
    d.Reply(RequestReply);
    return std::move(d).Build();
  }();
  return *workflow;
}

}  // namespace casework::workflow::subject_access
