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

}  // namespace casework::testing
