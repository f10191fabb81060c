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

void ServerFixture::Restart() {
  server_.reset();
  Start();
}

std::shared_ptr<grpc::Channel> ServerFixture::Network() {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                             grpc::InsecureChannelCredentials());
}

}  // namespace casework::testing
