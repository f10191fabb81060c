#include "services/paging.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace casework::services {

PageRequest CheckPage(int page_size, absl::string_view page_token, FieldErrors& errors) {
  PageRequest page;
  if (page_size < 0 || page_size > kMaxPageSize) {
    errors.Add("page_size", "range",
               absl::StrCat("must be between 0 and ", kMaxPageSize, ", got ", page_size));
  } else if (page_size > 0) {
    page.page_size = page_size;
  }
  if (!page_token.empty() && !absl::WebSafeBase64Unescape(page_token, &page.start_after)) {
    errors.Add("page_token", "format", "is not a token returned by this method");
  }
  return page;
}

absl::Status PageRows(const storage::EventStore& store, absl::string_view prefix,
                      const PageRequest& page,
                      const std::function<absl::StatusOr<Visit>(const storage::StoredRow&)>& visit,
                      std::string* next_page_token) {
  if (!page.start_after.empty() && !absl::StartsWith(page.start_after, prefix)) {
    return FieldError("page_token", "mismatch", "belongs to a different filter or parent");
  }
  std::string last = page.start_after;
  int taken = 0;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows,
                     store.ScanRows(prefix, last, page.page_size));
    for (const storage::StoredRow& row : rows) {
      ASSIGN_OR_RETURN(Visit result, visit(row));
      if (result == Visit::kEnd) return absl::OkStatus();
      last = row.key;
      if (result == Visit::kTaken && ++taken == page.page_size) {
        *next_page_token = absl::WebSafeBase64Escape(last);
        return absl::OkStatus();
      }
    }
    if (static_cast<int>(rows.size()) < page.page_size) return absl::OkStatus();
  }
}

}  // namespace casework::services
