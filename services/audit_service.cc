#include "services/audit_service.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/audit_log.h"
#include "services/paging.h"
#include "services/roles.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {

grpc::ServerUnaryReactor* AuditService::ListAuditEntries(
    grpc::CallbackServerContext* context, const v1::ListAuditEntriesRequest* request,
    v1::ListAuditEntriesResponse* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  return FinishNow(context, List(*request, response));
}

absl::Status AuditService::List(const v1::ListAuditEntriesRequest& request,
                                v1::ListAuditEntriesResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  if (request.resource().size() > kMaxStampedResource) {
    errors.Add("resource", "length",
               absl::StrCat("must be at most ", kMaxStampedResource, " characters"));
  }
  if (request.agency().empty() != request.user().empty()) {
    errors.Add(request.agency().empty() ? "agency" : "user", "required",
               "a person is named by both agency and user");
  }
  if (!request.agency().empty()) workflow::CheckId("agency", request.agency(), errors);
  if (request.user().size() > 128) errors.Add("user", "length", "must be at most 128 characters");
  auto time_of = [](const google::protobuf::Timestamp& t) {
    return absl::FromUnixNanos(google::protobuf::util::TimeUtil::TimestampToNanoseconds(t));
  };
  const std::optional<absl::Time> from =
      request.has_from() ? std::optional<absl::Time>(time_of(request.from())) : std::nullopt;
  const std::optional<absl::Time> to =
      request.has_to() ? std::optional<absl::Time>(time_of(request.to())) : std::nullopt;
  if (from && to && *to <= *from) errors.Add("to", "range", "must be after from");
  PageRequest page = CheckPage(request, errors);
  RETURN_IF_ERROR(errors.ToStatus());

  // The most selective index; each holds whole entries in time order.
  std::string prefix;
  if (!request.resource().empty()) {
    prefix = AuditLog::ResourcePrefix(*partnership, request.resource());
  } else if (!request.agency().empty()) {
    prefix = AuditLog::PersonPrefix(*partnership, request.agency(), request.user());
  } else {
    prefix = AuditLog::AllPrefix(*partnership);
  }
  // A period starts the walk at its first instant (keys are time first).
  if (from && page.start_after.empty()) {
    page.start_after = absl::StrCat(prefix, AuditLog::TimeKey(*from));
  }
  return PageRows(
      *deps_.store, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        ASSIGN_OR_RETURN(absl::Time at, AuditLog::TimeOfKey(row.key));
        if (to && at >= *to) return Visit::kEnd;
        v1::AuditEntry entry;
        if (!entry.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt audit entry ", row.key));
        }
        // A prefix also matches records whose names extend the one asked for.
        if (!request.resource().empty() && entry.resource() != request.resource()) {
          return Visit::kSkipped;
        }
        if (!request.agency().empty() &&
            (entry.actor().agency() != request.agency() || entry.actor().user() != request.user())) {
          return Visit::kSkipped;
        }
        *response->add_entries() = std::move(entry);
        return Visit::kTaken;
      },
      response);
}

}  // namespace casework::services
