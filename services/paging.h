// Paged listing over read-model rows, shared by the List methods.
//
// A page is limited by count (page_size, at most kMaxPageSize) and by bytes:
// once the items taken reach kMaxPageBytes the page ends early with a
// next_page_token, so that every page fits the 4 MiB stock gRPC clients
// accept, and a reply a slow client has not read yet holds little memory.
// A page always holds at least one item.
#ifndef CASEWORK_SERVICES_PAGING_H_
#define CASEWORK_SERVICES_PAGING_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "storage/event_store.h"
#include "workflow/common/status.h"

namespace casework::services {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;
// Items stop being added to a page once they add up to this many bytes.
inline constexpr size_t kMaxPageBytes = 1 << 20;
// Rows a page examines at most: a page whose rows are mostly filtered out
// (cases of other agencies, other states) ends early, short or even empty,
// with a next_page_token, so one call never walks a whole index.
inline constexpr int kMaxRowsExamined = 5000;
// Longest page_token accepted, in bytes.
inline constexpr size_t kMaxPageTokenBytes = 1024;

// The paging contract of every List method (and of EventService's reads):
// see "Paging" in proto/casework/v1/common.proto.
//
// A page token is web-safe base64 of: the first 4 bytes of SHA-256 of the
// request's message type, 8 bytes of SHA-256 of the request as sent less
// its page_size and page_token (deterministically serialised: its filter
// and parent), the position to resume after (a row key, or a number), and
// a 4-byte check of all that. A token sent with another filter or parent
// is refused (rule "mismatch"), one that is altered or another method's
// too (rule "format"). Tokens carry no authority (every row is still
// checked against the caller's access), so they need no secret; a
// deterministic token also survives a restart.
struct PageRequest {
  int page_size = kDefaultPageSize;
  // Where the previous page ended (empty: at the start).
  std::string start_after;
  // What a token of this request is bound to.
  std::string binding;
};

// Checks `request`'s page_size (0..kMaxPageSize) and page_token (at most
// kMaxPageTokenBytes, produced by this method for the same filter and
// parent), recording violations on those fields. `request` is a List (or
// Read) request with an int32 page_size and a string page_token.
PageRequest CheckPage(const google::protobuf::Message& request, FieldErrors& errors);

// The token that resumes `page`'s request after `position`.
std::string PageToken(const PageRequest& page, absl::string_view position);

// What a PageRows visitor did with a row.
enum class Visit {
  kTaken,    // added an item to the page
  kSkipped,  // filtered out
  kEnd,      // nothing further can match (e.g. past a date horizon): stop
};

// Walks the rows under `prefix` after `page.start_after`, passing each to
// `visit`, which adds the items it takes to `response` (a List method's
// response: one repeated message field of items and a string field
// `next_page_token`). Stops when page.page_size items were taken, the
// items taken reach kMaxPageBytes or kMaxRowsExamined rows were examined
// (setting next_page_token), when the rows
// end, or when `visit` returns kEnd or an error (which is returned).
absl::Status PageRows(const storage::EventStore& store, absl::string_view prefix,
                      const PageRequest& page,
                      const std::function<absl::StatusOr<Visit>(const storage::StoredRow&)>& visit,
                      google::protobuf::Message* response);

// The same, limited by count only, setting `*next_page_token`. For callers
// that have not moved to the overload above; their pages are not limited by
// bytes.
absl::Status PageRows(const storage::EventStore& store, absl::string_view prefix,
                      const PageRequest& page,
                      const std::function<absl::StatusOr<Visit>(const storage::StoredRow&)>& visit,
                      std::string* next_page_token);

// The number an index key ends with ("…/000000000012" -> 12); DATA_LOSS
// naming the key when it does not.
absl::StatusOr<int64_t> NumberAtEnd(absl::string_view key);

// Calls `visit` for every row under `prefix`, in key order, reading a batch
// at a time (for a whole-index pass: figures, counts); stops at the first
// error `visit` returns.
absl::Status ForEachRow(const storage::EventStore& store, absl::string_view prefix,
                        const std::function<absl::Status(const storage::StoredRow&)>& visit);

// Bytes `message` adds to a page as one element of a repeated field.
size_t PageItemBytes(const google::protobuf::Message& message);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_PAGING_H_
