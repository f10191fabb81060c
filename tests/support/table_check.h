// The generic check of a workflow's transition table: every allowed
// (state, command) pair decides, with a fitting example, into one of the
// states its row declares, and every state the row declares is reached by
// some example; every other pair is refused with FAILED_PRECONDITION naming
// exactly the commands the state allows (NOT_FOUND for a command on a stream
// that does not exist yet) and writes nothing. A table whose `to` column
// disagrees with the appliers, an applier missing for an event a decision
// emits, or a row outside the workflow's row namespaces shows up as a
// problem.
//
// Each workflow gives the check its examples (tests/workflow/examples.h).
#ifndef CASEWORK_TESTS_SUPPORT_TABLE_CHECK_H_
#define CASEWORK_TESTS_SUPPORT_TABLE_CHECK_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "tests/support/world.h"
#include "workflow/kernel/registry.h"
#include "workflow/kernel/workflow.h"

namespace casework::testing {

// Makes a request for a command on `stream` (the stream of the case being
// walked; a create ignores it).
using RequestMaker =
    std::function<std::unique_ptr<google::protobuf::Message>(const std::string& stream)>;

// One command of an example.
struct Step {
  std::string command;
  RequestMaker request;
  // The step acts on another stream, of this workflow or another registered
  // one (in a prelude: a case that links to the example's, such as the
  // parent panel's case of an escalation); the example's stream stays the
  // one checked.
  bool elsewhere = false;
};

struct WorkflowExamples {
  // The stream a command meets in state NEW (no events yet), e.g.
  // "partnerships/eastbrook/actions/1".
  std::string new_stream;
  // Prepares every world before an example runs (a published policy, a
  // complaint ledger). Optional.
  std::function<void(World&)> setup;
  // For every state the table reaches: the commands that take a new stream
  // there. The first one creates the stream.
  std::map<std::string, std::vector<Step>> paths;
  // A request for every command: the example run in every state (it must
  // fit where the table allows the command, unless a case below replaces it).
  std::map<std::string, RequestMaker> requests;
  // Examples for pairs the default request does not fit, or to reach another
  // of a row's states: in `state` (reached by `path` when given, else by the
  // state's path above), run `prelude` (which must stay in `state`), then
  // `step`. They replace the default request for that pair.
  struct Case {
    std::string state;
    std::vector<Step> prelude;
    Step step;
    std::vector<Step> path = {};
  };
  std::vector<Case> cases;
};

// Every problem found with `workflow`'s table, one line each (empty when the
// table, the decisions and the appliers agree). `registry` must hold
// `workflow` and every workflow its decisions read.
std::vector<std::string> CheckTable(const workflow::Workflow& workflow,
                                    const workflow::Registry& registry,
                                    const WorkflowExamples& examples, absl::Time now);

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_SUPPORT_TABLE_CHECK_H_
