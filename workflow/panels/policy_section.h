// The panels' section of the partnership policy ("panels" in
// casework.v1.Policy): the panels, their eligibility, cadence, quorum and
// decision tables, and the stages of the incremental approach.
#ifndef CASEWORK_WORKFLOW_PANELS_POLICY_SECTION_H_
#define CASEWORK_WORKFLOW_PANELS_POLICY_SECTION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "casework/v1/policy.pb.h"
#include "workflow/common/status.h"
#include "workflow/kernel/workflow.h"
#include "workflow/policy/policy_workflow.h"

namespace casework::workflow::panels {

// Checks the section of `policy`. Rules (field: rule), every field under
// "panels.":
//   * panels: 1-20 ("required", "count"); panels[i].id an identifier
//     ("required", "format"), unique ("duplicate"); .title required, at most
//     200 bytes; .parent empty or another panel's id ("unknown", "self"),
//     and no chain of parents loops ("cycle");
//   * .min_age, .max_age: 0-130 ("range"), min_age <= max_age ("order");
//   * .subject_kinds: at least one ("required"), each known ("unknown"),
//     no duplicate ("duplicate");
//   * .review_cadence_days: 1-366 ("range");
//   * .quorum.min_responsible_authorities: 0-20 ("range");
//     .quorum.responsible_authorities: required when that is above 0, each
//     a known kind, no duplicate;
//   * .placement_rules: 1-20; each id an identifier, unique; .description
//     at most 500 bytes; .min_dimensions 0-3, .min_aggravating_factors 0-7
//     ("range"); .placement required ("required"); .signposting required
//     for PLACEMENT_DECLINE; the last rule has no condition
//     ("catch_all"), so every assessment is placed;
//   * .closure_reasons: 1-20, each 1-200 bytes, unique;
//   * incremental_stages: at most 20, each 1-200 bytes, unique.
void ValidateSection(const v1::Policy& policy, FieldErrors& errors);

// The default section, modelled on a borough JAG with its subgroups:
//   * "jag" Joint Action Group: every subject kind, the top panel;
//   * "aarg" Adults at Risk Group: people 18 and over, escalates to "jag";
//   * "yjag" Youth JAG: people 11-18, contextual safeguarding, escalates to
//     "jag";
//   * "central-dg" and "east-dg", delivery groups for places: locations
//     and groups, escalate to "jag".
// Every panel: reviews every 42 days; quorum of 3 responsible authorities
// (council, police, fire and rescue, health, probation) and a chair; the
// decision table below; closure reasons "risk reduced", "moved out of the
// area", "managed by a single agency", "escalated", "deceased".
//   P1 any dimension VERY_HIGH                        -> main agenda
//   P2 any dimension HIGH and 1+ aggravating factor   -> main agenda
//   P3 any dimension HIGH                             -> monitoring
//   P4 two dimensions MEDIUM and 2+ factors           -> monitoring
//   P5 otherwise                                      -> decline, signposted
//      to single-agency support through the referrer's own agency
// Stages: the seven steps of the incremental approach, from a warning
// letter to a criminal behaviour order.
void SetDefaultSection(absl::string_view partnership, v1::Policy* policy);

// The section as the workflows register it.
inline constexpr PolicySection kPolicySection{"panels", ValidateSection, SetDefaultSection};

// The panel `id` in `policy`, or null.
const v1::PanelDefinition* FindPanel(const v1::Policy& policy, absl::string_view id);

// A policy version (shared, not copied) and a copy of one of its panels.
struct PolicyPanel {
  PolicyRef policy;
  v1::PanelDefinition panel;
};
// Panel `id` of the policy in force: FAILED_PRECONDITION without a policy
// (NO_POLICY) or a panels section (NO_POLICY_SECTION); INVALID_ARGUMENT
// ("panel", "unknown") naming the policy's panels when it has no such panel.
absl::StatusOr<PolicyPanel> PanelInForce(const DecideContext& ctx, absl::string_view id);
// Panel `id` of policy version `version`, the one a case or a meeting is
// pinned to: FAILED_PRECONDITION (NO_POLICY_SECTION) without a panels
// section, DATA_LOSS if the panel is missing from it.
absl::StatusOr<PolicyPanel> PinnedPanel(const DecideContext& ctx, int64_t version,
                                        absl::string_view id);

}  // namespace casework::workflow::panels

#endif  // CASEWORK_WORKFLOW_PANELS_POLICY_SECTION_H_
