// Paged listing over read-model rows, shared by the List methods.
#ifndef CASEWORK_SERVICES_PAGING_H_
#define CASEWORK_SERVICES_PAGING_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "storage/event_store.h"
#include "workflow/common/status.h"

namespace casework::services {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// Checks page_size (0..kMaxPageSize) and decodes page_token (opaque to
// callers: web-safe base64 of the last row key), recording violations.
struct PageRequest {
  int page_size = kDefaultPageSize;
  std::string start_after;
};
PageRequest CheckPage(int page_size, absl::string_view page_token, FieldErrors& errors);

// What a PageRows visitor did with a row.
enum class Visit {
  kTaken,    // added an item to the page
  kSkipped,  // filtered out
  kEnd,      // nothing further can match (e.g. past a date horizon): stop
};

// Walks the rows under `prefix` after `page.start_after`, passing each to
// `visit`. Stops when page.page_size items were taken (setting
// `next_page_token`), when the rows end, or when `visit` returns kEnd or an
// error (which is returned).
absl::Status PageRows(const storage::EventStore& store, absl::string_view prefix,
                      const PageRequest& page,
                      const std::function<absl::StatusOr<Visit>(const storage::StoredRow&)>& visit,
                      std::string* next_page_token);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_PAGING_H_
