// caseworkd: the casework gRPC server.
//
// main() is the only place the world is built: flags are read, the server is
// started, the demo partnership is loaded if asked, and SIGTERM/SIGINT stop it
// gracefully (stop accepting, finish in-flight commands, close the data
// directory, exit 0).
#include <signal.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "services/demo.h"
#include "services/server.h"
#include "storage/clock.h"
#include "storage/rebuild.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "HOST:PORT to serve gRPC on. Must be a loopback address until authentication is "
          "configured (callers identify themselves through request metadata).");
ABSL_FLAG(std::string, data_dir, "", "RocksDB data directory (created if missing). Required.");
ABSL_FLAG(bool, sync, true,
          "Sync the write-ahead log before acknowledging a command. --nosync is for development "
          "only: a power cut or kernel crash may lose the last acknowledged commands.");
ABSL_FLAG(bool, request_log, true, "Write one line per call to stderr.");
ABSL_FLAG(bool, demo, false,
          "Load the demo partnership (fictional 'eastbrook' CSP) if it is not there yet.");
ABSL_FLAG(double, shutdown_grace_seconds, 10,
          "On SIGTERM/SIGINT, how long calls in flight may take to finish.");
ABSL_FLAG(bool, verify, false,
          "Do not serve: fold the whole log and compare stream indexes, states, read-model rows "
          "and timers with what is stored; print the differences; exit 0 if there are none, 1 "
          "otherwise. Run it on a stopped server's data directory.");
ABSL_FLAG(bool, rebuild, false,
          "Do not serve: recompute states, read-model rows and timers from the log and replace "
          "the stored ones, then exit. Run it on a stopped server's data directory.");

namespace {

// --verify and --rebuild: offline maintenance of a data directory.
int Maintain(const std::string& data_dir, bool rebuild) {
  casework::storage::StoreOptions options;
  options.path = data_dir;
  absl::StatusOr<std::unique_ptr<casework::storage::EventStore>> store =
      casework::storage::EventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "caseworkd: %s\n", std::string(store.status().ToString()).c_str());
    return 1;
  }
  absl::TimeZone london;
  if (!absl::LoadTimeZone("Europe/London", &london)) {
    std::fprintf(stderr, "caseworkd: cannot load time zone Europe/London: install tzdata\n");
    return 1;
  }
  if (rebuild) {
    absl::Status rebuilt = casework::storage::RebuildDerived(**store, london);
    if (!rebuilt.ok()) {
      std::fprintf(stderr, "caseworkd: rebuild failed: %s\n", std::string(rebuilt.ToString()).c_str());
      return 1;
    }
  }
  absl::StatusOr<casework::storage::VerifyReport> report =
      casework::storage::VerifyStore(**store, london);
  if (!report.ok()) {
    std::fprintf(stderr, "caseworkd: verify failed: %s\n", std::string(report.status().ToString()).c_str());
    return 1;
  }
  for (const std::string& problem : report->problems) std::printf("%s\n", problem.c_str());
  std::printf("events=%llu streams=%llu rows=%llu timers=%llu problems=%zu\n",
              static_cast<unsigned long long>(report->events),
              static_cast<unsigned long long>(report->streams),
              static_cast<unsigned long long>(report->rows),
              static_cast<unsigned long long>(report->timers), report->problems.size());
  return report->problems.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "casework gRPC server for Community Safety Partnership case work.\n"
      "Usage: caseworkd --data_dir=DIR [--listen=127.0.0.1:50051] [--demo] [--nosync]\n"
      "       caseworkd --data_dir=DIR --verify | --rebuild");
  absl::ParseCommandLine(argc, argv);

  // Block the stop signals before any thread starts, so that only the sigwait
  // below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  casework::services::ServerConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.sync = absl::GetFlag(FLAGS_sync);
  config.request_log = absl::GetFlag(FLAGS_request_log);
  if (config.data_dir.empty()) {
    std::fprintf(stderr, "caseworkd: --data_dir is required (see --help)\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_verify) || absl::GetFlag(FLAGS_rebuild)) {
    return Maintain(config.data_dir, absl::GetFlag(FLAGS_rebuild));
  }

  casework::SystemClock clock;
  absl::StatusOr<std::unique_ptr<casework::services::CaseworkServer>> server =
      casework::services::CaseworkServer::Start(config, &clock);
  if (!server.ok()) {
    std::fprintf(stderr, "caseworkd: %s\n", std::string(server.status().ToString()).c_str());
    return 1;
  }
  std::fprintf(stderr, "caseworkd: serving on %s (port %d), data in %s, sync %s\n",
               config.listen.c_str(), (*server)->port(), config.data_dir.c_str(),
               config.sync ? "on" : "OFF (development only)");

  if (absl::GetFlag(FLAGS_demo)) {
    absl::Status demo = casework::services::LoadDemoPartnership((*server)->InProcessChannel());
    if (!demo.ok()) {
      std::fprintf(stderr, "caseworkd: loading the demo partnership failed: %s\n",
                   std::string(demo.ToString()).c_str());
      return 1;
    }
    std::fprintf(stderr, "caseworkd: demo partnership 'eastbrook' loaded\n");
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::fprintf(stderr, "caseworkd: %s received, draining\n",
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  std::fprintf(stderr, "caseworkd: stopped cleanly\n");
  return 0;
}
