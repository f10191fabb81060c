// caseworkd's parts wired together: data directory, engine, gRPC services,
// health checking, reflection and request logging.
#ifndef CASEWORK_SERVICES_SERVER_H_
#define CASEWORK_SERVICES_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/calendar_provider.h"
#include "services/service_deps.h"
#include "services/timer_worker.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "storage/fault_injection.h"

namespace casework::services {

struct ServerConfig {
  // "HOST:PORT" to listen on; port 0 picks a free port. Must be a loopback
  // address while callers identify themselves through metadata.
  // Default: 127.0.0.1:50051.
  std::string listen = "127.0.0.1:50051";
  // RocksDB data directory, created if missing. Required.
  std::string data_dir;
  // Sync the WAL before acknowledging (see StoreOptions::sync). Default: true.
  bool sync = true;
  // One stderr line per call. Default: true.
  bool request_log = true;
  storage::EngineOptions engine;
  // How often due timers are looked for, in real time. Timers that fell due
  // while the server was down fire at start-up. Zero: no background firing
  // (tests call timers().FireDue()). Default: 1s.
  absl::Duration timer_poll = absl::Seconds(1);
  // Test hook. Default: null.
  std::shared_ptr<storage::FaultInjector> faults;
};

// Makes one gRPC service.
using ServiceFactory = std::unique_ptr<grpc::Service> (*)(const ServiceDeps& deps);

// Every gRPC service caseworkd hosts, by full name ("casework.v1.ActionService").
// A workflow's commands are served by the service its WorkflowInfo names;
// Start fails for a registered workflow whose service is missing here.
const std::vector<std::pair<absl::string_view, ServiceFactory>>& ServiceFactories();
// The factory of `service`, or null.
ServiceFactory FindFactory(absl::string_view service);

class CaseworkServer {
 public:
  // Opens the data directory, starts the engine and starts serving.
  // FAILED_PRECONDITION for a non-loopback listen address or a missing time
  // zone database; UNAVAILABLE if the port cannot be bound or the data
  // directory cannot be opened. `clock` must outlive the server.
  static absl::StatusOr<std::unique_ptr<CaseworkServer>> Start(const ServerConfig& config,
                                                               const Clock* clock);
  // Shutdown(5s) if not done yet.
  ~CaseworkServer();

  // The port actually bound.
  int port() const { return port_; }
  // A channel to this server that bypasses the network (for tests and the
  // demo loader).
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // Graceful stop: health turns NOT_SERVING, no new calls are accepted,
  // calls in flight get up to `grace` to finish (their commands complete and
  // are durable), timers stop, then the engine drains and the data directory
  // is closed.
  void Shutdown(absl::Duration grace);

  storage::EventStore& store() { return *store_; }
  storage::Engine& engine() { return *engine_; }
  TimerWorker& timers() { return *timers_; }
  CalendarProvider& calendars() { return *calendars_; }

 private:
  CaseworkServer() = default;

  std::unique_ptr<storage::EventStore> store_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<CalendarProvider> calendars_;
  std::unique_ptr<TimerWorker> timers_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_SERVER_H_
