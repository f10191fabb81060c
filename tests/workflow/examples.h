// The examples the generic table test (kernel/table_test.cc) walks each
// registered workflow's table with. A workflow without examples fails that
// test: add yours next to the workflow's other tests and list it in
// examples.cc.
#ifndef CASEWORK_TESTS_WORKFLOW_EXAMPLES_H_
#define CASEWORK_TESTS_WORKFLOW_EXAMPLES_H_

#include <map>
#include <string>

#include "absl/time/time.h"
#include "tests/support/table_check.h"

namespace casework::testing {

// When the examples run: Monday 2 November 2026, 10:00 in London.
absl::Time ExamplesStart();

// Examples by workflow name (WorkflowInfo::name).
const std::map<std::string, WorkflowExamples>& AllExamples();

// One per workflow folder.
WorkflowExamples ActionExamples();
WorkflowExamples CaseReviewExamples();
WorkflowExamples ComplaintExamples();
WorkflowExamples PolicyExamples();
WorkflowExamples CalendarExamples();
WorkflowExamples PanelCaseExamples();
WorkflowExamples PanelMeetingExamples();
WorkflowExamples DeathReviewExamples();
WorkflowExamples ErasureExamples();
WorkflowExamples SubjectAccessExamples();
WorkflowExamples RetentionReviewExamples();

// A request maker for a request that needs only its name set (and a
// request_id, when it has none).
template <typename Request>
RequestMaker Named(Request request = Request()) {
  return [request](const std::string& stream) {
    auto r = std::make_unique<Request>(request);
    r->set_name(stream);
    if (r->request_id().empty()) r->set_request_id("example");
    return r;
  };
}
// A request maker for a request that does not name a stream.
template <typename Request>
RequestMaker Fixed(Request request) {
  return [request](const std::string&) { return std::make_unique<Request>(request); };
}

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_WORKFLOW_EXAMPLES_H_
