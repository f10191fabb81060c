// Shared main() of the baseline servers; see baseline_server.h.
#include "bench/baseline_server.h"

#include <signal.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "HOST:PORT to serve on; loopback only. Port 0 picks a free port.");

namespace casework::bench {

int RunBaselineServer(const char* name, const char* usage, int argc, char** argv,
                      const ServiceFactory& make_service) {
  absl::SetProgramUsageMessage(usage);
  absl::ParseCommandLine(argc, argv);
  const std::string listen = absl::GetFlag(FLAGS_listen);
  if (!absl::StartsWith(listen, "127.") && !absl::StartsWith(listen, "localhost:") &&
      !absl::StartsWith(listen, "[::1]:")) {
    std::fprintf(stderr, "%s: --listen must be a loopback address, got %s\n", name, listen.c_str());
    return 1;
  }

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<std::unique_ptr<grpc::Service>> service = make_service();
  if (!service.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, std::string(service.status().ToString()).c_str());
    return 1;
  }
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service->get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "%s: cannot listen on %s\n", name, listen.c_str());
    return 1;
  }
  std::fprintf(stderr, "%s: serving on %s (port %d)\n", name, listen.c_str(), port);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  server.reset();
  service->reset();
  std::fprintf(stderr, "%s: stopped cleanly\n", name);
  return 0;
}

}  // namespace casework::bench
