// Table examples of the policy workflow.
#include "tests/workflow/examples.h"
#include "workflow/policy/policy_workflow.h"
#include "workflow/registry.h"

namespace casework::testing {

WorkflowExamples PolicyExamples() {
  v1::PublishPolicyRequest publish;
  publish.set_parent("partnerships/eastbrook");
  publish.set_request_id("ex-policy");
  *publish.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
  const std::string kPublish(workflow::kPublishPolicy.name);
  WorkflowExamples ex;
  ex.new_stream = workflow::PolicyStream("eastbrook");
  ex.requests[kPublish] = Fixed(publish);
  ex.paths["PUBLISHED"] = {{kPublish, Fixed(publish)}};
  return ex;
}

}  // namespace casework::testing
