#include "bench/security_bench.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "bench/child_process.h"
#include "bench/workloads.h"

namespace casework::bench {
namespace {

constexpr uint64_t kSeedActions = 500;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// GetAction alone, as `caller`, after seeding actions on `channels`.
absl::StatusOr<LevelResult> MeasureReads(std::vector<std::shared_ptr<grpc::Channel>> channels,
                                         EngineWorkload::Caller caller,
                                         const LevelOptions& level) {
  EngineWorkload workload(std::move(channels));
  workload.set_caller(caller);
  if (absl::Status seeded = workload.SeedActions(kSeedActions); !seeded.ok()) return seeded;
  std::vector<Operation> reads;
  for (Operation& op : workload.Mix()) {
    if (op.name == "GetAction") reads.push_back(op);
  }
  if (reads.size() != 1) return absl::InternalError("the engine mix has no GetAction");
  return RunLevel(reads, level);
}

}  // namespace

absl::StatusOr<SecurityFigures> MeasureSecurity(const SecurityBenchOptions& options) {
  SecurityFigures figures;
  absl::StatusOr<LevelResult> person =
      MeasureReads(options.plaintext, EngineWorkload::Caller::kPerson, options.level);
  if (!person.ok()) return person.status();
  figures.runs.push_back({"plaintext, person (audited)", *std::move(person)});
  absl::StatusOr<LevelResult> system =
      MeasureReads(options.plaintext, EngineWorkload::Caller::kSystem, options.level);
  if (!system.ok()) return system.status();
  figures.runs.push_back({"plaintext, system", *std::move(system)});

  // The partnership CA, a server certificate for localhost and a client
  // certificate for the bench, as an operator makes them.
  const std::string certs = options.scratch + "/certs";
  std::error_code made;
  std::filesystem::create_directories(options.scratch + "/tls", made);
  for (const std::string& args :
       {absl::StrCat("init ", certs), absl::StrCat("server ", certs, " server localhost"),
        absl::StrCat("client ", certs, " bench bench.eastbrook.example")}) {
    const std::string command =
        absl::StrCat("bash ", options.ca_script, " ", args, " >/dev/null 2>&1");
    if (std::system(command.c_str()) != 0) {
      return absl::UnavailableError(absl::StrCat("making certificates failed: ", command));
    }
  }
  std::ofstream(certs + "/agencies.txt") << "bench.eastbrook.example eastbrook-council\n";
  absl::StatusOr<ServerProcess> tls = StartServer(
      {options.caseworkd, "--listen=127.0.0.1:0", absl::StrCat("--data_dir=", options.scratch, "/tls"),
       options.sync_flag, "--norequest_log", "--rate_limit_per_second=0",
       absl::StrCat("--tls_cert=", certs, "/server.pem"),
       absl::StrCat("--tls_key=", certs, "/server.key"),
       absl::StrCat("--tls_client_ca=", certs, "/ca.pem"),
       absl::StrCat("--tls_agencies=", certs, "/agencies.txt")},
      absl::Seconds(60));
  if (!tls.ok()) return tls.status();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Slurp(certs + "/ca.pem");
  ssl.pem_private_key = Slurp(certs + "/bench.key");
  ssl.pem_cert_chain = Slurp(certs + "/bench.pem");
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < options.connections; ++i) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("casework.bench.connection", i);
    channels.push_back(grpc::CreateCustomChannel(tls->address, grpc::SslCredentials(ssl), args));
    if (!channels.back()->WaitForConnected(std::chrono::system_clock::now() +
                                           std::chrono::seconds(10))) {
      return absl::UnavailableError(absl::StrCat("cannot connect over TLS to ", tls->address));
    }
  }
  absl::StatusOr<LevelResult> over_tls =
      MeasureReads(channels, EngineWorkload::Caller::kTransport, options.level);
  if (!over_tls.ok()) return over_tls.status();
  figures.runs.push_back({"mutual TLS, system", *std::move(over_tls)});
  channels.clear();
  if (absl::Status stopped = tls->process->Stop(absl::Seconds(30)); !stopped.ok()) return stopped;

  const double base = figures.runs[1].level.calls_per_s;
  if (base > 0) {
    figures.audit_ratio = figures.runs[0].level.calls_per_s / base;
    figures.tls_ratio = figures.runs[2].level.calls_per_s / base;
  }
  return figures;
}

}  // namespace casework::bench
