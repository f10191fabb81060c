// Every workflow of casework, registered once. Adding a workflow is one line
// in registry.cc (docs/adding-a-workflow.md).
#ifndef CASEWORK_WORKFLOW_REGISTRY_H_
#define CASEWORK_WORKFLOW_REGISTRY_H_

#include "absl/strings/string_view.h"
#include "casework/v1/policy.pb.h"
#include "workflow/kernel/registry.h"

namespace casework::workflow {

// The product's workflows, in registration order.
const Registry& Workflows();

// The policy a new partnership starts from (every workflow's default
// section, titled as the LLR model the defaults follow). `partnership` is an
// identifier such as "eastbrook"; version and publish_time are unset.
v1::Policy LlrDefaultPolicy(absl::string_view partnership);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_REGISTRY_H_
