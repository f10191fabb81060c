#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "services/action_service.h"
#include "services/call_context.h"
#include "services/case_review_service.h"
#include "services/deadline_service.h"
#include "services/event_service.h"
#include "services/request_log.h"

namespace casework::services {

absl::StatusOr<std::unique_ptr<CaseworkServer>> CaseworkServer::Start(const ServerConfig& config,
                                                                      const Clock* clock) {
  if (!IsLoopbackListen(config.listen)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", config.listen,
        ": callers identify themselves through request metadata, which is only safe on a "
        "loopback address (127.0.0.1, localhost or [::1])"));
  }
  if (config.data_dir.empty()) return absl::InvalidArgumentError("--data_dir is required");
  absl::TimeZone london;
  if (!absl::LoadTimeZone("Europe/London", &london)) {
    return absl::FailedPreconditionError(
        "cannot load time zone Europe/London: install the tzdata package");
  }

  std::unique_ptr<CaseworkServer> server(new CaseworkServer());
  storage::StoreOptions store_options;
  store_options.path = config.data_dir;
  store_options.sync = config.sync;
  store_options.faults = config.faults;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store =
      storage::EventStore::Open(store_options);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  absl::StatusOr<std::unique_ptr<CalendarProvider>> calendars =
      CalendarProvider::Load(*server->store_);
  if (!calendars.ok()) return calendars.status();
  server->calendars_ = *std::move(calendars);
  storage::EngineOptions engine_options = config.engine;
  engine_options.time_zone = london;
  server->engine_ =
      std::make_unique<storage::Engine>(server->store_.get(), clock, engine_options);
  server->timers_ = std::make_unique<TimerWorker>(server->store_.get(), server->engine_.get(),
                                                  clock, server->calendars_.get());

  storage::EventStore* store_ptr = server->store_.get();
  storage::Engine* engine_ptr = server->engine_.get();
  CalendarProvider* calendars_ptr = server->calendars_.get();
  server->services_.push_back(std::make_unique<EventService>(store_ptr));
  server->services_.push_back(
      std::make_unique<ActionService>(store_ptr, engine_ptr, clock, calendars_ptr, london));
  server->services_.push_back(
      std::make_unique<DeadlineService>(store_ptr, clock, calendars_ptr, london));
  server->services_.push_back(std::make_unique<CalendarService>(store_ptr, engine_ptr, calendars_ptr));
  CaseReviewDeps deps{store_ptr, engine_ptr, clock, calendars_ptr, london};
  server->services_.push_back(std::make_unique<CaseReviewService>(deps));
  server->services_.push_back(std::make_unique<ComplaintService>(deps));
  server->services_.push_back(std::make_unique<PolicyService>(deps));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), &server->port_);
  for (auto& service : server->services_) builder.RegisterService(service.get());
  if (config.request_log) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(std::make_unique<RequestLogFactory>());
    builder.experimental().SetInterceptorCreators(std::move(factories));
  }
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    server->timers_->Stop();
    server->engine_->Stop();
    server->shut_down_ = true;
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen,
                                               " (address in use or not available)"));
  }
  if (config.timer_poll > absl::ZeroDuration()) {
    // Timers that fell due while the server was down fire before it serves.
    absl::StatusOr<int> fired = server->timers_->FireDue();
    if (!fired.ok()) return fired.status();
    server->timers_->Start(config.timer_poll);
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  return server;
}

CaseworkServer::~CaseworkServer() { Shutdown(absl::Seconds(5)); }

std::shared_ptr<grpc::Channel> CaseworkServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

void CaseworkServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  timers_->Stop();
  engine_->Stop();
  store_.reset();
}

}  // namespace casework::services
