// Escalation: a subgroup's case handed to its parent panel (AARG -> JAG),
// and the link both cases keep. The escalation is a decision of a quorate
// meeting; the parent panel's case is opened by a second command
// (ReceiveEscalation), the link recorded by a third (LinkEscalation), both
// run by the server's outbox from the row the escalated case implies
// until it is linked (kEscalatingPrefix).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/panels/internal.h"
#include "workflow/panels/policy_section.h"
#include "workflow/panels/rules.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::workflow::panels {
namespace {

absl::StatusOr<Case> ReadCase(const DecideContext& ctx, absl::string_view name) {
  ASSIGN_OR_RETURN(std::shared_ptr<const google::protobuf::Message> state,
                   ctx.read_state(PanelCaseWorkflow(), name));
  return static_cast<const Case&>(*state);
}

}  // namespace

absl::Status DecideEscalate(const Case& s, const v1::EscalateCaseRequest& r,
                            const DecideContext& ctx, Decision& out) {
  ASSIGN_OR_RETURN(const PolicyRef held, PolicyInForce(ctx, ctx.partnership));
  const v1::Policy& policy = *held;
  if (!policy.has_panels()) return MissingPolicySectionError(policy, "panels");
  const v1::PanelDefinition* panel = FindPanel(policy, s.panel());
  if (panel == nullptr || panel->parent().empty()) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NO_PARENT_PANEL",
                           absl::StrCat("panel ", s.panel(), " has no parent panel to escalate "
                                        "to in policy version ", policy.version()));
  }
  const v1::PanelDefinition* parent = FindPanel(policy, panel->parent());
  if (parent == nullptr) {
    return absl::DataLossError(absl::StrCat("parent panel ", panel->parent(), " is missing"));
  }
  RETURN_IF_ERROR(CheckEligibility(*parent, s.subject(), ctx.today));
  ASSIGN_OR_RETURN(Meeting meeting, QuorateMeeting(s, r.meeting(), ctx));
  v1::PanelCaseEscalated e;
  e.set_to_panel(parent->id());
  e.set_meeting(r.meeting());
  *e.mutable_on() = meeting.date();
  e.set_reason(r.reason());
  SetPresentAgencies(meeting, e.mutable_present_agencies());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideReceive(const Case& s, const v1::ReceiveEscalationRequest& r,
                           const DecideContext& ctx, Decision& out) {
  if (s.state() != v1::PanelCase::STATE_UNSPECIFIED) return absl::OkStatus();  // received
  if (PartnershipOfStream(r.escalated_case()) != ctx.partnership) {
    return FieldError("escalated_case", "other_partnership",
                      absl::StrCat("must be a case of partnership ", ctx.partnership));
  }
  ASSIGN_OR_RETURN(Case from, ReadCase(ctx, r.escalated_case()));
  if (from.state() != v1::PanelCase::ESCALATED) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "NOT_ESCALATED",
                           absl::StrCat(r.escalated_case(), " has not been escalated"));
  }
  ASSIGN_OR_RETURN(v1::PanelCaseReferred e,
                   ReferralTo(ctx, from.escalated_to_panel(), from.subject(), ctx.today));
  e.set_referrer_agency(from.referrer_agency());
  e.set_reason(absl::StrCat("Escalated from ", from.panel(), ": ", from.closure_reason()));
  e.set_lawful_basis(from.lawful_basis());
  e.set_consent_recorded(from.consent_recorded());
  e.set_escalated_from(r.escalated_case());
  std::vector<std::string> carried(from.member_agencies().begin(), from.member_agencies().end());
  if (!from.recorded_by_agency().empty()) carried.push_back(from.recorded_by_agency());
  AssignAgencies(std::move(carried), e.mutable_carried_agencies());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideLink(const Case& s, const v1::LinkEscalationRequest& r,
                        const DecideContext& ctx, Decision& out) {
  if (!s.escalated_to().empty()) {
    if (s.escalated_to() == r.linked_case()) return absl::OkStatus();  // already linked
    return FieldError("linked_case", "already_linked",
                      absl::StrCat("the case is already linked to ", s.escalated_to()));
  }
  ASSIGN_OR_RETURN(Case linked, ReadCase(ctx, r.linked_case()));
  if (linked.escalated_from() != s.name()) {
    return FieldError("linked_case", "not_the_escalation",
                      absl::StrCat(r.linked_case(), " was not escalated from ", s.name()));
  }
  v1::EscalationLinked e;
  e.set_linked_case(r.linked_case());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

std::string EscalatedFromKey(const v1::ReceiveEscalationRequest& r) {
  std::optional<ResourceName> from = ResourceNameOf(r.escalated_case(), kCaseCollection);
  if (!from) return "";
  return absl::StrCat(CaseRowPrefix(from->partnership, "escalatedFrom"), SortableNumber(from->number));
}

}  // namespace casework::workflow::panels
