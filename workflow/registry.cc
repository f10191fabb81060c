#include "workflow/registry.h"

#include "absl/strings/str_split.h"
#include "workflow/actions.h"

namespace casework::workflow {

const std::vector<AggregateEntry>& AllAggregates() {
  static const auto* all = new std::vector<AggregateEntry>{
      {"actions", "actions/", &ActionAggregate()},
  };
  return *all;
}

const AggregateEntry* AggregateForStream(absl::string_view stream) {
  std::vector<absl::string_view> parts = absl::StrSplit(stream, '/');
  if (parts.size() < 4 || parts[0] != "partnerships") return nullptr;
  for (const AggregateEntry& entry : AllAggregates()) {
    if (entry.collection == parts[2]) return &entry;
  }
  return nullptr;
}

}  // namespace casework::workflow
