#include "clients/cli/client.h"

#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace casework::cli {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::shared_ptr<grpc::Channel> Client::Channel() {
  if (channel_ != nullptr) return channel_;
  grpc::ChannelArguments args;
  // Replies are paged by the server under 4 MiB; leave room for a page.
  args.SetMaxReceiveMessageSize(8 << 20);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!settings_.tls_cert.empty() || !settings_.tls_ca.empty()) {
    grpc::SslCredentialsOptions ssl;
    if (!settings_.tls_ca.empty()) ssl.pem_root_certs = ReadFile(settings_.tls_ca);
    if (!settings_.tls_cert.empty()) ssl.pem_cert_chain = ReadFile(settings_.tls_cert);
    if (!settings_.tls_key.empty()) ssl.pem_private_key = ReadFile(settings_.tls_key);
    credentials = grpc::SslCredentials(ssl);
    if (!settings_.tls_server_name.empty()) {
      args.SetSslTargetNameOverride(settings_.tls_server_name);
    }
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  channel_ = grpc::CreateCustomChannel(settings_.addr, credentials, args);
  return channel_;
}

std::unique_ptr<grpc::ClientContext> Client::Context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-casework-agency", settings_.agency);
  context->AddMetadata("x-casework-user", settings_.user);
  context->AddMetadata("x-casework-role", settings_.role);
  // Where partnerships are spread across instances, the proxy routes on it
  // (docs/scaling.md).
  if (!settings_.partnership.empty()) {
    context->AddMetadata("x-casework-partnership", settings_.partnership);
  }
  if (!settings_.purpose.empty()) context->AddMetadata("x-casework-purpose", settings_.purpose);
  if (!settings_.token_file.empty()) {
    context->AddMetadata("authorization", "Bearer " + Trimmed(ReadFile(settings_.token_file)));
  }
  context->set_deadline(
      std::chrono::system_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(settings_.timeout_seconds * 1000)));
  return context;
}

std::string Client::RequestId() const {
  std::string id = settings_.request_id;
  if (id.empty()) {
    std::random_device random;
    std::mt19937_64 bits((static_cast<uint64_t>(random()) << 32) ^ random());
    static const char kHex[] = "0123456789abcdef";
    id = "casectl-";
    for (int i = 0; i < 16; ++i) id += kHex[bits() % 16];
  }
  if (settings_.verbose) std::cerr << "casectl: request id " << id << "\n";
  return id;
}

std::string ResourceName(const Client& client, const std::string& collection,
                         const std::string& id) {
  if (id.rfind("partnerships/", 0) == 0) return id;
  return client.Parent() + "/" + collection + "/" + id;
}

}  // namespace casework::cli
