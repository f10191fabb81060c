// casectl's connection to caseworkd: where it is, who the caller is, and a
// call context carrying that identity. Settings come from flags, then the
// environment (CASEWORK_ADDR, CASEWORK_AGENCY, ...), then the config file
// (~/.config/casework/casectl.toml), then the defaults: the local server of
// the README's first command, acting as a council caseworker.
#ifndef CASEWORK_CLIENTS_CLI_CLIENT_H_
#define CASEWORK_CLIENTS_CLI_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

namespace casework::cli {

enum class Output { kTable, kJson, kCsv };

struct Settings {
  std::string addr = "127.0.0.1:50051";
  std::string partnership = "eastbrook";
  // The identity of the development mode (loopback), or the person a
  // system's certificate vouches for.
  std::string agency = "eastbrook-council";
  std::string user = "casectl";
  std::string role = "caseworker";
  // Why the caller reads a case's detail: recorded in the audit log.
  std::string purpose = "casework";
  // Mutual TLS: the partnership CA and this client's certificate and key
  // (PEM files); a file holding a bearer token for the person.
  std::string tls_ca, tls_cert, tls_key, token_file;
  // The name the server's certificate must carry, when it is not the host
  // of `addr` (a probe connecting to 127.0.0.1).
  std::string tls_server_name;
  Output output = Output::kTable;
  // The request_id of the command (default: a fresh one); printed with
  // verbose.
  std::string request_id;
  bool verbose = false;
  double timeout_seconds = 30;
};

class Client {
 public:
  explicit Client(const Settings& settings) : settings_(settings) {}

  const Settings& settings() const { return settings_; }
  // "partnerships/{partnership}".
  std::string Parent() const { return "partnerships/" + settings_.partnership; }

  // The channel, made on first use (plaintext, or mutual TLS when a client
  // certificate is set).
  std::shared_ptr<grpc::Channel> Channel();

  // A context carrying the identity, the purpose and a deadline.
  std::unique_ptr<grpc::ClientContext> Context() const;

  // The request id for the next command: --request-id, or a fresh random
  // one; printed to stderr with --verbose.
  std::string RequestId() const;

 private:
  const Settings settings_;
  std::shared_ptr<grpc::Channel> channel_;
};

// "partnerships/{p}/{collection}/{id}" for a bare number or id, `id`
// itself when it is already a resource name.
std::string ResourceName(const Client& client, const std::string& collection,
                         const std::string& id);

}  // namespace casework::cli

#endif  // CASEWORK_CLIENTS_CLI_CLIENT_H_
