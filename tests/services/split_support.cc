#include "tests/services/split_support.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
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
  auto panels = v1::PanelService::NewStub(channel);
  std::vector<v1::PanelCase> cases;
  v1::ListPanelCasesRequest list;
  list.set_parent(kPartnership);
  list.set_page_size(1000);
  do {
    grpc::ClientContext context;
    Identify(context, "panel_chair");
    v1::ListPanelCasesResponse page;
    const grpc::Status status = panels->ListPanelCases(&context, list, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (v1::PanelCase& c : *page.mutable_panel_cases()) cases.push_back(std::move(c));
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  return cases;
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
  // grpc.health.v1.HealthCheckRequest{service = 1}.
  std::string request =
      absl::StrCat("\x0a", std::string(1, static_cast<char>(service.size())), service);
  if (service.empty()) request.clear();
  grpc::ClientContext context;
  Identify(context, "caseworker", process);
  std::string response;
  const grpc::Status status =
      testing::GenericUnaryAs(channel, context, "/grpc.health.v1.Health/Check", request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return "SERVICE_UNKNOWN";
  if (!status.ok()) return absl::StrCat("error ", status.error_code());
  if (response == std::string("\x08\x01", 2)) return "SERVING";
  if (response == std::string("\x08\x02", 2)) return "NOT_SERVING";
  return "unexpected";
}

}  // namespace casework::services::split
