// casectl's commands, by area. Each registers its subcommands on the app;
// a subcommand's callback makes its calls through the Cli's client and
// leaves the exit code (clients/cli/errors.h) in Cli::exit.
#ifndef CASEWORK_CLIENTS_CLI_COMMANDS_H_
#define CASEWORK_CLIENTS_CLI_COMMANDS_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "clients/cli/client.h"
#include "clients/cli/errors.h"
#include "clients/cli/output.h"

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

// Adds `parent`'s subcommand `name`: a command on one existing record of
// `collection` (its number or name as the positional argument, and
// --expected-version), with the step's own options added by `options`
// (which fill the request as they are parsed). It sends the request with
// the record's name and a request id, and prints the reply with `print`
// (or as JSON). `example` ends the help, e.g. "casectl panels assess 1".
template <typename Service, typename Request, typename Response>
void AddStep(CLI::App* parent, Cli& cli, const std::string& name, const std::string& help,
             const std::string& example, const std::string& collection,
             grpc::Status (Service::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
             std::function<void(CLI::App*, Request*)> options,
             std::function<void(Cli&, const Response&)> print) {
  struct Target {
    std::string id;
    std::optional<int64_t> expected_version;
  };
  auto target = std::make_shared<Target>();
  auto request = std::make_shared<Request>();
  CLI::App* sub = parent->add_subcommand(name, help + "\n  e.g. " + example);
  sub->add_option("name", target->id, "Its number or name")->required();
  sub->add_option("--expected-version", target->expected_version,
                  "Refuse if it changed since this version");
  if (options) options(sub, request.get());
  sub->callback([&cli, target, request, method, collection, print] {
    Client& client = cli.Connect();
    request->set_name(ResourceName(client, collection, target->id));
    request->set_request_id(client.RequestId());
    if (target->expected_version) request->set_expected_version(*target->expected_version);
    Response response;
    if (!Call<Service>(cli, method, *request, &response)) return;
    if (cli.json()) return PrintJson(response, *cli.out);
    print(cli, response);
  });
}

// Every item of a List method, page by page: `items(page)` is the page's
// repeated field. False (reported) if a page failed.
template <typename Service, typename Stub, typename Request, typename Response, typename Items,
          typename Item>
bool ListAll(Cli& cli,
             grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
             Request request, Items items, std::vector<Item>* all) {
  do {
    Response page;
    if (!Call<Service>(cli, method, request, &page)) return false;
    for (const Item& item : items(page)) all->push_back(item);
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return true;
}

// complaints, notices, reviews.
void AddCaseCommands(CLI::App& app, Cli& cli);
// death reviews.
void AddDeathReviewCommands(CLI::App& app, Cli& cli);
// panels and meetings.
void AddPanelCommands(CLI::App& app, Cli& cli);
// actions, deadlines, figures, events, policy, health, outbox, backups.
void AddLogCommands(CLI::App& app, Cli& cli);
// Erasure and subject access (commands_privacy.cc).
void AddPrivacyCommands(CLI::App& app, Cli& cli);
// The retention schedule (commands_retention.cc).
void AddRetentionCommands(CLI::App& app, Cli& cli);

}  // namespace casework::cli

#endif  // CASEWORK_CLIENTS_CLI_COMMANDS_H_
