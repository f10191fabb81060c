// The policy stream "partnerships/{p}/policy/current": every published
// version of a partnership's policy, oldest first.
#ifndef CASEWORK_WORKFLOW_POLICY_STREAM_H_
#define CASEWORK_WORKFLOW_POLICY_STREAM_H_

#include <string>

#include "absl/status/statusor.h"
#include "casework/v1/policy.pb.h"
#include "workflow/kernel.h"

namespace casework::workflow {

std::string PolicyStream(absl::string_view partnership);

// The policy aggregate (state: casework.v1.PolicyHistory).
const TypedAggregate<v1::PolicyHistory>& PolicyAggregate();

// parent, request_id and the whole document (ValidatePolicy).
absl::Status ValidatePublishPolicy(const v1::PublishPolicyRequest& request);

// PolicyPublished with the next version number and the publish time.
absl::StatusOr<Events> DecidePublishPolicy(const v1::PolicyHistory& history,
                                           const v1::PublishPolicyRequest& request,
                                           const DecideContext& context);

// The version in force (the latest) read through context.read_state.
// FAILED_PRECONDITION if the partnership has published none.
absl::StatusOr<v1::Policy> PolicyInForce(const DecideContext& context,
                                         absl::string_view partnership);

// Version `version` read through context.read_state. DATA_LOSS if missing.
absl::StatusOr<v1::Policy> PolicyVersion(const DecideContext& context,
                                         absl::string_view partnership, int64_t version);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_POLICY_STREAM_H_
