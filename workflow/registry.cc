#include "workflow/registry.h"

#include "absl/strings/str_split.h"
#include "workflow/actions.h"
#include "workflow/calendar_stream.h"
#include "workflow/case_reviews.h"
#include "workflow/complaints.h"
#include "workflow/policy_stream.h"

namespace casework::workflow {

const std::vector<AggregateEntry>& AllAggregates() {
  static const auto* all = new std::vector<AggregateEntry>{
      {"actions", &ActionAggregate()},
      {"calendars", &CalendarAggregate()},
      {"caseReviews", &CaseReviewAggregate()},
      {"complaints", &ComplaintAggregate()},
      {"policy", &PolicyAggregate()},
  };
  return *all;
}

const std::vector<absl::string_view>& DerivedRowPrefixes() {
  static const auto* prefixes = new std::vector<absl::string_view>{
      "actions/", "caseReviews/", "complaints/", "deadlines/", "notices/"};
  return *prefixes;
}

const AggregateEntry* AggregateForStream(absl::string_view stream) {
  std::vector<absl::string_view> parts = absl::StrSplit(stream, '/');
  absl::string_view collection;
  if (parts.size() == 4 && parts[0] == "partnerships") {
    collection = parts[2];
  } else if (parts.size() == 2) {
    collection = parts[0];
  } else {
    return nullptr;
  }
  for (const AggregateEntry& entry : AllAggregates()) {
    if (entry.collection == collection) return &entry;
  }
  return nullptr;
}

}  // namespace casework::workflow
