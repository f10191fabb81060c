// The policy workflow: one stream per partnership,
// "partnerships/{p}/policy/current", holding every published version of its
// policy document (document.h), oldest first. Cases read it through
// DecideContext::read_state and pin the version in force when they open.
#ifndef CASEWORK_WORKFLOW_POLICY_POLICY_WORKFLOW_H_
#define CASEWORK_WORKFLOW_POLICY_POLICY_WORKFLOW_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "casework/v1/policy.pb.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow {

std::string PolicyStream(absl::string_view partnership);
// Whether `stream` is a partnership's policy stream (PolicyStream).
bool IsPolicyStream(absl::string_view stream);

// Publishes the next version. Requires role "admin" (checked by the service).
inline constexpr CommandName<v1::PublishPolicyRequest> kPublishPolicy{"PublishPolicy"};

// The policy workflow (state: casework.v1.PolicyHistory).
const Workflow& PolicyWorkflow();

// A policy version, shared with the history that holds it: deciding reads
// it on every intake and case command, and a copy cost more than the rule.
using PolicyRef = std::shared_ptr<const v1::Policy>;

// The version in force (the latest), read through context.read_state.
// FAILED_PRECONDITION (reason NO_POLICY) if the partnership has published none.
absl::StatusOr<PolicyRef> PolicyInForce(const DecideContext& context,
                                         absl::string_view partnership);

// Version `version`, read through context.read_state. DATA_LOSS if missing.
absl::StatusOr<PolicyRef> PolicyVersion(const DecideContext& context,
                                         absl::string_view partnership, int64_t version);

// FAILED_PRECONDITION (reason NO_POLICY_SECTION) for a command of a workflow
// whose section `section` is missing from policy version `policy`.
absl::Status MissingPolicySectionError(const v1::Policy& policy, absl::string_view section);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_POLICY_POLICY_WORKFLOW_H_
