// Table examples of the action workflow.
#include "tests/support/test_support.h"
#include "tests/workflow/examples.h"
#include "workflow/actions/commands.h"

namespace casework::testing {

WorkflowExamples ActionExamples() {
  using namespace workflow::actions;  // NOLINT(build/namespaces)
  const std::string kCreate(kCreateAction.name);
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/actions/1";
  ex.requests[kCreate] = Fixed(CreateRequest("ex-create"));
  ex.requests[std::string(kRecordProgress.name)] = [](const std::string& s) {
    return std::make_unique<v1::RecordProgressRequest>(ProgressRequest("ex-progress", s));
  };
  v1::ChangeDueDateRequest due;
  due.set_request_id("ex-due");
  due.mutable_due_date()->set_year(2026);
  due.mutable_due_date()->set_month(12);
  due.mutable_due_date()->set_day(18);
  due.set_reason("Waiting for a report");
  ex.requests[std::string(kChangeDueDate.name)] = Named(due);
  v1::CompleteActionRequest complete;
  complete.set_request_id("ex-complete");
  complete.set_note("Done");
  ex.requests[std::string(kCompleteAction.name)] = Named(complete);
  v1::CancelActionRequest cancel;
  cancel.set_request_id("ex-cancel");
  cancel.set_reason("No longer needed");
  ex.requests[std::string(kCancelAction.name)] = Named(cancel);
  v1::ReopenActionRequest reopen;
  reopen.set_request_id("ex-reopen");
  reopen.set_reason("Not finished");
  ex.requests[std::string(kReopenAction.name)] = Named(reopen);
  v1::PutActionOnHoldRequest hold;
  hold.set_request_id("ex-hold");
  hold.set_reason("Waiting for the trial");
  ex.requests[std::string(kPutActionOnHold.name)] = Named(hold);
  v1::ResumeActionRequest resume;
  resume.set_request_id("ex-resume");
  ex.requests[std::string(kResumeAction.name)] = Named(resume);

  const Step create{kCreate, ex.requests[kCreate]};
  ex.paths["OPEN"] = {create};
  ex.paths["COMPLETED"] = {create, {std::string(kCompleteAction.name), Named(complete)}};
  ex.paths["CANCELLED"] = {create, {std::string(kCancelAction.name), Named(cancel)}};
  ex.paths["ON_HOLD"] = {create, {std::string(kPutActionOnHold.name), Named(hold)}};
  return ex;
}

}  // namespace casework::testing
