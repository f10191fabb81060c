#include "services/outbox_service.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/outbox.h"
#include "services/paging.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

v1::OutboxMessage ToProto(const OutboxMessageStatus& m) {
  v1::OutboxMessage out;
  out.set_key(m.key);
  out.set_route(m.route);
  out.set_target_method(m.target_method);
  out.set_request_id(m.request_id);
  out.set_peer(m.peer);
  out.set_attempts(m.attempts);
  out.set_last_error(m.last_error);
  if (!m.parked && m.next_attempt != absl::InfinitePast()) {
    *out.mutable_next_attempt_time() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(m.next_attempt));
  }
  out.set_parked(m.parked);
  return out;
}

absl::Status NoOutbox() {
  return absl::UnavailableError("this server delivers no outbox messages");
}

}  // namespace

grpc::ServerUnaryReactor* OutboxService::ListOutboxMessages(
    grpc::CallbackServerContext* context, const v1::ListOutboxMessagesRequest* request,
    v1::ListOutboxMessagesResponse* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  return FinishNow(context, List(*request, response));
}

grpc::ServerUnaryReactor* OutboxService::RetryOutboxMessage(
    grpc::CallbackServerContext* context, const v1::RetryOutboxMessageRequest* request,
    v1::OutboxMessage* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  return FinishNow(context, Retry(*request, response));
}

absl::Status OutboxService::List(const v1::ListOutboxMessagesRequest& request,
                                 v1::ListOutboxMessagesResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  PageRequest page = CheckPage(request, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  if (deps_.outbox == nullptr) return NoOutbox();
  ASSIGN_OR_RETURN(std::vector<OutboxMessageStatus> messages,
                   deps_.outbox->List(*partnership, page.start_after, page.page_size + 1));
  const bool more = static_cast<int>(messages.size()) > page.page_size;
  if (more) messages.resize(page.page_size);
  for (const OutboxMessageStatus& m : messages) *response->add_messages() = ToProto(m);
  if (more) response->set_next_page_token(PageToken(page, messages.back().key));
  return absl::OkStatus();
}

absl::Status OutboxService::Retry(const v1::RetryOutboxMessageRequest& request,
                                  v1::OutboxMessage* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  if (request.key().empty()) {
    errors.Add("key", "required", "name the message (OutboxMessage.key)");
  } else if (request.key().size() > 512) {
    errors.Add("key", "length", "must be at most 512 characters");
  }
  RETURN_IF_ERROR(errors.ToStatus());
  if (deps_.outbox == nullptr) return NoOutbox();
  RETURN_IF_ERROR(deps_.outbox->Retry(*partnership, request.key()));
  ASSIGN_OR_RETURN(OutboxMessageStatus message, deps_.outbox->Get(*partnership, request.key()));
  *response = ToProto(message);
  return absl::OkStatus();
}

}  // namespace casework::services
