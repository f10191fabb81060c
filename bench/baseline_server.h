// What the two baseline servers of casework-bench share: flag parsing, the
// gRPC server, the "serving on" line casework-bench waits for, and a graceful
// stop on SIGTERM/SIGINT. Each baseline only supplies its EchoService.
#ifndef CASEWORK_BENCH_BASELINE_SERVER_H_
#define CASEWORK_BENCH_BASELINE_SERVER_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/service_type.h>

#include <functional>
#include <memory>

#include "absl/status/statusor.h"

namespace casework::bench {

// Builds the service once flags are parsed and stop signals are blocked (so
// threads it starts never receive them).
using ServiceFactory = std::function<absl::StatusOr<std::unique_ptr<grpc::Service>>()>;

// The whole main() of a baseline server named `name`: parses flags (among
// them --listen, HOST:PORT on a loopback address, port 0 picks one), serves
// the service from `make_service` and prints
//   "<name>: serving on HOST:PORT (port N)"
// on stderr once ready. On SIGTERM/SIGINT finishes the calls in flight,
// destroys the service and returns 0; returns 1 if it cannot start.
int RunBaselineServer(const char* name, const char* usage, int argc, char** argv,
                      const ServiceFactory& make_service);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_BASELINE_SERVER_H_
