// Table examples of subject access requests.
#include "tests/workflow/examples.h"
#include "workflow/subject_access/commands.h"

namespace casework::testing {

WorkflowExamples SubjectAccessExamples() {
  using namespace workflow::subject_access;  // NOLINT(build/namespaces)
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/subjectAccessRequests/1";
  v1::RequestSubjectAccessRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_request_id("ex-sar");
  request.set_subject(v1::COMPLAINANT);
  request.set_reference("cmp-4471");
  request.set_received("Letter of 2026-11-20; identity checked at the council's front desk");
  const std::string kRequest(kRequestSubjectAccess.name);
  ex.requests[kRequest] = Fixed(request);
  ex.paths["RECORDED"] = {{kRequest, ex.requests[kRequest]}};
  return ex;
}

}  // namespace casework::testing
