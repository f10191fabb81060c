#include "services/call_context.h"

#include <optional>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "casework/v1/errors.pb.h"
#include "google/protobuf/util/time_util.h"
#include "services/roles.h"
#include "services/transport.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/context.h"
#include "workflow/policy/document.h"
#include "workflow/registry.h"

namespace casework::services {

std::string MetadataValue(const grpc::ServerContextBase& context, absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<v1::Actor> IdentityFromMetadata(const grpc::ServerContextBase& context) {
  v1::Actor actor;
  // Over mutual TLS the agency is the one established for the call (a
  // differing header was refused before the call got here); with bearer
  // tokens, so are the user and role (the token's person's, or the calling
  // system's own without a token).
  absl::StatusOr<TransportIdentity> resolved = IdentityOf(context);
  if (!resolved.ok()) return resolved.status();
  const TransportIdentity& established = *resolved;
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

namespace {

// True if `method` ("/casework.v1.PanelService/ReceiveRecommendation") is
// the target of an outbox route of a registered workflow.
bool IsOutboxTarget(absl::string_view method) {
  static const auto* targets = [] {
    auto* set = new std::set<std::string>();
    for (const workflow::Workflow* w : workflow::Workflows().workflows()) {
      for (const workflow::OutboxRoute& route : w->outbox()) {
        set->insert(absl::StrCat("/", route.target_method));
      }
    }
    return set;
  }();
  return targets->count(std::string(method)) > 0;
}

}  // namespace

absl::StatusOr<v1::Actor> ActorFromMetadata(const grpc::ServerContextBase& context) {
  // An outbox delivery from another process of the deployment (the call
  // guard checked its link key): it runs as the engine, as it would have
  // in one process.
  if (MetadataValue(context, kLinkPeerKey) == "1") {
    // The key opens the outbox's targets and the engine-only commands, no
    // other method.
    const std::string method = MetadataValue(context, kMethodKey);
    const v1::MethodAccess* rule = AccessOf(method);
    if ((rule == nullptr || !rule->engine_only()) && !IsOutboxTarget(method)) {
      return ErrorWithReason(absl::StatusCode::kPermissionDenied, "ROLE_NOT_ALLOWED",
                             absl::StrCat("the link key is for outbox deliveries; ", method,
                                          " is not one"));
    }
    return workflow::EngineActor(kLinksUser);
  }
  ASSIGN_OR_RETURN(v1::Actor actor, IdentityFromMetadata(context));
  // A partnership another instance holds (services/placement.h): said only
  // to an identified caller, since it names the deployment's instances.
  if (const std::string refusal = MetadataValue(context, kPlacementKey); !refusal.empty()) {
    const size_t tab = refusal.find('\t');
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, refusal.substr(0, tab),
                           tab == std::string::npos ? refusal : refusal.substr(tab + 1));
  }
  // The caller's rate limit (services/rate_limit.h), taken by the call guard.
  if (const std::string wait = MetadataValue(context, kThrottledKey); !wait.empty()) {
    int64_t micros = 0;
    if (!absl::SimpleAtoi(wait, &micros)) micros = 1000000;
    absl::Status limited = ErrorWithReason(
        absl::StatusCode::kResourceExhausted, "RATE_LIMITED",
        absl::StrCat("too many calls from ", actor.agency(), "/", actor.user(),
                     ": try again in ", (micros + 999) / 1000, " ms"));
    v1::RetryInfo retry;
    *retry.mutable_retry_delay() = google::protobuf::util::TimeUtil::MicrosecondsToDuration(micros);
    AttachDetail(limited, retry);
    return limited;
  }
  // The method's declared roles (services/roles.h).
  const std::string method = MetadataValue(context, kMethodKey);
  const v1::MethodAccess* rule = AccessOf(method);
  RETURN_IF_ERROR(CheckRole(method, rule, actor.role()));
  // A person reading a record's detail says why (recorded in the audit log).
  if (IsPerson(actor) && !rule->audit_resource().empty()) {
    const std::string purpose = MetadataValue(context, kPurposeHeader);
    if (purpose.empty() || purpose.size() > workflow::kMaxAuditPurposeChars) {
      return FieldError(kPurposeHeader, purpose.empty() ? "required" : "length",
                        absl::StrCat("this read is recorded in the audit log: state its purpose "
                                     "in metadata \"x-casework-purpose\", 1-",
                                     workflow::kMaxAuditPurposeChars, " characters"));
    }
  }
  return actor;
}

bool IsPerson(const v1::Actor& actor) { return actor.role() != kIntegrationRole; }

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
