// Who may call each RPC: the `casework.v1.access` option every RPC declares
// in the contract (proto/casework/v1/access.proto), read once from the
// descriptors and checked for every call.
//
// The call's method reaches the handler through the call guard interceptor
// (services/request_log.h), which stamps it into the call's metadata under
// kMethodKey, replacing anything a client sent under that key.
// ActorFromMetadata (services/call_context.h) checks the caller's role
// against the method's rule, so every handler that learns who is calling is
// checked; the roles-by-methods test proves that every method does.
#ifndef CASEWORK_SERVICES_ROLES_H_
#define CASEWORK_SERVICES_ROLES_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "casework/v1/access.pb.h"
#include "workflow/common/roles.h"

namespace casework::services {

// The metadata key under which the call guard stamps the call's method
// ("/casework.v1.PanelService/ReferCase").
inline constexpr char kMethodKey[] = "x-casework-internal-method";
// ... and, for a detail read, the record its request names (the field its
// rule's audit_resource declares), at most kMaxStampedResource bytes.
inline constexpr char kResourceKey[] = "x-casework-internal-resource";
inline constexpr size_t kMaxStampedResource = 512;
// ... and, when the caller's rate limit refuses the call, how long until it
// may call again, in microseconds (services/rate_limit.h).
inline constexpr char kThrottledKey[] = "x-casework-internal-throttled";
// The user the engine acts as when it delivers the outbox's messages, here
// or at a peer (services/outbox.h).
inline constexpr char kLinksUser[] = "links";
// The header that carries the deployment's link key on outbox deliveries
// between its processes (services/outbox.h).
inline constexpr char kLinkKeyHeader[] = "x-casework-link-key";
// ... and, when the call carried the deployment's link key (an outbox
// delivery from another process of the deployment: services/outbox.h), "1".
inline constexpr char kLinkPeerKey[] = "x-casework-internal-link-peer";
// ... and, when the request names a partnership this instance does not hold
// (services/placement.h), the refusal: its ErrorInfo reason, a tab, its
// message.
inline constexpr char kPlacementKey[] = "x-casework-internal-placement";

using workflow::ParseRole;
using workflow::RoleName;
using workflow::RoleNames;

// The declared rule of `method` ("/casework.v1.PanelService/ReferCase"), or
// null if it is not a casework method or declares none. Read once from the
// descriptors; the rule lives as long as the process.
const v1::MethodAccess* AccessOf(absl::string_view method);

// OK if role `role` may call `method`, whose rule is `rule` (AccessOf).
// UNAUTHENTICATED BAD_IDENTITY for a role that is not a partnership role;
// PERMISSION_DENIED ROLE_NOT_ALLOWED (ErrorInfo metadata "allowed_roles")
// for one the method does not allow, for an engine-only method, and for a
// method with no declaration (`rule` null).
absl::Status CheckRole(absl::string_view method, const v1::MethodAccess* rule,
                       absl::string_view role);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_ROLES_H_
