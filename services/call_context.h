// What a call carries besides its request: the caller's identity and
// correlation ids. Over mutual TLS the agency is the calling system's, from
// its client certificate (services/transport.h); user and role are stated in
// metadata by that authenticated system. In development mode (loopback only)
// all three come from metadata.
//
// Metadata keys:
//   x-casework-agency   required, e.g. "eastbrook-council" (over mutual TLS:
//                       optional, and must be the certificate's agency)
//   x-casework-user     required, e.g. "u1234"
//   x-casework-role     required, e.g. "caseworker" (casework.v1.Role)
//   x-correlation-id    optional; defaults to the request_id
//   x-casework-purpose  required of a person on a detail read (one declaring
//                       audit_resource): why they read it, for the audit log
//
// Without TLS the identity is only asserted by the caller, so caseworkd then
// refuses to listen on anything but a loopback address (IsLoopbackListen).
#ifndef CASEWORK_SERVICES_CALL_CONTEXT_H_
#define CASEWORK_SERVICES_CALL_CONTEXT_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "casework/v1/common.pb.h"

namespace casework::services {

inline constexpr char kAgencyHeader[] = "x-casework-agency";
inline constexpr char kUserHeader[] = "x-casework-user";
inline constexpr char kRoleHeader[] = "x-casework-role";
inline constexpr char kCorrelationHeader[] = "x-correlation-id";
// Why a person reads a record's detail: required on detail reads
// (proto/casework/v1/audit.proto), 1 to workflow::kMaxAuditPurposeChars
// characters.
inline constexpr char kPurposeHeader[] = "x-casework-purpose";
// Trailing metadata set to "true" when a reply is the stored original of an
// earlier call with the same request_id.
inline constexpr char kReplayedTrailer[] = "x-casework-replayed";

// The caller's identity as the call states it (or mutual TLS established
// it): UNAUTHENTICATED naming a missing or bad header, PERMISSION_DENIED
// RESERVED_IDENTITY for the engine's agency. No check of what the call may
// do: for a call ActorFromMetadata already allowed.
absl::StatusOr<v1::Actor> IdentityFromMetadata(const grpc::ServerContextBase& context);

// The caller's identity, within its rate limit (RESOURCE_EXHAUSTED
// RATE_LIMITED with a RetryInfo otherwise), allowed by the role rule the
// call's method declares in the contract (services/roles.h: UNAUTHENTICATED
// for a role that is not a partnership role, PERMISSION_DENIED
// ROLE_NOT_ALLOWED for one the method does not allow), and with a purpose
// for a person's detail read. Every handler calls this (directly or through
// RunCommand, RefuseUnlessAllowed or FinishGet) before it reads or writes
// anything.
absl::StatusOr<v1::Actor> ActorFromMetadata(const grpc::ServerContextBase& context);

// True unless `actor` is a system acting as itself (role "integration").
bool IsPerson(const v1::Actor& actor);

// The value of metadata `key`, or empty.
std::string MetadataValue(const grpc::ServerContextBase& context, absl::string_view key);

// True if `listen` ("HOST:PORT") names a loopback host: localhost,
// 127.0.0.0/8 or [::1].
bool IsLoopbackListen(absl::string_view listen);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_CALL_CONTEXT_H_
