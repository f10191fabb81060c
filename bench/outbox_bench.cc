#include "bench/outbox_bench.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "casework/v1/panels.pb.h"
#include "services/server.h"
#include "storage/clock.h"
#include "tools/scenario/referrals.h"
#include "workflow/common/status.h"

namespace casework::bench {
namespace {

constexpr char kLinkKey[] = "bench-link-key-0123456789abcdef0123456789";
constexpr int kPerReview = 50;  // the most recommendations an outcome holds

using scenario::PublishPolicy;

services::ServerConfig Config(const std::string& dir, bool sync) {
  services::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.data_dir = dir;
  config.sync = sync;
  config.request_log = false;
  config.timer_poll = absl::ZeroDuration();
  config.space_poll = absl::ZeroDuration();
  config.outbox.link_key = kLinkKey;
  return config;
}

// Loads `messages` referrals into `reviews` and times one DeliverDue;
// checks every one reached `panels` (a channel to the panels' server).
absl::StatusOr<double> Deliver(services::CaseworkServer& reviews,
                               const std::shared_ptr<grpc::Channel>& panels, int messages,
                               bool* all_linked) {
  for (int done = 0, n = 0; done < messages; done += kPerReview, ++n) {
    RETURN_IF_ERROR(scenario::ReferRecommendations(reviews.InProcessChannel(),
                                                   absl::StrCat("cmp-bench-", n),
                                                   std::min(kPerReview, messages - done))
                        .status());
  }
  const absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(const int delivered, reviews.outbox().DeliverDue());
  const absl::Duration took = absl::Now() - start;
  ASSIGN_OR_RETURN(const int again, reviews.outbox().DeliverDue());
  ASSIGN_OR_RETURN(const std::vector<v1::PanelCase> cases, scenario::ListPanelCases(panels));
  *all_linked = delivered == messages && again == 0 && static_cast<int>(cases.size()) == messages;
  return absl::ToDoubleMicroseconds(took) / std::max(1, delivered);
}

}  // namespace

absl::StatusOr<OutboxFigures> MeasureOutbox(const std::string& dir, bool sync, int messages) {
  ManualClock clock(
      absl::FromCivil(absl::CivilSecond(2026, 11, 16, 10, 0, 0), absl::UTCTimeZone()));
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  OutboxFigures figures;
  figures.messages = messages;
  bool linked_here = false;
  bool linked_there = false;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<services::CaseworkServer> all,
                     services::CaseworkServer::Start(Config(dir + "/all", sync), &clock));
    RETURN_IF_ERROR(PublishPolicy(all->InProcessChannel()));
    ASSIGN_OR_RETURN(figures.in_process_us,
                     Deliver(*all, all->InProcessChannel(), messages, &linked_here));
  }
  {
    services::ServerConfig panels_config = Config(dir + "/panels", sync);
    panels_config.services = {"panels"};
    ASSIGN_OR_RETURN(std::unique_ptr<services::CaseworkServer> panels,
                     services::CaseworkServer::Start(panels_config, &clock));
    services::ServerConfig reviews_config = Config(dir + "/reviews", sync);
    reviews_config.services = {"complaints", "case-reviews"};
    reviews_config.outbox.peers["casework.v1.PanelService"] =
        absl::StrCat("127.0.0.1:", panels->port());
    ASSIGN_OR_RETURN(std::unique_ptr<services::CaseworkServer> reviews,
                     services::CaseworkServer::Start(reviews_config, &clock));
    RETURN_IF_ERROR(PublishPolicy(reviews->InProcessChannel()));
    RETURN_IF_ERROR(PublishPolicy(panels->InProcessChannel()));
    ASSIGN_OR_RETURN(figures.grpc_us,
                     Deliver(*reviews, panels->InProcessChannel(), messages, &linked_there));
  }
  figures.ratio = figures.in_process_us > 0 ? figures.grpc_us / figures.in_process_us : 0;
  figures.all_linked = linked_here && linked_there;
  return figures;
}

}  // namespace casework::bench
