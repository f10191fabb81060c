#include "services/call_context.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/transport.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/context.h"

namespace casework::services {

std::string MetadataValue(const grpc::ServerContextBase& context, absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<v1::Actor> ActorFromMetadata(const grpc::ServerContextBase& context) {
  v1::Actor actor;
  // Over mutual TLS the agency is the one established for the call (a
  // differing header was refused before the call got here); with bearer
  // tokens, so are the user and role (the token's person's, or the calling
  // system's own without a token).
  const TransportIdentity established = IdentityOf(context);
  actor.set_agency(established.agency.value_or(MetadataValue(context, kAgencyHeader)));
  actor.set_user(established.user.value_or(MetadataValue(context, kUserHeader)));
  actor.set_role(established.role.value_or(MetadataValue(context, kRoleHeader)));
  for (auto [key, value] : {std::pair<const char*, const std::string*>{kAgencyHeader, &actor.agency()},
                            {kUserHeader, &actor.user()},
                            {kRoleHeader, &actor.role()}}) {
    if (value->empty()) {
      return ErrorWithReason(absl::StatusCode::kUnauthenticated, "MISSING_IDENTITY",
                             absl::StrCat("metadata \"", key,
                                          "\" is required: set x-casework-agency, "
                                          "x-casework-user and x-casework-role"));
    }
    if (value->size() > 128) {
      return ErrorWithReason(absl::StatusCode::kUnauthenticated, "BAD_IDENTITY",
                             absl::StrCat("metadata \"", key, "\" is longer than 128 characters"));
    }
  }
  if (!workflow::IsValidId(actor.agency())) {
    return ErrorWithReason(absl::StatusCode::kUnauthenticated, "BAD_IDENTITY",
                           absl::StrCat("metadata \"", kAgencyHeader, "\" value \"", actor.agency(),
                                        "\" is not an agency identifier (a-z, 0-9, '-')"));
  }
  if (actor.agency() == workflow::kEngineAgency) {
    return ErrorWithReason(absl::StatusCode::kPermissionDenied, "RESERVED_IDENTITY",
                           absl::StrCat("agency \"", workflow::kEngineAgency,
                                        "\" is reserved for the engine itself"));
  }
  return actor;
}

bool IsLoopbackListen(absl::string_view listen) {
  absl::string_view host = listen;
  if (absl::StartsWith(host, "[")) {
    size_t close = host.find(']');
    if (close == absl::string_view::npos) return false;
    return host.substr(1, close - 1) == "::1";
  }
  size_t colon = host.rfind(':');
  if (colon != absl::string_view::npos) host = host.substr(0, colon);
  return host == "localhost" || absl::StartsWith(host, "127.");
}

}  // namespace casework::services
