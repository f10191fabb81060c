#include "services/event_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/command_runner.h"
#include "workflow/common/status.h"

namespace casework::services {
namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

// Page tokens are opaque to callers: web-safe base64 of "<kind>:<number>".
std::string EncodeToken(absl::string_view kind, uint64_t n) {
  return absl::WebSafeBase64Escape(absl::StrCat(kind, ":", n));
}

bool DecodeToken(absl::string_view token, absl::string_view kind, uint64_t* n) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return false;
  absl::string_view rest = raw;
  if (!absl::ConsumePrefix(&rest, kind) || !absl::ConsumePrefix(&rest, ":")) return false;
  return absl::SimpleAtoi(rest, n);
}

int PageSize(int requested, FieldErrors& errors) {
  if (requested < 0 || requested > kMaxPageSize) {
    errors.Add("page_size", "range", absl::StrCat("must be between 0 and ", kMaxPageSize,
                                                  ", got ", requested));
  }
  return requested == 0 ? kDefaultPageSize : requested;
}

}  // namespace

grpc::ServerUnaryReactor* EventService::ReadStream(grpc::CallbackServerContext* context,
                                                   const v1::ReadStreamRequest* request,
                                                   v1::ReadStreamResponse* response) {
  FieldErrors errors;
  if (request->stream().empty()) errors.Add("stream", "required", "is required");
  if (request->stream().find('\0') != std::string::npos) {
    errors.Add("stream", "format", "must not contain NUL characters");
  }
  int page_size = PageSize(request->page_size(), errors);
  uint64_t from = static_cast<uint64_t>(std::max<int64_t>(request->from_version(), 1));
  if (request->from_version() < 0) errors.Add("from_version", "range", "must not be negative");
  if (!request->page_token().empty() && !DecodeToken(request->page_token(), "v", &from)) {
    errors.Add("page_token", "format", "is not a token returned by ReadStream");
  }
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());

  absl::StatusOr<int64_t> version = store_->StreamVersion(request->stream());
  if (!version.ok()) return FinishNow(context, version.status());
  if (*version == 0) {
    return FinishNow(context,
                     absl::NotFoundError(absl::StrCat("stream ", request->stream(), " has no events")));
  }
  absl::StatusOr<std::vector<v1::EventEnvelope>> events =
      store_->ReadStream(request->stream(), static_cast<int64_t>(from), page_size);
  if (!events.ok()) return FinishNow(context, events.status());
  for (v1::EventEnvelope& e : *events) *response->add_events() = std::move(e);
  response->set_stream_version(*version);
  if (response->events_size() == page_size) {
    uint64_t next = static_cast<uint64_t>(response->events(page_size - 1).stream_version()) + 1;
    if (static_cast<int64_t>(next) <= *version) response->set_next_page_token(EncodeToken("v", next));
  }
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* EventService::ReadLog(grpc::CallbackServerContext* context,
                                                const v1::ReadLogRequest* request,
                                                v1::ReadLogResponse* response) {
  FieldErrors errors;
  int page_size = PageSize(request->page_size(), errors);
  uint64_t from = std::max<uint64_t>(request->from_position(), 1);
  if (!request->page_token().empty() && !DecodeToken(request->page_token(), "p", &from)) {
    errors.Add("page_token", "format", "is not a token returned by ReadLog");
  }
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());

  const uint64_t head = store_->LastPosition();
  absl::StatusOr<std::vector<v1::EventEnvelope>> events = store_->ReadLog(from, page_size);
  if (!events.ok()) return FinishNow(context, events.status());
  uint64_t next = from;
  for (v1::EventEnvelope& e : *events) {
    next = e.global_position() + 1;
    *response->add_events() = std::move(e);
  }
  response->set_head_position(std::max(head, next - 1));
  response->set_next_page_token(EncodeToken("p", next));
  return FinishNow(context, absl::OkStatus());
}

}  // namespace casework::services
