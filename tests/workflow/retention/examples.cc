// Table examples of retention reviews: a complaint recorded in January
// 2019, due for review since January 2025, retained or deleted.
#include "tests/support/test_support.h"
#include "tests/workflow/case_review/case_review_world.h"
#include "tests/workflow/examples.h"
#include "workflow/case_review/complaints.h"
#include "workflow/retention/commands.h"

namespace casework::testing {

WorkflowExamples RetentionReviewExamples() {
  using namespace workflow::retention;  // NOLINT(build/namespaces)
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/retentionReviews/1";
  ex.setup = [](World& world) {
    PublishDefault(world);
    const absl::Time now = world.now();
    world.SetNow(absl::FromCivil(absl::CivilSecond(2019, 1, 10, 10, 0, 0), London()));
    Outcome out = world.When(workflow::case_review::kRecordComplaint,
                             ComplaintRequest("C-1", "cmp-4471", Date(2019, 1, 9), Date(2019, 1, 9)));
    if (!out.status.ok()) AbortWithMessage(out.status.ToString());
    world.SetNow(now);
    world.SetActor("eastbrook-council", "u-dpo", "data_protection_officer");
  };
  v1::DecideRetentionRequest retain;
  retain.set_parent("partnerships/eastbrook");
  retain.set_request_id("ex-retain");
  retain.set_case_name("partnerships/eastbrook/complaints/1");
  retain.set_decision(v1::RetentionReview::RETAIN);
  retain.set_reason("Linked to injunction proceedings still before the court");
  *retain.mutable_next_review_date() = Date(2027, 6, 1);
  v1::DecideRetentionRequest del = retain;
  del.set_request_id("ex-delete");
  del.set_decision(v1::RetentionReview::DELETE);
  del.clear_next_review_date();
  del.set_reason("Retention period over");
  const std::string kDecide(kDecideRetention.name);
  ex.requests[kDecide] = Fixed(retain);
  ex.paths["RETAINED"] = {{kDecide, Fixed(retain)}};
  ex.paths["DELETED"] = {{kDecide, Fixed(del)}};
  ex.cases.push_back({std::string(workflow::kNewState), {}, {kDecide, Fixed(retain)}, {}});
  ex.cases.push_back({std::string(workflow::kNewState), {}, {kDecide, Fixed(del)}, {}});
  return ex;
}

}  // namespace casework::testing
