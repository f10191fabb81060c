#include "services/event_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/access.h"
#include "services/call_context.h"
#include "services/command_runner.h"
#include "services/paging.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

constexpr int kDefaultEventPageSize = 100;
constexpr int kMaxEventPageSize = 1000;
// Longest stream name accepted.
constexpr size_t kMaxStreamName = 512;
// Events read from the store at a time while filling a ReadStream page.
constexpr int kReadBatch = 100;
// Most events ReadLog looks at for one page, counting those the caller may
// not read: a page of a log full of others' restricted events ends early
// (its token resumes after them) instead of scanning to the head.
constexpr int kMaxScannedPerPage = 10000;

// Page tokens are opaque to callers: web-safe base64 of "<kind>:<number>".
std::string EncodeToken(absl::string_view kind, uint64_t n) {
  return absl::WebSafeBase64Escape(absl::StrCat(kind, ":", n));
}

bool DecodeToken(absl::string_view token, absl::string_view kind, uint64_t* n) {
  if (token.size() > kMaxPageTokenBytes) return false;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return false;
  absl::string_view rest = raw;
  if (!absl::ConsumePrefix(&rest, kind) || !absl::ConsumePrefix(&rest, ":")) return false;
  return absl::SimpleAtoi(rest, n);
}

// Decodes a non-empty `token` of `kind` into `*n`, or records why not.
void CheckToken(absl::string_view token, absl::string_view kind, absl::string_view method,
                uint64_t* n, FieldErrors& errors) {
  if (token.empty()) return;
  if (token.size() > kMaxPageTokenBytes) {
    errors.Add("page_token", "length",
               absl::StrCat("must be at most ", kMaxPageTokenBytes, " characters, got ",
                            token.size()));
  } else if (!DecodeToken(token, kind, n)) {
    errors.Add("page_token", "format", absl::StrCat("is not a token returned by ", method));
  }
}

int PageSize(int requested, FieldErrors& errors) {
  if (requested < 0 || requested > kMaxEventPageSize) {
    errors.Add("page_size", "range", absl::StrCat("must be between 0 and ", kMaxEventPageSize,
                                                  ", got ", requested));
  }
  return requested == 0 ? kDefaultEventPageSize : requested;
}

// NOT_FOUND for a stream without events, and for one the caller may not
// read: the answer does not tell which.
absl::Status NoEvents(const std::string& stream) {
  return absl::NotFoundError(
      absl::StrCat("stream ", workflow::Quoted(stream), " has no events"));
}

}  // namespace

grpc::ServerUnaryReactor* EventService::ReadStream(grpc::CallbackServerContext* context,
                                                   const v1::ReadStreamRequest* request,
                                                   v1::ReadStreamResponse* response) {
  absl::StatusOr<v1::Actor> actor = ActorFromMetadata(*context);
  if (!actor.ok()) return FinishRead(deps_, context, actor.status());
  FieldErrors errors;
  if (request->stream().empty()) {
    errors.Add("stream", "required", "is required");
  } else if (request->stream().size() > kMaxStreamName) {
    errors.Add("stream", "length",
               absl::StrCat("must be at most ", kMaxStreamName, " characters, got ",
                            request->stream().size()));
  } else if (request->stream().find('\0') != std::string::npos) {
    errors.Add("stream", "format", "must not contain NUL characters");
  }
  int page_size = PageSize(request->page_size(), errors);
  uint64_t from = static_cast<uint64_t>(std::max<int64_t>(request->from_version(), 1));
  if (request->from_version() < 0) errors.Add("from_version", "range", "must not be negative");
  CheckToken(request->page_token(), "v", "ReadStream", &from, errors);
  if (!errors.empty()) return FinishRead(deps_, context, errors.ToStatus());

  const workflow::Workflow* owner = deps_.registry->ForStream(request->stream());
  if (owner != nullptr && owner->restricted()) {
    absl::StatusOr<bool> may = ReadFilter(deps_, *actor).MayRead(request->stream());
    if (!may.ok()) return FinishRead(deps_, context, may.status());
    if (!*may) return FinishRead(deps_, context, NoEvents(request->stream()));
  }
  absl::StatusOr<int64_t> version = store_->StreamVersion(request->stream());
  if (!version.ok()) return FinishRead(deps_, context, version.status());
  if (*version == 0) return FinishRead(deps_, context, NoEvents(request->stream()));
  response->set_stream_version(*version);
  // Read in small batches until the page is full by count or by bytes.
  size_t bytes = 0;
  int64_t next = static_cast<int64_t>(std::min<uint64_t>(from, INT64_MAX));
  bool more = true;
  while (more && response->events_size() < page_size && bytes < kMaxPageBytes) {
    const int want = std::min(page_size - response->events_size(), kReadBatch);
    absl::StatusOr<std::vector<v1::EventEnvelope>> events =
        store_->ReadStream(request->stream(), next, want);
    if (!events.ok()) return FinishRead(deps_, context, events.status());
    more = static_cast<int>(events->size()) == want;
    for (v1::EventEnvelope& e : *events) {
      if (bytes >= kMaxPageBytes) {
        more = true;
        break;
      }
      bytes += PageItemBytes(e);
      next = e.stream_version() + 1;
      *response->add_events() = std::move(e);
    }
  }
  if (more && next <= *version) response->set_next_page_token(EncodeToken("v", next));
  return FinishRead(deps_, context, absl::OkStatus());
}

grpc::ServerUnaryReactor* EventService::ReadLog(grpc::CallbackServerContext* context,
                                                const v1::ReadLogRequest* request,
                                                v1::ReadLogResponse* response) {
  FieldErrors errors;
  int page_size = PageSize(request->page_size(), errors);
  uint64_t from = std::max<uint64_t>(request->from_position(), 1);
  CheckToken(request->page_token(), "p", "ReadLog", &from, errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());

  const uint64_t head = store_->LastPosition();
  uint64_t next = from;
  size_t bytes = 0;
  int scanned = 0;
  absl::StatusOr<v1::Actor> actor = ActorFromMetadata(*context);
  if (!actor.ok()) return FinishNow(context, actor.status());
  ReadFilter filter(deps_, *std::move(actor));
  absl::Status filtered;
  absl::Status read = store_->ScanLog(from, [&](const v1::EventEnvelope& e) {
    absl::StatusOr<bool> may = filter.MayRead(e.stream());
    if (!may.ok()) {
      filtered = may.status();
      return false;
    }
    next = e.global_position() + 1;
    if (*may) {
      bytes += PageItemBytes(e);
      *response->add_events() = e;
    }
    return response->events_size() < page_size && bytes < kMaxPageBytes &&
           ++scanned < kMaxScannedPerPage;
  });
  if (!read.ok()) return FinishNow(context, read);
  if (!filtered.ok()) return FinishNow(context, filtered);
  // The head as read before the page, or later if the page reached further.
  // Never the caller's position: a page asked for beyond the head is empty
  // and reports the real head.
  uint64_t last_read = next > from ? next - 1 : 0;
  response->set_head_position(std::max(head, last_read));
  response->set_next_page_token(EncodeToken("p", next));
  return FinishNow(context, absl::OkStatus());
}

}  // namespace casework::services
