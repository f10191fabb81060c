#include "services/event_service.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "services/access.h"
#include "services/call_context.h"
#include "services/command_runner.h"
#include "services/event_feed.h"
#include "services/paging.h"
#include "services/placement.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

// Longest stream name accepted.
constexpr size_t kMaxStreamName = 512;
// Events read from the store at a time while filling a ReadStream page.
constexpr int kReadBatch = 100;
// Most events ReadLog looks at for one page, counting those the caller may
// not read: a page of a log full of others' restricted events ends early
// (its token resumes after them) instead of scanning to the head.
constexpr int kMaxScannedPerPage = 10000;

// The position a page token of `page` resumes at, or `fallback` without
// one.
uint64_t ResumeAt(const PageRequest& page, uint64_t fallback, FieldErrors& errors) {
  if (page.start_after.empty()) return fallback;
  uint64_t n = 0;
  if (!absl::SimpleAtoi(page.start_after, &n)) {
    errors.Add("page_token", "format", "is not a token returned by this method");
  }
  return n;
}

constexpr int kMaxStreamTypes = 20;
constexpr int kMaxEventTypes = 50;
constexpr int kDefaultCheckpointInterval = 1000;
constexpr int kMaxCheckpointInterval = 100000;

// The filter a SubscribeRequest asks for, or the reasons it is invalid.
FeedFilter CheckSubscribe(const v1::SubscribeRequest& request, const workflow::Registry& registry,
                          FieldErrors& errors) {
  FeedFilter filter;
  if (!request.partnership().empty()) {
    std::optional<std::string> partnership =
        workflow::ParsePartnershipName("partnership", request.partnership(), errors);
    if (partnership.has_value()) filter.stream_prefix = absl::StrCat(request.partnership(), "/");
  }
  std::vector<std::string> known;
  for (const workflow::Workflow* w : registry.workflows()) known.emplace_back(w->collection());
  std::sort(known.begin(), known.end());
  if (workflow::CheckCount("stream_types", request.stream_types_size(), kMaxStreamTypes, errors)) {
    for (int i = 0; i < request.stream_types_size(); ++i) {
      const std::string& type = request.stream_types(i);
      if (std::find(known.begin(), known.end(), type) == known.end()) {
        errors.Add(absl::StrCat("stream_types[", i, "]"), "enum",
                   absl::StrCat("must be one of ", absl::StrJoin(known, ", "), ", got ",
                                workflow::Quoted(type)));
      } else {
        filter.stream_types.insert(type);
      }
    }
  }
  if (workflow::CheckCount("event_types", request.event_types_size(), kMaxEventTypes, errors)) {
    for (int i = 0; i < request.event_types_size(); ++i) {
      const std::string& type = request.event_types(i);
      const google::protobuf::Descriptor* message =
          google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
      if (message == nullptr || !absl::StartsWith(type, "casework.")) {
        errors.Add(absl::StrCat("event_types[", i, "]"), "format",
                   absl::StrCat("must be the full name of a casework event message, such as "
                                "\"casework.v1.ComplaintRecorded\", got ",
                                workflow::Quoted(type)));
      } else {
        filter.event_types.insert(type);
      }
    }
  }
  if (request.checkpoint_interval() < 0 ||
      request.checkpoint_interval() > kMaxCheckpointInterval) {
    errors.Add("checkpoint_interval", "range",
               absl::StrCat("must be between 0 and ", kMaxCheckpointInterval, ", got ",
                            request.checkpoint_interval()));
  }
  return filter;
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
  const PageRequest page = CheckPage(*request, errors);
  const int page_size = page.page_size;
  if (request->from_version() < 0) errors.Add("from_version", "range", "must not be negative");
  const uint64_t from = ResumeAt(
      page, static_cast<uint64_t>(std::max<int64_t>(request->from_version(), 1)), errors);
  if (!errors.empty()) return FinishRead(deps_, context, errors.ToStatus());
  // A stream of a partnership another instance holds is read there.
  if (const absl::string_view partnership = workflow::PartnershipOfStream(request->stream());
      deps_.placement != nullptr && !partnership.empty()) {
    if (absl::Status here = deps_.placement->Check(partnership); !here.ok()) {
      return FinishRead(deps_, context, here);
    }
  }

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
  if (more && next <= *version) {
    response->set_next_page_token(PageToken(page, absl::StrCat(next)));
  }
  return FinishRead(deps_, context, absl::OkStatus());
}

grpc::ServerUnaryReactor* EventService::ReadLog(grpc::CallbackServerContext* context,
                                                const v1::ReadLogRequest* request,
                                                v1::ReadLogResponse* response) {
  FieldErrors errors;
  const PageRequest page = CheckPage(*request, errors);
  const int page_size = page.page_size;
  const uint64_t from = ResumeAt(page, std::max<uint64_t>(request->from_position(), 1), errors);
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
  response->set_next_page_token(PageToken(page, absl::StrCat(next)));
  return FinishNow(context, absl::OkStatus());
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* EventService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  absl::StatusOr<v1::Actor> actor = ActorFromMetadata(*context);
  if (!actor.ok()) return RefuseSubscription(actor.status());
  FieldErrors errors;
  FeedFilter filter = CheckSubscribe(*request, *deps_.registry, errors);
  if (!errors.empty()) return RefuseSubscription(errors.ToStatus());
  // A partnership another instance holds: its feed is there.
  if (deps_.placement != nullptr && !request->partnership().empty()) {
    const std::string partnership(workflow::PartnershipOfStream(request->partnership()));
    if (absl::Status here = deps_.placement->Check(partnership); !here.ok()) {
      return RefuseSubscription(here);
    }
  }
  const uint64_t head = store_->LastPosition();
  if (request->after_position() > head) {
    return RefuseSubscription(ErrorWithReason(
        absl::StatusCode::kOutOfRange, "POSITION_BEYOND_HEAD",
        absl::StrCat("after_position ", request->after_position(),
                     " is beyond the last position of this server's log, ", head,
                     ": is this the server the position came from?")));
  }
  if (deps_.feed == nullptr) {
    return RefuseSubscription(absl::UnavailableError("this server has no event feed"));
  }
  const int interval = request->checkpoint_interval() == 0 ? kDefaultCheckpointInterval
                                                           : request->checkpoint_interval();
  return deps_.feed->Subscribe(*std::move(actor), std::move(filter), request->after_position(),
                               interval);
}

}  // namespace casework::services
