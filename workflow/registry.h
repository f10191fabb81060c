// Which aggregate owns which streams: the one table that maps a stream's
// collection ("partnerships/{p}/{collection}/{n}") to its workflow. Used to
// replay and verify the whole log.
#ifndef CASEWORK_WORKFLOW_REGISTRY_H_
#define CASEWORK_WORKFLOW_REGISTRY_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "workflow/kernel.h"

namespace casework::workflow {

struct AggregateEntry {
  // The collection segment of the stream name, e.g. "actions" in
  // "partnerships/{p}/actions/{n}", or the first segment of a stream outside
  // partnerships ("calendars" in "calendars/england-and-wales").
  absl::string_view collection;
  const Aggregate* aggregate;
};

// Every aggregate of the product.
const std::vector<AggregateEntry>& AllAggregates();

// Every read-model row any aggregate derives starts with one of these
// ("actions/", "deadlines/", ...). Rows under them are rebuilt from the log.
const std::vector<absl::string_view>& DerivedRowPrefixes();

// The entry owning `stream`, or null for a stream name of no known collection.
const AggregateEntry* AggregateForStream(absl::string_view stream);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_REGISTRY_H_
