#include "services/server.h"

#include <arpa/inet.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/support/client_interceptor.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <future>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/audit_log.h"
#include "services/call_context.h"
#include "services/hosting.h"
#include "services/request_log.h"
#include "services/metrics.h"
#include "storage/erasure.h"
#include "workflow/erasures/commands.h"
#include "storage/rebuild.h"
#include "workflow/common/status.h"
#include "workflow/registry.h"

namespace casework::services {

namespace {

// Records in each partnership's erasure log the erasures the key store held
// and the data directory did not (it was restored from an older backup).
absl::Status RecordErasuresAgain(storage::Engine& engine,
                                 const std::vector<storage::ReconcileReport::Missing>& missing) {
  const workflow::CommandType& type =
      workflow::erasures::ErasureWorkflow().Command(workflow::erasures::kReapplyErasure);
  for (const storage::ReconcileReport::Missing& m : missing) {
    if (m.partnership.empty()) continue;  // only partnerships keep erasure logs
    auto request = std::make_shared<v1::ReapplyErasureRequest>();
    request->set_parent(absl::StrCat("partnerships/", m.partnership));
    request->set_request_id(absl::StrCat("reapply:", m.record.key_id()));
    request->set_key_id(m.record.key_id());
    request->set_legal_basis(m.record.legal_basis());
    *request->mutable_first_erase_time() = m.record.erased_time();
    storage::Command command = storage::MakeCommand(type, request, nullptr);
    command.meta.actor = workflow::EngineActor("erasures");
    std::promise<absl::Status> done;
    command.done = [&done](absl::StatusOr<std::string> reply, bool) {
      done.set_value(reply.status());
    };
    engine.Submit(std::move(command));
    RETURN_IF_ERROR(done.get_future().get());
  }
  return absl::OkStatus();
}

// Why `listen` cannot be bound, found by trying to bind it the way gRPC does
// (SO_REUSEADDR, no SO_REUSEPORT); empty if it can.
std::string ListenProblem(const std::string& listen) {
  std::string host = listen;
  std::string port;
  if (absl::StartsWith(host, "[")) {
    const size_t close = host.find(']');
    if (close != std::string::npos) {
      port = host.substr(std::min(close + 2, host.size()));
      host = host.substr(1, close - 1);
    }
  } else if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  struct addrinfo hints;
  std::memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  struct addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return "the address does not resolve";
  }
  std::string problem;
  for (struct addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int error = 0;
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
    } else if (::listen(fd, 1) != 0) {
      error = errno;
    }
    ::close(fd);
    if (error == EADDRINUSE) {
      problem = "the address is already in use (another process is listening on it)";
      break;
    }
    if (error == EACCES) {
      problem = "permission denied (ports below 1024 need privileges)";
      break;
    }
    if (error != 0) problem = std::strerror(error);
  }
  freeaddrinfo(found);
  return problem;
}

// Answers every call for a method no hosted service has: UNIMPLEMENTED,
// naming the service and, in a split deployment, where it is hosted.
class NotHosted final : public grpc::CallbackGenericService {
 public:
  NotHosted(std::set<std::string> hosted, std::map<std::string, std::string> peers)
      : hosted_(std::move(hosted)), peers_(std::move(peers)) {}

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    class Refusal final : public grpc::ServerGenericBidiReactor {
     public:
      explicit Refusal(const grpc::Status& status) { Finish(status); }
      void OnDone() override { delete this; }
    };
    return new Refusal(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, Message(ctx->method())));
  }

 private:
  std::string Message(const std::string& method) const {
    // "/casework.v1.PanelService/GetPanelCase"
    const size_t slash = method.find('/', 1);
    const std::string service =
        method.size() > 1 && slash != std::string::npos ? method.substr(1, slash - 1) : method;
    if (FindFactory(service) == nullptr || hosted_.count(service) > 0) {
      return absl::StrCat("no such method ", method.substr(0, 200));
    }
    std::string message = absl::StrCat(service, " is not hosted by this server (--services");
    const absl::string_view group = GroupOf(service);
    if (!group.empty()) absl::StrAppend(&message, " would need ", group);
    absl::StrAppend(&message, ")");
    if (auto it = peers_.find(service); it != peers_.end()) {
      absl::StrAppend(&message, "; it is hosted at ", it->second);
    }
    return message;
  }

  const std::set<std::string> hosted_;
  const std::map<std::string, std::string> peers_;
};

absl::Status ListenFailed(const std::string& listen, std::string problem) {
  if (problem.empty()) problem = "the address is not available";
  return ErrorWithReason(absl::StatusCode::kUnavailable, "LISTEN_FAILED",
                         absl::StrCat("cannot listen on ", listen, ": ", problem,
                                      "; stop the other server or choose another --listen"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<CaseworkServer>> CaseworkServer::Start(const ServerConfig& config,
                                                                      const Clock* clock) {
  if (!config.tls && !IsLoopbackListen(config.listen)) {
    return ErrorWithReason(
        absl::StatusCode::kFailedPrecondition, "LISTEN_NOT_LOOPBACK",
        absl::StrCat("refusing to listen on ", config.listen,
                     " without TLS: callers would identify themselves through request metadata "
                     "alone, which is only safe on a loopback address (127.0.0.1, localhost or "
                     "[::1]); configure mutual TLS (--tls_cert, --tls_key, --tls_client_ca, "
                     "--tls_agencies) to serve other machines"));
  }
  if (config.tokens != nullptr && !config.tls) {
    return absl::InvalidArgumentError("bearer tokens need mutual TLS");
  }
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  std::shared_ptr<const TransportIdentityResolver> identity;
  if (config.tls) {
    identity = std::make_shared<TransportIdentityResolver>(*config.tls, config.tokens, clock);
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> tls = MutualTlsCredentials(identity);
    if (!tls.ok()) return tls.status();
    credentials = *std::move(tls);
  }
  if (config.data_dir.empty()) return absl::InvalidArgumentError("--data_dir is required");
  absl::StatusOr<std::set<std::string>> hosted = HostedServices(config.services);
  if (!hosted.ok()) return hosted.status();
  if (!config.outbox.peers.empty() && config.outbox.link_key.empty()) {
    return absl::InvalidArgumentError(
        "--peers needs --link_key_file: the other processes run outbox deliveries only for "
        "callers holding the deployment's link key");
  }
  for (const auto& [service, address] : config.outbox.peers) {
    if (!config.tls && !IsLoopbackListen(address)) {
      return ErrorWithReason(
          absl::StatusCode::kFailedPrecondition, "PEER_NOT_LOOPBACK",
          absl::StrCat("refusing to send outbox deliveries to ", address,
                       " without TLS: the link key would cross the network in clear; use a "
                       "loopback address or configure mutual TLS"));
    }
    if (FindFactory(service) == nullptr || hosted->count(service) > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--peers: ", service,
                       FindFactory(service) == nullptr ? " is not a casework service"
                                                       : " is hosted by this process"));
    }
  }
  absl::TimeZone london;
  if (!absl::LoadTimeZone("Europe/London", &london)) {
    return absl::FailedPreconditionError(
        "cannot load time zone Europe/London: install the tzdata package");
  }

  // A port in use is found before the data directory is touched.
  if (!absl::EndsWith(config.listen, ":0")) {
    if (std::string problem = ListenProblem(config.listen); !problem.empty()) {
      return ListenFailed(config.listen, problem);
    }
  }

  std::unique_ptr<CaseworkServer> server(new CaseworkServer());
  server->hosted_ = *std::move(hosted);
  // On a failure after the data directory was opened: stop what started and,
  // if this start created the directory, remove it again.
  auto fail = [&server, &config](absl::Status error) -> absl::Status {
    const bool created = server->store_ != nullptr && server->store_->created();
    server->Shutdown(absl::ZeroDuration());
    if (created) {
      std::error_code ignored;
      std::filesystem::remove_all(config.data_dir, ignored);
    }
    return error;
  };
  storage::StoreOptions store_options;
  store_options.path = config.data_dir;
  store_options.sync = config.sync;
  store_options.faults = config.faults;
  store_options.min_free_bytes = config.min_free_bytes;
  store_options.max_data_bytes = config.max_data_bytes;
  store_options.request_retention = config.request_retention;
  store_options.clock = clock;
  store_options.compression = config.compression;
  if (!config.master_key_file.empty()) {
    absl::StatusOr<std::shared_ptr<privacy::Sealer>> sealer = privacy::OpenSealer(
        config.master_key_file, config.key_store.empty()
                                    ? privacy::DefaultKeyStorePath(config.data_dir)
                                    : config.key_store);
    if (!sealer.ok()) return sealer.status();
    store_options.sealer = *std::move(sealer);
  }
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store =
      storage::EventStore::Open(store_options);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  // A data directory derived by an older build is rebuilt once, before
  // anything reads it.
  absl::StatusOr<bool> upgraded = storage::UpgradeDerived(*server->store_, london);
  if (!upgraded.ok()) return fail(upgraded.status());
  if (*upgraded) {
    std::fprintf(stderr, "caseworkd: rebuilt derived data for this build (format %d)\n",
                 storage::kDerivedFormat);
  }
  // The data directory and the key store brought back in step after a
  // crash mid-erasure or a restore of either (storage/erasure.h).
  absl::StatusOr<storage::ReconcileReport> reconciled =
      storage::ReconcileErasures(*server->store_, london, workflow::Workflows());
  if (!reconciled.ok()) return fail(reconciled.status());
  if (reconciled->applied + reconciled->redestroyed + reconciled->missing.size() > 0) {
    std::fprintf(stderr,
                 "caseworkd: erasures brought up to date: %d applied, %d keys destroyed again, "
                 "%zu recorded again%s\n",
                 reconciled->applied, reconciled->redestroyed, reconciled->missing.size(),
                 reconciled->rebuilt ? " (derived data rebuilt)" : "");
  }
  absl::StatusOr<std::unique_ptr<CalendarProvider>> calendars =
      CalendarProvider::Load(*server->store_);
  if (!calendars.ok()) return fail(calendars.status());
  server->calendars_ = *std::move(calendars);
  storage::EngineOptions engine_options = config.engine;
  engine_options.time_zone = london;
  server->engine_ = std::make_unique<storage::Engine>(server->store_.get(), clock, engine_options);
  // Whether a workflow's service is hosted here (a workflow without one, as
  // the calendar's, always is): the timers, the outbox and the cross-workflow
  // lists see only these workflows' records.
  const std::function<bool(absl::string_view)> hosts =
      [hosted = &server->hosted_](absl::string_view service) {
        return service.empty() || hosted->count(std::string(service)) > 0;
      };
  // Hosting every service, nothing needs passing over.
  const bool hosts_all = server->hosted_.size() == ServiceFactories().size();
  server->timers_ = std::make_unique<TimerWorker>(
      server->store_.get(), server->engine_.get(), clock, server->calendars_.get(),
      &workflow::Workflows(), hosts_all ? nullptr : hosts, config.placement);
  OutboxOptions outbox = config.outbox;
  outbox.placement = config.placement;
  server->outbox_ = std::make_unique<OutboxDispatcher>(
      server->store_.get(), server->engine_.get(), server->calendars_.get(),
      &workflow::Workflows(), clock, hosts, std::move(outbox));

  if (absl::Status recorded = RecordErasuresAgain(*server->engine_, reconciled->missing);
      !recorded.ok()) {
    return fail(recorded);
  }

  server->policies_ = std::make_unique<PolicyCache>(server->store_.get());
  absl::StatusOr<std::unique_ptr<AuditLog>> audit =
      AuditLog::Open(server->store_.get(), server->engine_.get());
  if (!audit.ok()) return fail(audit.status());
  server->audit_ = *std::move(audit);

  ServiceDeps deps;
  deps.audit = server->audit_.get();
  deps.policies = server->policies_.get();
  deps.store = server->store_.get();
  deps.engine = server->engine_.get();
  deps.clock = clock;
  deps.calendars = server->calendars_.get();
  deps.registry = &workflow::Workflows();
  deps.london = london;
  deps.backup_dir = config.backup_dir;
  deps.backup_keep = config.backup_keep;
  deps.placement = config.placement;
  server->feed_ = std::make_unique<EventFeed>(deps, config.feed);
  deps.feed = server->feed_.get();
  deps.outbox = server->outbox_.get();
  if (!hosts_all) deps.hosted = hosts;
  for (const auto& [name, make] : ServiceFactories()) {
    if (server->hosted_.count(std::string(name)) > 0) server->services_.push_back(make(deps));
  }
  for (const workflow::Workflow* w : deps.registry->workflows()) {
    if (!w->service().empty() && FindFactory(w->service()) == nullptr) {
      return fail(
          absl::InternalError(absl::StrCat("workflow ", w->name(), " is served by ", w->service(),
                                           ", which caseworkd does not host")));
    }
  }

  CallGuardOptions guard;
  guard.request_log = config.request_log;
  guard.log_lines_per_second = config.request_log_lines_per_second;
  guard.max_reply_backlog_bytes = config.max_reply_backlog_bytes;
  guard.identity = identity;
  guard.link_key = config.outbox.link_key;
  guard.placement = config.placement;
  if (config.rate_limit_per_second > 0) {
    guard.rate_limiter = std::make_shared<RateLimiter>(
        config.rate_limit_per_second, std::max(1.0, config.rate_limit_burst), clock);
  }
  if (!config.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<Metrics>> metrics = Metrics::Start(config.metrics_listen);
    if (!metrics.ok()) return fail(metrics.status());
    server->metrics_ = *std::move(metrics);
    guard.on_finished = [m = server->metrics_.get()](const std::string& method,
                                                     grpc::StatusCode code, absl::Duration took) {
      m->ObserveCall(method, code, took);
    };
  }
  server->guard_ = std::make_shared<CallGuardState>(guard);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, credentials, &server->port_);
  // One server per port: without SO_REUSEPORT a second server on a port in
  // use fails to start instead of splitting connections with the first.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, config.max_streams_per_connection);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.keepalive_time)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.keepalive_timeout)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.idle_timeout)));
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  builder.SetMaxSendMessageSize(kMaxReplyBytes);
  grpc::ResourceQuota quota("caseworkd");
  quota.Resize(config.grpc_memory_bytes);
  builder.SetResourceQuota(quota);
  for (auto& service : server->services_) builder.RegisterService(service.get());
  server->not_hosted_ = std::make_unique<NotHosted>(server->hosted_, config.outbox.peers);
  builder.RegisterCallbackGenericService(server->not_hosted_.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<CallGuardFactory>(server->guard_));
  builder.experimental().SetInterceptorCreators(std::move(factories));
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    server->server_.reset();
    return fail(ListenFailed(config.listen, ListenProblem(config.listen)));
  }
  // The development identity shows in health: the health service answers
  // for this name (following the server's status) only without TLS.
  if (!config.tls) {
    server->server_->GetHealthCheckService()->SetServingStatus(kDevelopmentIdentityHealth, true);
  }
  // Health answers for each hosted service by name, and for the outbox.
  for (const std::string& service : server->hosted_) {
    server->server_->GetHealthCheckService()->SetServingStatus(service, false);
  }
  server->server_->GetHealthCheckService()->SetServingStatus(kOutboxHealth, false);
  // Not serving until timers that fell due while the server was down fired.
  server->server_->GetHealthCheckService()->SetServingStatus(false);
  if (config.timer_poll > absl::ZeroDuration()) {
    absl::StatusOr<int> fired = server->timers_->FireDue();
    if (!fired.ok()) return fail(fired.status());
    // Messages an earlier run left half-delivered are sent before serving
    // when their target is in this process; those for peers go in the
    // background, so a peer that is down does not hold the start.
    absl::StatusOr<int> linked = server->outbox_->DeliverDue(/*include_peers=*/false);
    if (!linked.ok()) return fail(linked.status());
    server->timers_->Start(config.timer_poll);
    server->outbox_->Start(config.timer_poll);
  }
  if (server->metrics_ != nullptr) {
    server->metrics_->Attach({server->engine_.get(), server->store_.get(), server->timers_.get(),
                              clock, [self = server.get()] { return self->serving(); }});
  }
  server->outbox_->SetParkedListener([self = server.get()] { self->CheckHealth(); });
  server->CheckHealth();
  if (config.space_poll > absl::ZeroDuration()) {
    CaseworkServer* self = server.get();
    const absl::Duration poll = config.space_poll;
    server->health_thread_ = std::thread([self, poll] {
      std::unique_lock<std::mutex> lock(self->health_mu_);
      while (!self->stop_health_) {
        self->health_cv_.wait_for(lock, absl::ToChronoMilliseconds(poll));
        if (self->stop_health_) break;
        lock.unlock();
        self->CheckHealth();
        lock.lock();
      }
    });
  }
  return server;
}

CaseworkServer::~CaseworkServer() { Shutdown(absl::Seconds(5)); }

namespace {

// Adds the process's in-process key to every call of the in-process
// channel, so that under mutual TLS the server knows the call as its own.
class InProcessKey final : public grpc::experimental::Interceptor {
 public:
  explicit InProcessKey(const std::string* key) : key_(key) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kInProcessKeyHeader, *key_);
    }
    methods->Proceed();
  }

 private:
  const std::string* const key_;
};

class InProcessKeyFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit InProcessKeyFactory(std::shared_ptr<const TransportIdentityResolver> identity)
      : identity_(std::move(identity)) {}

  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new InProcessKey(&identity_->in_process_key());
  }

 private:
  const std::shared_ptr<const TransportIdentityResolver> identity_;
};

}  // namespace

std::shared_ptr<grpc::Channel> CaseworkServer::InProcessChannel() {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kMaxReplyBytes);
  const std::shared_ptr<const TransportIdentityResolver>& identity = guard_->options().identity;
  if (identity == nullptr) return server_->InProcessChannel(arguments);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<InProcessKeyFactory>(identity));
  return server_->experimental().InProcessChannelWithInterceptors(arguments, std::move(creators));
}

void CaseworkServer::CheckHealth() {
  if (store_ == nullptr) return;
  storage::SpaceReport report = store_->CheckSpace();
  SetServing(report.writes.ok(), std::string(report.writes.message()));
}

void CaseworkServer::SetServing(bool serving, const std::string& reason) {
  std::lock_guard<std::mutex> lock(health_mu_);
  if (draining_ || server_ == nullptr) return;
  const bool outbox_clear = outbox_ == nullptr || outbox_->parked() == 0;
  if (serving == serving_ && outbox_clear == outbox_clear_ &&
      (serving || reason == not_serving_)) {
    return;
  }
  const bool changed = serving != serving_;
  serving_ = serving;
  outbox_clear_ = outbox_clear;
  not_serving_ = serving ? "" : reason;
  server_->GetHealthCheckService()->SetServingStatus(serving);
  // Sets every name; the outbox's follows its parked messages as well.
  server_->GetHealthCheckService()->SetServingStatus(kOutboxHealth, serving && outbox_clear);
  if (changed) {
    const std::string line = serving
                                 ? "caseworkd: health: SERVING\n"
                                 : absl::StrCat("caseworkd: health: NOT_SERVING: ", reason, "\n");
    // Intentionally ignored: a lost log line must not fail anything.
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
  }
}

bool CaseworkServer::serving(std::string* reason) const {
  std::lock_guard<std::mutex> lock(health_mu_);
  if (reason != nullptr) *reason = not_serving_;
  return serving_;
}

void CaseworkServer::StartDraining() {
  std::lock_guard<std::mutex> lock(health_mu_);
  if (draining_) return;
  draining_ = true;
  serving_ = false;
  not_serving_ = "draining: the server is stopping";
  // Shutdown() of the health service: NOT_SERVING from now on, whatever
  // anyone sets later.
  if (server_ != nullptr) server_->GetHealthCheckService()->Shutdown();
}

void CaseworkServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    stop_health_ = true;
  }
  health_cv_.notify_all();
  if (health_thread_.joinable()) health_thread_.join();
  if (server_ != nullptr) {
    StartDraining();
    // Subscriptions never end on their own: end them first, with a status
    // their clients resume on.
    if (feed_ != nullptr) feed_->Shutdown();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  feed_.reset();
  if (outbox_ != nullptr) outbox_->Stop();
  if (metrics_ != nullptr) metrics_->Detach();
  if (timers_ != nullptr) timers_->Stop();
  if (engine_ != nullptr) engine_->Stop();
  audit_.reset();
  store_.reset();
}

}  // namespace casework::services
