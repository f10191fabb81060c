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

// The auth context properties mutual TLS sets on every call: the agency
// the call acts for, and, with bearer tokens configured, the user and role.
inline constexpr char kCertificateAgencyProperty[] = "casework_agency";
inline constexpr char kTokenUserProperty[] = "casework_user";
inline constexpr char kTokenRoleProperty[] = "casework_role";
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

// Server credentials for `tls`: mutual TLS, client certificates required and
// verified, and every call's agency from its certificate; with `tokens`
// (may be null), people from their bearer tokens, as of `clock`'s time.
// FAILED_PRECONDITION if a file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const TlsConfig& tls, std::shared_ptr<const TokenVerifier> tokens, const Clock* clock);


// What mutual TLS established for a call (read from its auth context once):
// the agency it acts for, and with bearer tokens the user and role. Each is
// unset for a call that did not come over mutual TLS (or without tokens).
struct TransportIdentity {
  std::optional<std::string> agency;
  std::optional<std::string> user;
  std::optional<std::string> role;
};
TransportIdentity IdentityOf(const grpc::ServerContextBase& context);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_TRANSPORT_H_
