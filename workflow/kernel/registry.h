// A set of workflows: who owns which streams, rows, services and commands.
//
// The product's set is workflow/registry.h (Workflows()); tests build small
// ones of their own. Everything that must know every workflow iterates a
// registry: the server (one service per workflow), rebuild and verify (which
// streams and rows exist), the fuzz targets (every command's validation) and
// the generic tests (every table).
#ifndef CASEWORK_WORKFLOW_KERNEL_REGISTRY_H_
#define CASEWORK_WORKFLOW_KERNEL_REGISTRY_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "workflow/kernel/workflow.h"

namespace casework::workflow {

class Registry {
 public:
  // Aborts if two workflows share a name, a collection or a service (a
  // definition bug).
  explicit Registry(std::vector<const Workflow*> workflows);

  // In registration order.
  const std::vector<const Workflow*>& workflows() const { return workflows_; }

  // The workflow owning `stream` ("partnerships/{p}/{collection}/{n}", or
  // "{collection}/{id}" outside partnerships), or null.
  const Workflow* ForStream(absl::string_view stream) const;
  // The workflow whose commands service `service` runs, or null.
  const Workflow* ForService(absl::string_view service) const;
  // The command whose full method is `method`, or null.
  const CommandType* ForMethod(absl::string_view method) const;

  // "actions/", "deadlines/", ...: every row namespace any workflow writes
  // under, sorted, each once. Rebuild and verify walk exactly these.
  const std::vector<std::string>& row_prefixes() const { return row_prefixes_; }

  // Every command of every workflow, in registration order (workflows, then
  // their commands). The fuzz targets select commands by this position, so
  // append new workflows and commands at the end.
  std::vector<const CommandType*> AllCommands() const;

 private:
  std::vector<const Workflow*> workflows_;
  std::vector<std::string> row_prefixes_;
};

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_KERNEL_REGISTRY_H_
