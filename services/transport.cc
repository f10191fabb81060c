#include "services/transport.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/call_context.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", what, " ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs on every call of a mutual TLS connection, before the service: maps
// the certificate's DNS names to the agency the system acts for.
class CertificateIdentity final : public grpc::AuthMetadataProcessor {
 public:
  explicit CertificateIdentity(std::map<std::string, std::string> agencies)
      : agencies_(std::move(agencies)) {}

  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context,
                       OutputMetadata*, OutputMetadata*) override {
    std::vector<std::string> names;
    const std::string* agency = nullptr;
    for (const grpc::string_ref& san : context->FindPropertyValues("x509_subject_alternative_name")) {
      names.emplace_back(san.data(), san.size());
      auto it = agencies_.find(names.back());
      if (it != agencies_.end() && agency == nullptr) agency = &it->second;
    }
    if (agency == nullptr) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("the client certificate (",
                                       names.empty() ? "no DNS names" : absl::StrJoin(names, ", "),
                                       ") names no calling system of this partnership"));
    }
    auto claimed = metadata.find(kAgencyHeader);
    if (claimed != metadata.end() &&
        absl::string_view(claimed->second.data(), claimed->second.size()) != *agency) {
      return grpc::Status(
          grpc::StatusCode::UNAUTHENTICATED,
          absl::StrCat("the client certificate acts for ", *agency, ", not for ",
                       workflow::Quoted(absl::string_view(claimed->second.data(),
                                                          claimed->second.size()))));
    }
    context->AddProperty(kCertificateAgencyProperty, *agency);
    return grpc::Status::OK;
  }

 private:
  const std::map<std::string, std::string> agencies_;
};

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ParseAgencyMap(absl::string_view text) {
  std::map<std::string, std::string> agencies;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "agency map line ", number, ": expected \"DNS-NAME AGENCY\", got ",
          workflow::Quoted(line)));
    }
    if (!workflow::IsValidId(fields[1])) {
      return absl::InvalidArgumentError(absl::StrCat("agency map line ", number, ": ",
                                                     workflow::Quoted(fields[1]),
                                                     " is not an agency identifier"));
    }
    if (!agencies.emplace(std::string(fields[0]), std::string(fields[1])).second) {
      return absl::InvalidArgumentError(absl::StrCat("agency map line ", number, ": ",
                                                     workflow::Quoted(fields[0]),
                                                     " is mapped twice"));
    }
  }
  return agencies;
}

absl::StatusOr<TlsConfig> LoadTlsConfig(const std::string& cert_file, const std::string& key_file,
                                        const std::string& client_ca_file,
                                        const std::string& agency_map_file) {
  TlsConfig tls{cert_file, key_file, client_ca_file, {}};
  absl::StatusOr<std::string> map = ReadFile(agency_map_file, "agency map");
  if (!map.ok()) return map.status();
  absl::StatusOr<std::map<std::string, std::string>> agencies = ParseAgencyMap(*map);
  if (!agencies.ok()) return agencies.status();
  if (agencies->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("agency map ", agency_map_file, " maps no calling system"));
  }
  tls.agencies = *std::move(agencies);
  return tls;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const TlsConfig& tls) {
  absl::StatusOr<std::string> cert = ReadFile(tls.cert_file, "server certificate");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(tls.key_file, "server key");
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> ca = ReadFile(tls.client_ca_file, "client CA");
  if (!ca.ok()) return ca.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = *ca;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::SslServerCredentials(options);
  credentials->SetAuthMetadataProcessor(std::make_shared<CertificateIdentity>(tls.agencies));
  return credentials;
}

std::optional<std::string> CertificateAgency(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return std::nullopt;
  std::vector<grpc::string_ref> values = auth->FindPropertyValues(kCertificateAgencyProperty);
  if (values.empty()) return std::nullopt;
  return std::string(values.front().data(), values.front().size());
}

}  // namespace casework::services
