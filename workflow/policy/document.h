// The partnership policy document: the versioned local rules a partnership
// runs its statutory processes by (casework.v1.Policy).
//
// The document is made of sections, one per workflow that has local rules
// (today "case_review"; panels and death reviews add theirs). No section is
// required by the document as a whole: each section is validated, and
// defaulted for a new partnership, by the workflow that owns it
// (WorkflowInfo's PolicySection), and a workflow whose section is missing
// refuses its commands with FAILED_PRECONDITION until one is published.
// Timescales are deadline rules ("10 working days") in a message of string
// fields named after their deadlines, looked up generically by name.
// Pure: no I/O, no clock.
#ifndef CASEWORK_WORKFLOW_POLICY_DOCUMENT_H_
#define CASEWORK_WORKFLOW_POLICY_DOCUMENT_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "casework/v1/policy.pb.h"
#include "google/protobuf/message.h"
#include "workflow/common/status.h"
#include "workflow/kernel/registry.h"
#include "workflow/time/deadline_rules.h"

namespace casework::workflow {

// The longest policy title accepted, in bytes.
inline constexpr size_t kMaxPolicyTitleChars = 200;
// The audit section's purposes: how many, and how long each (also the
// longest purpose any detail read may state).
inline constexpr int kMaxAuditPurposes = 50;
inline constexpr size_t kMaxAuditPurposeChars = 200;
// The access section: shares, and agencies per share.
inline constexpr int kMaxCaseShares = 20;
inline constexpr int kMaxSharedAgencies = 100;

// Checks the document: the title (at most kMaxPolicyTitleChars, rule
// "length"), the audit purposes (at most kMaxAuditPurposes, each 1 to
// kMaxAuditPurposeChars, no duplicates), the access shares (a case type a
// workflow lets the policy share, once; 1 to kMaxSharedAgencies agency
// identifiers, no duplicates) and each section that is present,
// by the workflow of `registry` that owns it. OK, or INVALID_ARGUMENT with a casework.v1.BadRequest detail
// naming every broken field with its rule, e.g. field
// "case_review.threshold.complaint_count", rule "statutory_cap". The
// server-set fields (partnership, version, publish_time) are not checked.
absl::Status ValidatePolicy(const v1::Policy& policy, const Registry& registry);
// The same checks, recorded in `errors`.
void CheckPolicy(const v1::Policy& policy, const Registry& registry, FieldErrors& errors);

// The policy a new partnership starts from: every section of `registry`'s
// workflows at its default. `partnership` is copied in; version and
// publish_time are unset.
v1::Policy DefaultPolicy(absl::string_view partnership, const Registry& registry);

// Checks one deadline-rule field: "required" (with `example`), then
// "deadline_rule" (ParseDeadlineRule), then, when `calendar_only`, "unit" for
// a rule counted in working days.
void CheckDeadlineRuleField(absl::string_view field, const std::string& text,
                            absl::string_view example, bool calendar_only, FieldErrors& errors);

// Checks every string field of a timescales message as a required deadline
// rule, reported as `prefix` + the field name.
void CheckTimescales(const google::protobuf::Message& timescales, absl::string_view prefix,
                     FieldErrors& errors);

// The rule of the deadline called `name` in a timescales message (the string
// field of that name), with its name set. INVALID_ARGUMENT if the message has
// no such field or its text does not parse.
absl::StatusOr<DeadlineRule> TimescaleRule(const google::protobuf::Message& timescales,
                                           absl::string_view name);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_POLICY_DOCUMENT_H_
