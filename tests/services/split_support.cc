#include "tests/services/split_support.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/services/hardening_support.h"
#include "tests/support/test_support.h"

namespace casework::services::split {
std::string ReferRecommendations(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& complainant, int count) {
  absl::StatusOr<std::string> name = scenario::ReferRecommendations(channel, complainant, count);
  EXPECT_TRUE(name.ok()) << name.status();
  return name.ok() ? *name : "";
}

grpc::Status GetReview(const std::shared_ptr<grpc::Channel>& channel, const std::string& name,
                       v1::CaseReview* review) {
  auto reviews = v1::CaseReviewService::NewStub(channel);
  grpc::ClientContext context;
  Identify(context);
  v1::GetCaseReviewRequest get;
  get.set_name(name);
  return reviews->GetCaseReview(&context, get, review);
}

std::vector<v1::PanelCase> ListPanelCases(const std::shared_ptr<grpc::Channel>& channel) {
  absl::StatusOr<std::vector<v1::PanelCase>> cases = scenario::ListPanelCases(channel);
  EXPECT_TRUE(cases.ok()) << cases.status();
  return cases.ok() ? *std::move(cases) : std::vector<v1::PanelCase>();
}

grpc::Status ListOutbox(const std::shared_ptr<grpc::Channel>& channel, const std::string& process,
                        v1::ListOutboxMessagesResponse* response) {
  auto outbox = v1::OutboxService::NewStub(channel);
  grpc::ClientContext context;
  Identify(context, "admin", process);
  v1::ListOutboxMessagesRequest list;
  list.set_parent(kPartnership);
  return outbox->ListOutboxMessages(&context, list, response);
}

std::string HealthOf(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                     const std::string& process) {
  grpc::ClientContext context;
  Identify(context, "caseworker", process);
  return hardening::Health(channel, service, &context);
}

}  // namespace casework::services::split
