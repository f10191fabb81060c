#include "workflow/registry.h"

#include "workflow/actions/commands.h"
#include "workflow/case_review/commands.h"
#include "workflow/case_review/complaints.h"
#include "workflow/death_reviews/commands.h"
#include "workflow/erasures/commands.h"
#include "workflow/subject_access/commands.h"
#include "workflow/retention/commands.h"
#include "workflow/panels/commands.h"
#include "workflow/policy/document.h"
#include "workflow/policy/policy_workflow.h"
#include "workflow/time/calendar_workflow.h"

namespace casework::workflow {

const Registry& Workflows() {
  // Append only: the fuzz corpus selects commands by their position.
  static const Registry* registry = new Registry({
      &actions::ActionWorkflow(),
      &case_review::ComplaintWorkflow(),
      &case_review::CaseReviewWorkflow(),
      &PolicyWorkflow(),
      &CalendarWorkflow(),
      &panels::PanelCaseWorkflow(),
      &panels::PanelMeetingWorkflow(),
      &death_reviews::DeathReviewWorkflow(),
      &erasures::ErasureWorkflow(),
      &subject_access::SubjectAccessWorkflow(),
      &retention::RetentionReviewWorkflow(),
  });
  return *registry;
}

v1::Policy LlrDefaultPolicy(absl::string_view partnership) {
  v1::Policy policy = DefaultPolicy(partnership, Workflows());
  policy.set_title("Default ASB case review policy (LLR model)");
  return policy;
}

}  // namespace casework::workflow
