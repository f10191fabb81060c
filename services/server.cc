#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "services/action_service.h"
#include "services/calendar_service.h"
#include "services/call_context.h"
#include "services/case_review_service.h"
#include "services/complaint_service.h"
#include "services/deadline_service.h"
#include "services/event_service.h"
#include "services/policy_service.h"
#include "services/request_log.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

template <typename Service>
std::unique_ptr<grpc::Service> Make(const ServiceDeps& deps) {
  return std::make_unique<Service>(deps);
}

}  // namespace

const std::vector<std::pair<absl::string_view, ServiceFactory>>& ServiceFactories() {
  static const auto* factories = new std::vector<std::pair<absl::string_view, ServiceFactory>>{
      {"casework.v1.EventService", &Make<EventService>},
      {"casework.v1.DeadlineService", &Make<DeadlineService>},
      {"casework.v1.ActionService", &Make<ActionService>},
      {"casework.v1.CalendarService", &Make<CalendarService>},
      {"casework.v1.CaseReviewService", &Make<CaseReviewService>},
      {"casework.v1.ComplaintService", &Make<ComplaintService>},
      {"casework.v1.PolicyService", &Make<PolicyService>},
  };
  return *factories;
}

ServiceFactory FindFactory(absl::string_view service) {
  for (const auto& [name, make] : ServiceFactories()) {
    if (name == service) return make;
  }
  return nullptr;
}

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
                                                  clock, server->calendars_.get(),
                                                  &workflow::Workflows());

  ServiceDeps deps;
  deps.store = server->store_.get();
  deps.engine = server->engine_.get();
  deps.clock = clock;
  deps.calendars = server->calendars_.get();
  deps.registry = &workflow::Workflows();
  deps.london = london;
  for (const auto& [name, make] : ServiceFactories()) server->services_.push_back(make(deps));
  for (const workflow::Workflow* w : deps.registry->workflows()) {
    if (!w->service().empty() && FindFactory(w->service()) == nullptr) {
      return absl::InternalError(absl::StrCat("workflow ", w->name(), " is served by ",
                                              w->service(), ", which caseworkd does not host"));
    }
  }

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
