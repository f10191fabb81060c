// How callers reach caseworkd and who they are at the transport level.
//
// Two modes:
//   * Mutual TLS (TransportConfig::tls set): every connection presents a
//     client certificate signed by the partnership's CA (a connection without
//     one, or with one the CA did not sign, fails its handshake). A DNS name
//     in the certificate's subject alternative names is mapped by the
//     operator to the agency that calling system acts for; a call whose
//     certificate names no mapped system is UNAUTHENTICATED, and so is one
//     whose x-casework-agency header names another agency. gRPC's TLS stack
//     negotiates TLS 1.2 or 1.3 only.
//     With bearer tokens configured (services/tokens.h), a call carrying
//     "authorization: Bearer <JWT>" acts as the person the token names (its
//     user, agency and one of its roles, chosen by x-casework-role when it
//     grants several); the token's agency must be the system's own unless
//     the system may act for any agency (the thin clients). A call without
//     a token acts as the system itself: user its DNS name, role
//     "integration". Without tokens configured, user and role come from
//     the authenticated system's metadata.
//   * Development (no TLS): the caller's agency is whatever its metadata
//     says. Only on a loopback address, and announced at start-up.
#ifndef CASEWORK_SERVICES_TRANSPORT_H_
#define CASEWORK_SERVICES_TRANSPORT_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/tokens.h"
#include "storage/clock.h"

namespace casework::services {

struct TlsConfig {
  // PEM files: the server's certificate chain and private key, and the
  // partnership CA that signs calling systems' certificates.
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  // A DNS name of a client certificate (subject alternative name) -> the
  // agency that system acts for, e.g. "police-link.shire.example" ->
  // "shire-police".
  std::map<std::string, std::string> agencies;
  // The systems whose people may belong to any agency (the thin clients).
  std::set<std::string> any_agency;
};

// The role of a system calling without a person's token.
inline constexpr char kIntegrationRole[] = "integration";

// Reads an agency map into `tls`: one "DNS-NAME AGENCY" line per system,
// with a third word "any" for a system whose people may belong to any
// agency; blank lines and lines starting with '#' are skipped.
// INVALID_ARGUMENT naming the line for anything else, for an agency that is
// not an identifier, or for a name mapped twice.
absl::Status ParseAgencyMap(absl::string_view text, TlsConfig* tls);

// Loads the TLS files of `files` (cert, key, CA, and the agency map at
// `agency_map_file`): FAILED_PRECONDITION naming a file that cannot be read.
absl::StatusOr<TlsConfig> LoadTlsConfig(const std::string& cert_file, const std::string& key_file,
                                        const std::string& client_ca_file,
                                        const std::string& agency_map_file);

// What mutual TLS establishes for a call: the agency it acts for, and with
// bearer tokens the user and role. Each is unset for a call that did not
// come over mutual TLS (or without tokens).
struct TransportIdentity {
  std::optional<std::string> agency;
  std::optional<std::string> user;
  std::optional<std::string> role;
};

// Who a call over mutual TLS is, from its connection's certificate and its
// own metadata. Only reads the connection's auth context: a connection
// carries many calls at once, of different people (the thin clients), so
// nothing of one call is ever written where another could see it.
class TransportIdentityResolver {
 public:
  // 32 random bytes from OpenSSL's generator, hex.
  static std::string NewInProcessKey();

  // With `tokens` (may be null), people from their bearer tokens, as of
  // `clock`'s time.
  TransportIdentityResolver(TlsConfig tls, std::shared_ptr<const TokenVerifier> tokens,
                            const Clock* clock)
      : tls_(std::move(tls)),
        tokens_(std::move(tokens)),
        clock_(clock),
        in_process_key_(NewInProcessKey()) {}

  const TlsConfig& tls() const { return tls_; }

  // A random key made at start that never leaves the process. The server's
  // in-process channel (CaseworkServer::InProcessChannel: the demo loader)
  // sends it under kInProcessKeyHeader; a call carrying it has no
  // certificate and states its identity in metadata, as the development
  // identity does. Nothing outside the process can know it.
  const std::string& in_process_key() const { return in_process_key_; }

  // True if `metadata` carries this process's in-process key.
  bool FromThisProcess(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const;

  // The calling system's DNS name, from the certificate of `auth`'s
  // connection; UNAUTHENTICATED if it names no mapped system.
  absl::StatusOr<std::string> System(const grpc::AuthContext& auth) const;

  // The call's identity: UNAUTHENTICATED (no mapped system; a bad, expired
  // or foreign token; an x-casework-agency naming another agency) or
  // PERMISSION_DENIED (a person of another agency; a role the token does
  // not grant).
  // `auth` is null for a call without a TLS connection (the in-process
  // channel's): UNAUTHENTICATED unless it carries the in-process key.
  absl::StatusOr<TransportIdentity> Resolve(
      const grpc::AuthContext* auth,
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const;

 private:
  const TlsConfig tls_;
  const std::shared_ptr<const TokenVerifier> tokens_;
  const Clock* const clock_;
  const std::string in_process_key_;
};

// The header of the in-process key (TransportIdentityResolver::in_process_key).
inline constexpr char kInProcessKeyHeader[] = "x-casework-internal-process-key";

// Server credentials for mutual TLS: client certificates required and
// verified, and a call whose certificate names no system of `resolver`'s
// map refused before it reaches a service. FAILED_PRECONDITION if a file
// cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    std::shared_ptr<const TransportIdentityResolver> resolver);

// Channel credentials with which this server calls the other processes of
// its deployment (the outbox's peers): its own certificate and key, and
// `tls.client_ca_file` as the roots it trusts (one partnership CA signs
// them all). FAILED_PRECONDITION naming a file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PeerChannelCredentials(
    const TlsConfig& tls);

// The identity the call guard resolved for this call (services/request_log.h
// stamps it into the call's metadata, replacing anything a client sent under
// those keys), or the error that refused it. All unset without TLS.
inline constexpr char kIdentityAgencyKey[] = "x-casework-internal-agency";
inline constexpr char kIdentityUserKey[] = "x-casework-internal-user";
inline constexpr char kIdentityRoleKey[] = "x-casework-internal-role";
inline constexpr char kIdentityErrorKey[] = "x-casework-internal-identity-error";
absl::StatusOr<TransportIdentity> IdentityOf(const grpc::ServerContextBase& context);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_TRANSPORT_H_
