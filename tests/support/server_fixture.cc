#include "tests/support/server_fixture.h"

#include "absl/strings/str_cat.h"

namespace casework::testing {

void ServerFixture::Start(std::shared_ptr<storage::FaultInjector> faults,
                          absl::Duration timer_poll) {
  services::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.data_dir = dir_.Sub("data");
  config.request_log = false;
  config.timer_poll = timer_poll;
  config.faults = std::move(faults);
  config.feed = feed_options_;
  config.metrics_listen = metrics_listen_;
  config.backup_dir = backup_dir_;
  config.backup_keep = backup_keep_;
  config.placement = placement_;
  // Personal data is sealed, as in every deployment that follows the README.
  config.master_key_file = EnsureMasterKeyFile(dir_.Sub("master.key"));
  absl::StatusOr<std::unique_ptr<services::CaseworkServer>> server =
      services::CaseworkServer::Start(config, &clock_);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = *std::move(server);
}

void ServerFixture::Restart(std::shared_ptr<storage::FaultInjector> faults) {
  server_.reset();
  Start(std::move(faults));
}

std::shared_ptr<grpc::Channel> ServerFixture::Network() {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                             grpc::InsecureChannelCredentials());
}

v1::Policy ServerFixture::Publish(v1::Policy policy, const std::string& request_id) {
  v1::PublishPolicyRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_request_id(request_id);
  *request.mutable_policy() = std::move(policy);
  v1::Policy out;
  auto stub = v1::PolicyService::NewStub(InProcess());
  grpc::Status status =
      Call(&v1::PolicyService::Stub::PublishPolicy, stub.get(), request, &out, "admin");
  EXPECT_TRUE(status.ok()) << status.error_message();
  return out;
}

bool CaughtUp(const v1::SubscribeResponse& message) {
  return message.has_checkpoint() &&
         message.checkpoint().position() == message.checkpoint().head_position();
}

FeedRead ReadFeedUntilCaughtUp(const std::shared_ptr<grpc::Channel>& channel,
                               const v1::SubscribeRequest& request, const std::string& agency,
                               const std::string& user, const std::string& role) {
  auto stub = v1::EventService::NewStub(channel);
  grpc::ClientContext context;
  SetIdentity(context, agency, user, role);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);
  FeedRead read;
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
    if (message.has_event()) {
      read.events.push_back(message.event());
      continue;
    }
    read.checkpoints.push_back(message.checkpoint());
    if (CaughtUp(message)) break;
  }
  const bool caught_up = CaughtUp(message);
  if (caught_up) context.TryCancel();
  grpc::Status status = reader->Finish();
  if (!caught_up) read.status = status;
  return read;
}

std::vector<uint64_t> Positions(const std::vector<v1::EventEnvelope>& events) {
  std::vector<uint64_t> positions;
  for (const v1::EventEnvelope& e : events) positions.push_back(e.global_position());
  return positions;
}

}  // namespace casework::testing
