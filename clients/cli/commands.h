// casectl's commands, by area. Each registers its subcommands on the app;
// a subcommand's callback makes its calls through the Cli's client and
// leaves the exit code (clients/cli/errors.h) in Cli::exit.
#ifndef CASEWORK_CLIENTS_CLI_COMMANDS_H_
#define CASEWORK_CLIENTS_CLI_COMMANDS_H_

#include <grpcpp/grpcpp.h>

#include <iostream>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "clients/cli/client.h"
#include "clients/cli/errors.h"

namespace casework::cli {

struct Cli {
  Settings settings;
  int exit = kOk;
  std::ostream* out = &std::cout;
  std::ostream* err = &std::cerr;
  std::unique_ptr<Client> client;

  // The client for the settings parsed (made on first use).
  Client& Connect() {
    if (client == nullptr) client = std::make_unique<Client>(settings);
    return *client;
  }
  bool table() const { return settings.output == Output::kTable; }
  bool json() const { return settings.output == Output::kJson; }
};

// Calls `method` on a new stub of `Service` with `request`; on failure
// reports it and sets cli.exit, returning false.
template <typename Service, typename Stub, typename Request, typename Response>
bool Call(Cli& cli, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
          const Request& request, Response* response) {
  Client& client = cli.Connect();
  auto stub = Service::NewStub(client.Channel());
  std::unique_ptr<grpc::ClientContext> context = client.Context();
  grpc::Status status = (stub.get()->*method)(context.get(), request, response);
  if (!status.ok()) {
    cli.exit = Report(status, *cli.err);
    return false;
  }
  if (cli.settings.verbose) {
    auto replayed = context->GetServerTrailingMetadata().find("x-casework-replayed");
    if (replayed != context->GetServerTrailingMetadata().end()) {
      *cli.err << "casectl: a retry: the server answered with the original result\n";
    }
  }
  return true;
}

// complaints, notices, reviews.
void AddCaseCommands(CLI::App& app, Cli& cli);
// death reviews.
void AddDeathReviewCommands(CLI::App& app, Cli& cli);
// panels and meetings.
void AddPanelCommands(CLI::App& app, Cli& cli);
// actions, deadlines, figures, events, policy, health.
void AddLogCommands(CLI::App& app, Cli& cli);

}  // namespace casework::cli

#endif  // CASEWORK_CLIENTS_CLI_COMMANDS_H_
