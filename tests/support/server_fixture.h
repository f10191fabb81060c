// A caseworkd server in a temporary data directory with a manual clock, for
// tests through the real gRPC API: start, restart on the same data, stubs
// over an in-process channel or the network, and calls with an identity.
#ifndef CASEWORK_TESTS_SUPPORT_SERVER_FIXTURE_H_
#define CASEWORK_TESTS_SUPPORT_SERVER_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "casework/v1/events.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "services/server.h"
#include "storage/clock.h"
#include "tests/support/test_support.h"

namespace casework::testing {

class ServerFixture : public ::testing::Test {
 protected:
  explicit ServerFixture(absl::Time start) : clock_(start) {}

  void SetUp() override { Start(); }

  // Starts a server on the fixture's data directory (port 0, no request log,
  // timers fired only by the test unless `timer_poll` is set).
  void Start(std::shared_ptr<storage::FaultInjector> faults = nullptr,
             absl::Duration timer_poll = absl::ZeroDuration());
  // Stops the server (it drains) and starts a new one on the same data,
  // with `faults` if given.
  void Restart(std::shared_ptr<storage::FaultInjector> faults = nullptr);

  // A channel that bypasses the network, and one over loopback TCP.
  std::shared_ptr<grpc::Channel> InProcess() { return server_->InProcessChannel(); }
  std::shared_ptr<grpc::Channel> Network();

  // Calls `method` on `stub` as agency/user/role.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    Stub* stub, const Request& request, Response* response,
                    const std::string& role = "caseworker",
                    const std::string& agency = "eastbrook-council") {
    grpc::ClientContext context;
    SetIdentity(context, agency, "u-1", role);
    return (stub->*method)(&context, request, response);
  }

  // Publishes `policy` for partnership "eastbrook" as an admin; the
  // published version.
  v1::Policy Publish(v1::Policy policy, const std::string& request_id = "policy-1");

  ManualClock& clock() { return clock_; }

  TempDir dir_;
  // The event feed's options for the next Start.
  services::FeedOptions feed_options_;
  // The metrics endpoint's address for the next Start; empty: none.
  std::string metrics_listen_;
  // The backup directory and how many backups it keeps, for the next Start.
  std::string backup_dir_;
  int backup_keep_ = 7;
  // The partnerships the next Start holds (services/placement.h); null: all.
  std::shared_ptr<const services::Placement> placement_;
  ManualClock clock_;
  std::unique_ptr<services::CaseworkServer> server_;
};

// What a Subscribe call sent until the reader stopped.
struct FeedRead {
  std::vector<v1::EventEnvelope> events;
  std::vector<v1::Checkpoint> checkpoints;
  // The call's status when it ended before the reader stopped; OK if the
  // reader stopped it (caught up).
  grpc::Status status;
};

// True for a checkpoint at the log's head (the subscriber is caught up).
bool CaughtUp(const v1::SubscribeResponse& message);

// Subscribes with `request` as agency/user/role and reads until a
// checkpoint at the log's head (caught up), then cancels the call; or until
// the call ends.
FeedRead ReadFeedUntilCaughtUp(const std::shared_ptr<grpc::Channel>& channel,
                               const v1::SubscribeRequest& request,
                               const std::string& agency = "eastbrook-council",
                               const std::string& user = "u-1",
                               const std::string& role = "caseworker");

// The global positions of `events`.
std::vector<uint64_t> Positions(const std::vector<v1::EventEnvelope>& events);

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_SUPPORT_SERVER_FIXTURE_H_
