#include "services/transport.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/call_context.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

absl::string_view View(const grpc::string_ref& s) { return absl::string_view(s.data(), s.size()); }

// The value of metadata `key`, or empty.
absl::string_view Header(const grpc::AuthMetadataProcessor::InputMetadata& metadata,
                         absl::string_view key) {
  for (const auto& [k, v] : metadata) {
    if (View(k) == key) return View(v);
  }
  return {};
}

// Runs on every call of a mutual TLS connection, before the service: maps
// the certificate's DNS names to the calling system and its agency, and a
// bearer token to the person calling through it.
class CertificateIdentity final : public grpc::AuthMetadataProcessor {
 public:
  CertificateIdentity(TlsConfig tls, std::shared_ptr<const TokenVerifier> tokens,
                      const Clock* clock)
      : tls_(std::move(tls)), tokens_(std::move(tokens)), clock_(clock) {}

  // Map lookups and, for a token, one signature check: no I/O, so it runs
  // on gRPC's own thread rather than a pool's.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context,
                       OutputMetadata*, OutputMetadata*) override {
    std::vector<std::string> names;
    const std::string* system = nullptr;
    const std::string* agency = nullptr;
    for (const grpc::string_ref& san : context->FindPropertyValues("x509_subject_alternative_name")) {
      names.emplace_back(san.data(), san.size());
      auto it = tls_.agencies.find(names.back());
      if (it != tls_.agencies.end() && agency == nullptr) {
        system = &it->first;
        agency = &it->second;
      }
    }
    if (agency == nullptr) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("the client certificate (",
                                       names.empty() ? "no DNS names" : absl::StrJoin(names, ", "),
                                       ") names no calling system of this partnership"));
    }
    std::string acting_agency = *agency;
    if (tokens_ != nullptr) {
      std::string user = *system;
      std::string role = kIntegrationRole;
      absl::string_view authorization = Header(metadata, "authorization");
      if (!authorization.empty()) {
        if (!absl::ConsumePrefix(&authorization, "Bearer ")) {
          return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                              "the authorization header must be \"Bearer <token>\"");
        }
        absl::StatusOr<Person> person = tokens_->Verify(std::string(authorization), clock_->Now());
        if (!person.ok()) {
          return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                              std::string(person.status().message()));
        }
        if (person->agency != *agency && tls_.any_agency.count(*system) == 0) {
          return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                              absl::StrCat("system ", *system, " acts for ", *agency,
                                           ", not for people of ", person->agency));
        }
        absl::string_view wanted = Header(metadata, kRoleHeader);
        if (wanted.empty() && person->roles.size() > 1) {
          return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                              "the token grants several roles: name one in x-casework-role");
        }
        if (wanted.empty()) wanted = person->roles.front();
        if (std::find(person->roles.begin(), person->roles.end(), wanted) == person->roles.end()) {
          return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                              absl::StrCat("the token does not grant role ",
                                           workflow::Quoted(wanted)));
        }
        user = person->user;
        role = std::string(wanted);
        acting_agency = person->agency;
      }
      context->AddProperty(kTokenUserProperty, user);
      context->AddProperty(kTokenRoleProperty, role);
    }
    absl::string_view claimed = Header(metadata, kAgencyHeader);
    if (!claimed.empty() && claimed != acting_agency) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat(tokens_ != nullptr && acting_agency != *agency
                                           ? "the bearer token acts for "
                                           : "the client certificate acts for ",
                                       acting_agency, ", not for ", workflow::Quoted(claimed)));
    }
    context->AddProperty(kCertificateAgencyProperty, acting_agency);
    return grpc::Status::OK;
  }

 private:
  const TlsConfig tls_;
  const std::shared_ptr<const TokenVerifier> tokens_;
  const Clock* clock_;
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
      return absl::InvalidArgumentError(absl::StrCat(
          "agency map line ", number, ": expected \"DNS-NAME AGENCY\" or \"DNS-NAME AGENCY any\", got ",
          workflow::Quoted(line)));
    }
    if (!workflow::IsValidId(fields[1])) {
      return absl::InvalidArgumentError(absl::StrCat("agency map line ", number, ": ",
                                                     workflow::Quoted(fields[1]),
                                                     " is not an agency identifier"));
    }
    if (!tls->agencies.emplace(std::string(fields[0]), std::string(fields[1])).second) {
      return absl::InvalidArgumentError(absl::StrCat("agency map line ", number, ": ",
                                                     workflow::Quoted(fields[0]),
                                                     " is mapped twice"));
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

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const TlsConfig& tls, std::shared_ptr<const TokenVerifier> tokens, const Clock* clock) {
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
  credentials->SetAuthMetadataProcessor(
      std::make_shared<CertificateIdentity>(tls, std::move(tokens), clock));
  return credentials;
}

TransportIdentity IdentityOf(const grpc::ServerContextBase& context) {
  TransportIdentity identity;
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return identity;
  auto first = [&](const char* property) -> std::optional<std::string> {
    std::vector<grpc::string_ref> values = auth->FindPropertyValues(property);
    if (values.empty()) return std::nullopt;
    return std::string(values.front().data(), values.front().size());
  };
  identity.agency = first(kCertificateAgencyProperty);
  identity.user = first(kTokenUserProperty);
  identity.role = first(kTokenRoleProperty);
  return identity;
}

}  // namespace casework::services
