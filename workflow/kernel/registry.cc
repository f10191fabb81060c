#include "workflow/kernel/registry.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace casework::workflow {

Registry::Registry(std::vector<const Workflow*> workflows) : workflows_(std::move(workflows)) {
  absl::flat_hash_set<absl::string_view> names, collections, services;
  for (const Workflow* w : workflows_) {
    if (!names.insert(w->name()).second || !collections.insert(w->collection()).second ||
        (!w->service().empty() && !services.insert(w->service()).second)) {
      AbortWithMessage(absl::StrCat("workflow ", w->name(),
                                    " shares its name, collection or service with another"));
    }
    for (const std::string& n : w->row_namespaces()) row_prefixes_.push_back(n + "/");
  }
  std::sort(row_prefixes_.begin(), row_prefixes_.end());
  row_prefixes_.erase(std::unique(row_prefixes_.begin(), row_prefixes_.end()), row_prefixes_.end());
}

const Workflow* Registry::ForStream(absl::string_view stream) const {
  std::vector<absl::string_view> parts = absl::StrSplit(stream, '/');
  absl::string_view collection;
  if (parts.size() == 4 && parts[0] == "partnerships") {
    collection = parts[2];
  } else if (parts.size() == 2) {
    collection = parts[0];
  } else {
    return nullptr;
  }
  for (const Workflow* w : workflows_) {
    if (w->collection() == collection) return w;
  }
  return nullptr;
}

const Workflow* Registry::ForService(absl::string_view service) const {
  for (const Workflow* w : workflows_) {
    if (w->service() == service) return w;
  }
  return nullptr;
}

const CommandType* Registry::ForMethod(absl::string_view method) const {
  for (const Workflow* w : workflows_) {
    for (const CommandType* c : w->commands()) {
      if (c->method() == method) return c;
    }
  }
  return nullptr;
}

std::vector<const CommandType*> Registry::AllCommands() const {
  std::vector<const CommandType*> all;
  for (const Workflow* w : workflows_) {
    all.insert(all.end(), w->commands().begin(), w->commands().end());
  }
  return all;
}

}  // namespace casework::workflow
