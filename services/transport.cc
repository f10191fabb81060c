#include "services/transport.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "openssl/crypto.h"
#include "openssl/rand.h"
#include "services/call_context.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

absl::string_view View(const grpc::string_ref& s) { return absl::string_view(s.data(), s.size()); }

// The value of metadata `key`, or empty.
absl::string_view Header(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                         absl::string_view key) {
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  return it == metadata.end() ? absl::string_view() : View(it->second);
}

// Runs on every call of a mutual TLS connection, before the service: refuses
// a certificate that names no calling system. It only reads the auth
// context, which is the connection's (shared by all its calls); the call's
// own identity is resolved by the call guard (TransportIdentityResolver).
class CertificateCheck final : public grpc::AuthMetadataProcessor {
 public:
  explicit CertificateCheck(std::shared_ptr<const TransportIdentityResolver> resolver)
      : resolver_(std::move(resolver)) {}

  // Map lookups only: it runs on gRPC's own thread rather than a pool's.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context, OutputMetadata*,
                       OutputMetadata*) override {
    if (resolver_->FromThisProcess(metadata)) return grpc::Status::OK;
    absl::StatusOr<std::string> system = resolver_->System(*context);
    if (!system.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          std::string(system.status().message()));
    }
    return grpc::Status::OK;
  }

 private:
  const std::shared_ptr<const TransportIdentityResolver> resolver_;
};

}  // namespace

absl::Status ParseAgencyMap(absl::string_view text, TlsConfig* tls) {
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (fields.size() < 2 || fields.size() > 3 || (fields.size() == 3 && fields[2] != "any")) {
      return absl::InvalidArgumentError(
          absl::StrCat("agency map line ", number,
                       ": expected \"DNS-NAME AGENCY\" or \"DNS-NAME AGENCY any\", got ",
                       workflow::Quoted(line)));
    }
    if (!workflow::IsValidId(fields[1])) {
      return absl::InvalidArgumentError(absl::StrCat("agency map line ", number, ": ",
                                                     workflow::Quoted(fields[1]),
                                                     " is not an agency identifier"));
    }
    if (!tls->agencies.emplace(std::string(fields[0]), std::string(fields[1])).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "agency map line ", number, ": ", workflow::Quoted(fields[0]), " is mapped twice"));
    }
    if (fields.size() == 3) tls->any_agency.insert(std::string(fields[0]));
  }
  return absl::OkStatus();
}

absl::StatusOr<TlsConfig> LoadTlsConfig(const std::string& cert_file, const std::string& key_file,
                                        const std::string& client_ca_file,
                                        const std::string& agency_map_file) {
  TlsConfig tls{cert_file, key_file, client_ca_file, {}, {}};
  absl::StatusOr<std::string> map = ReadTextFile(agency_map_file, "agency map");
  if (!map.ok()) return map.status();
  if (absl::Status parsed = ParseAgencyMap(*map, &tls); !parsed.ok()) return parsed;
  if (tls.agencies.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("agency map ", agency_map_file, " maps no calling system"));
  }
  return tls;
}

std::string TransportIdentityResolver::NewInProcessKey() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // No randomness: no key anything could present (FromThisProcess refuses
    // an empty one).
    return std::string();
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

bool TransportIdentityResolver::FromThisProcess(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const {
  const absl::string_view presented = Header(metadata, kInProcessKeyHeader);
  return !in_process_key_.empty() && presented.size() == in_process_key_.size() &&
         CRYPTO_memcmp(presented.data(), in_process_key_.data(), presented.size()) == 0;
}

absl::StatusOr<std::string> TransportIdentityResolver::System(const grpc::AuthContext& auth) const {
  std::vector<std::string> names;
  for (const grpc::string_ref& san : auth.FindPropertyValues("x509_subject_alternative_name")) {
    names.emplace_back(san.data(), san.size());
    if (tls_.agencies.count(names.back()) > 0) return names.back();
  }
  return absl::UnauthenticatedError(absl::StrCat(
      "the client certificate (", names.empty() ? "no DNS names" : absl::StrJoin(names, ", "),
      ") names no calling system of this partnership"));
}

absl::StatusOr<TransportIdentity> TransportIdentityResolver::Resolve(
    const grpc::AuthContext* auth,
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const {
  if (FromThisProcess(metadata)) {
    // The process's own caller states who it acts as.
    TransportIdentity identity;
    identity.agency = std::string(Header(metadata, kAgencyHeader));
    identity.user = std::string(Header(metadata, kUserHeader));
    identity.role = std::string(Header(metadata, kRoleHeader));
    return identity;
  }
  if (auth == nullptr) return absl::UnauthenticatedError("the call has no TLS connection");
  absl::StatusOr<std::string> system = System(*auth);
  if (!system.ok()) return system.status();
  const std::string& agency = tls_.agencies.at(*system);
  TransportIdentity identity;
  identity.agency = agency;
  if (tokens_ != nullptr) {
    identity.user = *system;
    identity.role = kIntegrationRole;
    absl::string_view authorization = Header(metadata, "authorization");
    if (!authorization.empty()) {
      if (!absl::ConsumePrefix(&authorization, "Bearer ")) {
        return absl::UnauthenticatedError("the authorization header must be \"Bearer <token>\"");
      }
      absl::StatusOr<Person> person = tokens_->Verify(std::string(authorization), clock_->Now());
      if (!person.ok()) return absl::UnauthenticatedError(person.status().message());
      if (person->agency != agency && tls_.any_agency.count(*system) == 0) {
        return absl::PermissionDeniedError(absl::StrCat("system ", *system, " acts for ", agency,
                                                        ", not for people of ", person->agency));
      }
      absl::string_view wanted = Header(metadata, kRoleHeader);
      if (wanted.empty() && person->roles.size() > 1) {
        return absl::UnauthenticatedError(
            "the token grants several roles: name one in x-casework-role");
      }
      if (wanted.empty()) wanted = person->roles.front();
      if (std::find(person->roles.begin(), person->roles.end(), wanted) == person->roles.end()) {
        return absl::PermissionDeniedError(
            absl::StrCat("the token does not grant role ", workflow::Quoted(wanted)));
      }
      identity.user = person->user;
      identity.role = std::string(wanted);
      identity.agency = person->agency;
    }
  }
  absl::string_view claimed = Header(metadata, kAgencyHeader);
  if (!claimed.empty() && claimed != *identity.agency) {
    return absl::UnauthenticatedError(absl::StrCat(
        tokens_ != nullptr && *identity.agency != agency ? "the bearer token acts for "
                                                         : "the client certificate acts for ",
        *identity.agency, ", not for ", workflow::Quoted(claimed)));
  }
  return identity;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    std::shared_ptr<const TransportIdentityResolver> resolver) {
  const TlsConfig& tls = resolver->tls();
  absl::StatusOr<std::string> cert = ReadTextFile(tls.cert_file, "server certificate");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadTextFile(tls.key_file, "server key");
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> ca = ReadTextFile(tls.client_ca_file, "client CA");
  if (!ca.ok()) return ca.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = *ca;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::SslServerCredentials(options);
  credentials->SetAuthMetadataProcessor(std::make_shared<CertificateCheck>(std::move(resolver)));
  return credentials;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PeerChannelCredentials(
    const TlsConfig& tls) {
  grpc::SslCredentialsOptions options;
  ASSIGN_OR_RETURN(options.pem_cert_chain, ReadTextFile(tls.cert_file, "server certificate"));
  ASSIGN_OR_RETURN(options.pem_private_key, ReadTextFile(tls.key_file, "server key"));
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadTextFile(tls.client_ca_file, "client CA"));
  return grpc::SslCredentials(options);
}

absl::StatusOr<TransportIdentity> IdentityOf(const grpc::ServerContextBase& context) {
  if (const std::string error = MetadataValue(context, kIdentityErrorKey); !error.empty()) {
    // "CODE:message", as the call guard wrote it.
    const size_t colon = error.find(':');
    int code = static_cast<int>(absl::StatusCode::kUnauthenticated);
    if (colon == std::string::npos || !absl::SimpleAtoi(error.substr(0, colon), &code)) {
      return absl::UnauthenticatedError(error);
    }
    return absl::Status(static_cast<absl::StatusCode>(code), error.substr(colon + 1));
  }
  TransportIdentity identity;
  auto stamped = [&](const char* key) -> std::optional<std::string> {
    std::string value = MetadataValue(context, key);
    if (value.empty()) return std::nullopt;
    return value;
  };
  identity.agency = stamped(kIdentityAgencyKey);
  identity.user = stamped(kIdentityUserKey);
  identity.role = stamped(kIdentityRoleKey);
  return identity;
}

}  // namespace casework::services
