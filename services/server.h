// caseworkd's parts wired together: data directory, engine, gRPC services,
// health checking, reflection and request logging.
#ifndef CASEWORK_SERVICES_SERVER_H_
#define CASEWORK_SERVICES_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/audit_log.h"
#include "services/calendar_provider.h"
#include "services/event_feed.h"
#include "services/outbox.h"
#include "services/metrics.h"
#include "services/placement.h"
#include "services/policy_cache.h"
#include "services/request_log.h"
#include "services/service_deps.h"
#include "services/timer_worker.h"
#include "services/transport.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "storage/fault_injection.h"

namespace casework::services {

// Largest request message accepted: 1 MiB (bigger ones fail with
// RESOURCE_EXHAUSTED before any handler runs). Far above any valid request
// (see the field maxima in the .proto files), and small enough that an event
// recorded from one, with its envelope, fits a reply.
inline constexpr int kMaxRequestBytes = 1 << 20;
// Largest reply message sent: the 4 MiB stock gRPC clients accept. Pages are
// sized to stay well below it (services/paging.h); a reply that would still
// exceed it fails with RESOURCE_EXHAUSTED instead of reaching a client that
// would refuse it.
inline constexpr int kMaxReplyBytes = 4 << 20;

struct ServerConfig {
  // "HOST:PORT" to listen on; port 0 picks a free port. Without `tls` it
  // must be a loopback address (callers then identify themselves through
  // metadata alone). Default: 127.0.0.1:50051.
  std::string listen = "127.0.0.1:50051";
  // Mutual TLS (services/transport.h); unset: the development mode.
  std::optional<TlsConfig> tls;
  // People's bearer tokens (services/tokens.h), with `tls` only; null: none.
  std::shared_ptr<TokenVerifier> tokens;
  // RocksDB data directory, created if missing. Required.
  std::string data_dir;
  // Sync the WAL before acknowledging (see StoreOptions::sync). Default: true.
  bool sync = true;
  // One stderr line per call. Default: true.
  bool request_log = true;
  storage::EngineOptions engine;
  // How often due timers and outbox messages are looked for, in real time
  // (each on its own thread). Timers that fell due while the server was
  // down fire at start-up. Zero: no background firing or delivery (tests
  // call timers().FireDue() and outbox().DeliverDue()). Default: 1s.
  absl::Duration timer_poll = absl::Seconds(1);
  // Test hook. Default: null.
  std::shared_ptr<storage::FaultInjector> faults;
  // The live event feed (EventService.Subscribe): how many subscriptions at
  // once, and how much each holds.
  FeedOptions feed;

  // --- Split deployment (services/hosting.h, docs/deployment.md) ---
  // The workflow service groups this process hosts ("case-reviews",
  // "panels", ...); empty: every service. Start refuses an unknown group or
  // one without a group it needs.
  std::vector<std::string> services;
  // Where the outbox delivers commands of services hosted elsewhere, and the
  // deployment's link key (services/outbox.h). A call carrying the link key
  // (kLinkKeyHeader) runs as the engine; without a key none does.
  OutboxOptions outbox;

  // --- Personal data (docs/data-protection.md) ---
  // The operator's master key file (64 hex digits, mode 0600): when set,
  // personal fields are sealed with their data subjects' keys, kept in the
  // key store at `key_store` (default: the data directory's path + ".keys").
  // Empty: nothing is sealed, and a data directory holding sealed data
  // refuses to start. Default: empty.
  std::string master_key_file;
  std::string key_store;
  // Test hook: compress the data directory's table files. Default: true.
  bool compression = true;

  // --- Disk space (see storage::StoreOptions) ---
  // Free-space floor of the data directory's filesystem: below it writes are
  // refused with UNAVAILABLE and health reports NOT_SERVING; Start refuses
  // below it. 0 disables. Default: 256 MiB.
  uint64_t min_free_bytes = uint64_t{256} << 20;
  // Cap on the data directory's table files; 0: none. Default: 0.
  uint64_t max_data_bytes = 0;
  // How long a request_id is remembered (storage::StoreOptions::
  // request_retention, aged by the server's clock); zero: for ever.
  // Default: 30 days.
  absl::Duration request_retention = absl::Hours(24 * 30);
  // How often free space is looked at for health reporting, in real time.
  // Zero: no background check (tests call CheckHealth()). Default: 1s.
  absl::Duration space_poll = absl::Seconds(1);

  // --- Operations ---
  // "HOST:PORT" of the Prometheus endpoint (services/metrics.h), plain HTTP
  // on an address of its own; port 0 picks one. Empty: none. Default: none.
  std::string metrics_listen;
  // Where OperationsService.CreateBackup writes backups (storage/backup.h),
  // and how many it keeps (0: all). Empty: no backups. Default: none, 7.
  std::string backup_dir;
  int backup_keep = 7;
  // The partnerships this instance holds, and where the others are
  // (services/placement.h). Null: it holds every partnership.
  std::shared_ptr<const Placement> placement;

  // --- Connections and memory ---
  // gRPC resource quota: memory for connections, their buffers and calls.
  // Default: 512 MiB.
  size_t grpc_memory_bytes = size_t{512} << 20;
  // Calls at once on one connection (HTTP/2 MAX_CONCURRENT_STREAMS); more
  // wait in the client. Default: 32.
  int max_streams_per_connection = 32;
  // Most bytes of large replies waiting for clients that have not read them
  // (CallGuardOptions::max_reply_backlog_bytes). Default: 64 MiB.
  size_t max_reply_backlog_bytes = size_t{64} << 20;
  // Keepalive: a connection is pinged after this long without traffic and
  // closed if the ping is not answered within keepalive_timeout.
  // Default: 60s and 20s.
  absl::Duration keepalive_time = absl::Seconds(60);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // A connection without calls for this long is closed. Default: 5 minutes.
  absl::Duration idle_timeout = absl::Minutes(5);
  // Most request-log lines a second. Default: 100.
  int request_log_lines_per_second = 100;
  // Calls a second each identity (agency and user) may make, sustained, and
  // in a burst (services/rate_limit.h). 0: no limit (the default here;
  // caseworkd's flags set one).
  double rate_limit_per_second = 0;
  double rate_limit_burst = 0;
};

// The name grpc.health.v1.Health reports NOT_SERVING for while an outbox
// message is parked (services/outbox.h): an alert for the operator.
inline constexpr char kOutboxHealth[] = "casework.outbox";

// The name grpc.health.v1.Health answers for only while callers' identities
// are trusted from metadata (no TLS: the development identity); NOT_FOUND
// under mutual TLS. An operator's probe of this name finds a server left in
// development mode.
inline constexpr char kDevelopmentIdentityHealth[] = "casework.development-identity";

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
  // Opens the data directory, starts the engine and starts serving. Every
  // failure is an error naming its cause, with a casework.v1.ErrorInfo
  // reason, and leaves nothing running: FAILED_PRECONDITION
  // (LISTEN_NOT_LOOPBACK) for a non-loopback listen address or a missing
  // time zone database; UNAVAILABLE (LISTEN_FAILED) if the address cannot be
  // bound, e.g. another process listens on the port (SO_REUSEPORT is off, so
  // two servers never share a port); the data directory's errors of
  // storage::EventStore::Open. `clock` must outlive the server.
  static absl::StatusOr<std::unique_ptr<CaseworkServer>> Start(const ServerConfig& config,
                                                               const Clock* clock);
  // Shutdown(5s) if not done yet.
  ~CaseworkServer();

  // The port actually bound.
  int port() const { return port_; }
  // The metrics endpoint's port, 0 without one.
  int metrics_port() const { return metrics_ == nullptr ? 0 : metrics_->port(); }
  // A channel to this server that bypasses the network (for tests and the
  // demo loader). Its callers state their identity in metadata, as the
  // development identity does; under mutual TLS its calls carry the
  // process's in-process key (services/transport.h) to be let in.
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // Health turns NOT_SERVING for good while everything keeps serving, so
  // that load balancers and new connections see the drain coming before
  // Shutdown stops accepting calls. Idempotent.
  void StartDraining();

  // Graceful stop: health turns NOT_SERVING, event feed subscriptions end
  // with UNAVAILABLE (SERVER_SHUTTING_DOWN), no new calls are accepted,
  // calls in flight get up to `grace` to finish (their commands complete and
  // are durable), timers stop, then the engine drains and the data directory
  // is closed.
  void Shutdown(absl::Duration grace);

  // Looks at the data directory's free space now and sets health: SERVING
  // while writes are accepted, NOT_SERVING (with the reason logged on
  // stderr) while they are refused. Runs every ServerConfig::space_poll.
  void CheckHealth();
  // True while health reports SERVING; `reason` is why not.
  bool serving(std::string* reason = nullptr) const;
  // The calls seen and the replies held for clients that have not read them.
  CallGuardState& calls() { return *guard_; }

  storage::EventStore& store() { return *store_; }
  storage::Engine& engine() { return *engine_; }
  TimerWorker& timers() { return *timers_; }
  OutboxDispatcher& outbox() { return *outbox_; }
  // The full names of the gRPC services this process hosts.
  const std::set<std::string>& hosted() const { return hosted_; }
  EventFeed& feed() { return *feed_; }
  CalendarProvider& calendars() { return *calendars_; }

 private:
  CaseworkServer() = default;
  void SetServing(bool serving, const std::string& reason);

  std::unique_ptr<storage::EventStore> store_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<PolicyCache> policies_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<CalendarProvider> calendars_;
  std::unique_ptr<TimerWorker> timers_;
  std::unique_ptr<OutboxDispatcher> outbox_;
  std::set<std::string> hosted_;
  // Answers calls for services not hosted here (UNIMPLEMENTED, naming them).
  std::unique_ptr<grpc::CallbackGenericService> not_hosted_;
  std::unique_ptr<EventFeed> feed_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::shared_ptr<CallGuardState> guard_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;

  // Health, and the thread that checks free space for it.
  mutable std::mutex health_mu_;
  bool serving_ = false;     // guarded by health_mu_
  bool draining_ = false;    // guarded by health_mu_
  bool outbox_clear_ = true;  // guarded by health_mu_: no message parked
  std::string not_serving_;  // guarded by health_mu_: why not serving
  std::condition_variable health_cv_;
  bool stop_health_ = false;  // guarded by health_mu_
  std::thread health_thread_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_SERVER_H_
