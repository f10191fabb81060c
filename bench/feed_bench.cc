#include "bench/feed_bench.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/child_process.h"
#include "bench/workloads.h"
#include "casework/v1/events.grpc.pb.h"
#include "services/call_context.h"
#include "workflow/common/status.h"

namespace casework::bench {
namespace {

using Steady = std::chrono::steady_clock;

constexpr int kInFlight = 64;
constexpr int kConnections = 4;

void Identify(grpc::ClientContext& context) {
  context.AddMetadata(services::kAgencyHeader, "eastbrook-council");
  context.AddMetadata(services::kUserHeader, "feed-bench");
  context.AddMetadata(services::kRoleHeader, "integration");
}

absl::StatusOr<uint64_t> Head(v1::EventService::Stub& events) {
  grpc::ClientContext context;
  Identify(context);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::ReadLogRequest request;
  request.set_from_position(UINT64_MAX >> 1);
  v1::ReadLogResponse page;
  grpc::Status status = events.ReadLog(&context, request, &page);
  if (!status.ok()) return absl::InternalError(absl::StrCat("ReadLog: ", status.error_message()));
  return page.head_position();
}

// Writes `calls` CreateAction commands at kInFlight in flight; the level
// and caseworkd's peak RSS meanwhile.
absl::StatusOr<LevelResult> Write(const std::vector<Operation>& creates, uint64_t calls,
                                  const ChildProcess& server, double* rss_mb) {
  // Without the reset, the peak covers the whole life so far.
  static_cast<void>(server.ResetPeakRss());
  LevelOptions options;
  options.in_flight = kInFlight;
  options.warmup = absl::ZeroDuration();
  options.duration = absl::Minutes(30);
  options.max_calls = calls;
  ASSIGN_OR_RETURN(LevelResult level, RunLevel(creates, options));
  ASSIGN_OR_RETURN(*rss_mb, server.PeakRssMb());
  return level;
}

// The runs and the catch-up against the caseworkd at `address`.
absl::Status Measure(const std::string& address, const ChildProcess& server, uint64_t calls,
                     FeedFigures& f) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < kConnections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("casework.bench.connection", i);
    channels.push_back(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  EngineWorkload workload(channels);
  workload.set_caller(EngineWorkload::Caller::kSystem);
  RETURN_IF_ERROR(workload.PublishPolicies());
  std::vector<Operation> creates;
  for (Operation& op : workload.Mix()) {
    if (op.name == "CreateAction") creates.push_back(std::move(op));
  }
  if (creates.size() != 1) return absl::InternalError("the mix has no CreateAction");

  // The subscriber has a connection of its own, as an integration would.
  auto feed = v1::EventService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  // Warm-up: the memtables and caches fill during the first writes, which
  // would otherwise count against whichever run comes first.
  double ignored_rss = 0;
  RETURN_IF_ERROR(Write(creates, calls / 2, server, &ignored_rss).status());
  ASSIGN_OR_RETURN(const uint64_t start, Head(*feed));
  ASSIGN_OR_RETURN(f.alone, Write(creates, calls, server, &f.rss_alone_mb));
  ASSIGN_OR_RETURN(const uint64_t before, Head(*feed));

  // Subscribed at the head, read up to the first checkpoint, then nothing.
  grpc::ClientContext context;
  Identify(context);
  v1::SubscribeRequest subscribe;
  subscribe.set_after_position(before);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      feed->Subscribe(&context, subscribe);
  v1::SubscribeResponse message;
  if (!reader->Read(&message) || !message.has_checkpoint()) {
    return absl::InternalError("the subscription sent no checkpoint at the head");
  }
  ASSIGN_OR_RETURN(f.stalled, Write(creates, calls, server, &f.rss_stalled_mb));
  ASSIGN_OR_RETURN(const uint64_t after, Head(*feed));
  if (before - start < calls) {
    return absl::InternalError(absl::StrCat(before - start, " events written, fewer than ",
                                            calls, " calls"));
  }

  // Reading again: everything since `before`, once each, in order.
  const Steady::time_point catch_up = Steady::now();
  uint64_t last = before;
  f.in_order = true;
  while (last < after && reader->Read(&message)) {
    if (!message.has_event()) continue;
    const uint64_t position = message.event().global_position();
    if (position <= last) f.in_order = false;
    last = position;
    ++f.caught_up_events;
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - catch_up).count();
  f.catch_up_events_per_s = seconds > 0 ? f.caught_up_events / seconds : 0;
  if (last != after || f.caught_up_events != after - before) f.in_order = false;
  context.TryCancel();
  static_cast<void>(reader->Finish());

  // Alone again, so that neither order nor the data's growth favours a run.
  ASSIGN_OR_RETURN(f.alone_after, Write(creates, calls, server, &f.rss_alone_after_mb));
  const double alone = (f.alone.calls_per_s + f.alone_after.calls_per_s) / 2;
  f.ratio = alone > 0 ? f.stalled.calls_per_s / alone : 0;
  f.rss_growth_mb = f.rss_stalled_mb - f.rss_alone_mb;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FeedFigures> MeasureFeed(const std::string& caseworkd, const std::string& dir,
                                        bool sync, uint64_t calls) {
  FeedFigures f;
  f.calls = calls;
  ASSIGN_OR_RETURN(ServerProcess server,
                   StartServer({caseworkd, "--listen=127.0.0.1:0",
                                absl::StrCat("--data_dir=", dir), sync ? "--sync" : "--nosync",
                                "--norequest_log", "--rate_limit_per_second=0"},
                               absl::Minutes(2)));
  // Every connection closes before the server is stopped (a graceful stop
  // waits for clients to go away).
  RETURN_IF_ERROR(Measure(server.address, *server.process, calls, f));
  RETURN_IF_ERROR(server.process->Stop(absl::Seconds(30)));
  return f;
}

}  // namespace casework::bench
