#include "tests/workflow/case_review/case_review_world.h"

#include "absl/strings/str_cat.h"
#include "tests/support/test_support.h"
#include "workflow/case_review/complaints.h"
#include "workflow/policy/policy_workflow.h"
#include "workflow/registry.h"

namespace casework::testing {

v1::RecordComplaintRequest ComplaintRequest(const std::string& source_ref,
                                            const std::string& complainant,
                                            v1::CivilDate behaviour, v1::CivilDate reported) {
  v1::RecordComplaintRequest r;
  r.set_parent("partnerships/eastbrook");
  r.set_request_id("rq-" + source_ref);
  v1::Complaint& c = *r.mutable_complaint();
  c.set_complainant_reference(complainant);
  c.set_agency("shire-police");
  c.set_agency_kind(v1::POLICE);
  c.set_source_system("sentinel");
  c.set_source_reference(source_ref);
  c.set_incident_reference("INC-" + source_ref);
  *c.mutable_behaviour_date() = behaviour;
  *c.mutable_reported_date() = reported;
  c.set_category(v1::PERSONAL);
  c.set_locality("mill-lane");
  return r;
}

v1::ReceiveApplicationRequest Application(const std::string& complainant) {
  v1::ReceiveApplicationRequest r;
  r.set_parent("partnerships/eastbrook");
  r.set_request_id("app-" + complainant);
  r.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
  r.mutable_applicant()->set_complainant_reference(complainant);
  r.mutable_applicant()->set_locality("mill-lane");
  r.mutable_applicant()->set_category(v1::PERSONAL);
  r.set_description("Repeated noise and intimidation from a neighbouring flat");
  return r;
}

void Publish(World& world, const v1::Policy& policy) {
  v1::PublishPolicyRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_request_id(absl::StrCat("policy-", world.Version(workflow::PolicyStream("eastbrook")) + 1));
  *request.mutable_policy() = policy;
  Outcome out = world.When(workflow::kPublishPolicy, request);
  if (!out.status.ok()) AbortWithMessage(out.status.ToString());
}

void PublishDefault(World& world) { Publish(world, workflow::LlrDefaultPolicy("eastbrook")); }

void RecordThreeComplaints(World& world) {
  for (const auto& r : {ComplaintRequest("M-1", "cmp-met", Date(2026, 9, 1), Date(2026, 9, 2)),
                        ComplaintRequest("M-2", "cmp-met", Date(2026, 10, 1), Date(2026, 10, 2)),
                        ComplaintRequest("M-3", "cmp-met", Date(2026, 10, 20), Date(2026, 10, 21))}) {
    Outcome out = world.When(workflow::case_review::kRecordComplaint, r);
    if (!out.status.ok()) AbortWithMessage(out.status.ToString());
  }
}

}  // namespace casework::testing
