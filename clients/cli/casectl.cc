// casectl: the command line of casework for caseworkers, SPOCs, panel
// chairs and operators. It speaks only the public gRPC contract; the rules
// are the server's. Exit codes: clients/cli/errors.h (and README.md).
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "clients/cli/commands.h"

namespace {

std::string DefaultConfig() {
  const char* config_home = std::getenv("XDG_CONFIG_HOME");
  if (config_home != nullptr && *config_home != '\0') {
    return std::string(config_home) + "/casework/casectl.toml";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.config/casework/casectl.toml";
}

}  // namespace

int main(int argc, char** argv) {
  using casework::cli::Cli;
  using casework::cli::Output;
  Cli cli;
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') {
    cli.settings.user = user;
  }
  CLI::App app{
      "casectl: casework's command line. Every command takes --help.\n"
      "Settings come from flags, the environment (CASEWORK_ADDR, ...) or the config file."};
  app.set_config("--config", DefaultConfig(), "A TOML file of settings (addr = \"...\")");
  casework::cli::Settings& s = cli.settings;
  app.add_option("--addr", s.addr, "The server, host:port")
      ->envname("CASEWORK_ADDR")
      ->capture_default_str();
  app.add_option("--partnership", s.partnership, "The partnership's identifier")
      ->envname("CASEWORK_PARTNERSHIP")
      ->capture_default_str();
  app.add_option("--agency", s.agency, "Your agency")
      ->envname("CASEWORK_AGENCY")
      ->capture_default_str();
  app.add_option("--user", s.user, "Your user id")->envname("CASEWORK_USER")->capture_default_str();
  app.add_option("--role", s.role, "Your role: caseworker, spoc, panel_chair, ...")
      ->envname("CASEWORK_ROLE")
      ->capture_default_str();
  app.add_option("--purpose", s.purpose, "Why you read a case (recorded in the audit log)")
      ->envname("CASEWORK_PURPOSE")
      ->capture_default_str();
  app.add_option("--tls-ca", s.tls_ca, "Mutual TLS: the partnership CA (PEM)")
      ->envname("CASEWORK_TLS_CA");
  app.add_option("--tls-cert", s.tls_cert, "Mutual TLS: this client's certificate (PEM)")
      ->envname("CASEWORK_TLS_CERT");
  app.add_option("--tls-key", s.tls_key, "Mutual TLS: this client's key (PEM)")
      ->envname("CASEWORK_TLS_KEY");
  app.add_option("--tls-server-name", s.tls_server_name,
                 "Mutual TLS: the name the server's certificate carries, when --addr is another "
                 "(e.g. a probe inside the server's pod connecting to 127.0.0.1)")
      ->envname("CASEWORK_TLS_SERVER_NAME");
  app.add_option("--token-file", s.token_file, "A file holding your bearer token")
      ->envname("CASEWORK_TOKEN_FILE");
  app.add_option("--timeout", s.timeout_seconds, "Seconds to wait for an answer")
      ->capture_default_str();
  app.add_option("--output,-o", s.output, "table, json or csv")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Output>{
              {"table", Output::kTable}, {"json", Output::kJson}, {"csv", Output::kCsv}},
          CLI::ignore_case))
      ->option_text("table|json|csv")
      ->envname("CASEWORK_OUTPUT");
  app.add_option("--request-id", s.request_id,
                 "Retry a command safely: the id of the first attempt");
  app.add_flag("--verbose,-v", s.verbose, "Print the request id and whether it was a retry");
  app.require_subcommand(1);

  casework::cli::AddCaseCommands(app, cli);
  casework::cli::AddPanelCommands(app, cli);
  casework::cli::AddDeathReviewCommands(app, cli);
  casework::cli::AddLogCommands(app, cli);
  casework::cli::AddPrivacyCommands(app, cli);
  casework::cli::AddRetentionCommands(app, cli);

  // Precedence: flags, then the environment, then the config file. CLI11
  // reads the file before the environment, so a variable that is set is
  // passed on as its flag, unless the flag itself was given.
  std::vector<std::string> args(argv, argv + argc);
  std::vector<std::string> from_env;
  for (const CLI::Option* option : app.get_options()) {
    const std::string& env = option->get_envname();
    const char* value = env.empty() ? nullptr : std::getenv(env.c_str());
    if (value == nullptr || option->get_lnames().empty()) continue;
    const std::string flag = "--" + option->get_lnames().front();
    bool given = false;
    for (const std::string& a : args) given = given || a == flag || a.rfind(flag + "=", 0) == 0;
    if (!given) from_env.push_back(flag + "=" + value);
  }
  args.insert(args.begin() + 1, from_env.begin(), from_env.end());
  std::vector<char*> arg_pointers;
  for (std::string& a : args) arg_pointers.push_back(a.data());

  try {
    app.parse(static_cast<int>(arg_pointers.size()), arg_pointers.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return casework::cli::kUsage;
  } catch (const std::invalid_argument& e) {
    std::cerr << "casectl: " << e.what() << "\n";
    return casework::cli::kUsage;
  } catch (const std::exception& e) {
    std::cerr << "casectl: " << e.what() << "\n";
    return casework::cli::kOther;
  }
  return cli.exit;
}
