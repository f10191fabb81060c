// A split deployment's servers, in this test process with an injected
// clock (split_processes_test.cc runs the real processes behind nginx):
//
//   * a server refuses what it does not host, naming the service; its
//     health and reflection list what it hosts; a group without what it
//     needs, an unknown group, peers without a link key or off the machine
//     without TLS do not start;
//   * a copy of an all-in-one data directory serving other groups leaves
//     the case reviews' timers alone;
//   * referrals whose target refuses them for good are parked, listed (a
//     page at a time), alerted in health, and delivered once each when the
//     deployment is fixed;
//   * stopping the outbox cancels a call to a peer that does not answer;
//   * the link key: a wrong one is not the engine, the right one opens only
//     the outbox's targets.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "storage/clock.h"
#include "tests/services/hardening_support.h"
#include "tests/services/split_support.h"
#include "tests/support/test_support.h"
#include "workflow/registry.h"

namespace casework::services::split {
namespace {

using hardening::Connect;
using hardening::MustStart;
using hardening::TestConfig;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 16, 10, 0, 0), absl::UTCTimeZone());

// A link key for the tests (a deployment's comes from --link_key_file).
constexpr char kLinkKey[] = "test-link-key-0123456789abcdef0123456789";

TEST(SplitDeploymentTest, AProcessRefusesWhatItDoesNotHostNamingTheService) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  ServerConfig config = TestConfig(dir.Sub("panels"));
  config.services = {"panels"};
  std::unique_ptr<CaseworkServer> panels = MustStart(config, &clock);
  ASSERT_NE(panels, nullptr);
  std::shared_ptr<grpc::Channel> channel = Connect(panels->port());

  v1::CaseReview review;
  const grpc::Status refused = GetReview(channel, "partnerships/eastbrook/caseReviews/1", &review);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(refused.error_message(),
            "casework.v1.CaseReviewService is not hosted by this server (--services would need "
            "case-reviews)");
  std::string ignored;
  const grpc::Status no_method =
      testing::GenericUnary(channel, "/casework.v1.PanelService/NoSuchMethod", "", &ignored);
  EXPECT_EQ(no_method.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(no_method.error_message(), "no such method /casework.v1.PanelService/NoSuchMethod");
  const grpc::Status unknown =
      testing::GenericUnary(channel, "/casework.v1.NoSuchService/Do", "", &ignored);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(unknown.error_message(), "no such method /casework.v1.NoSuchService/Do");

  EXPECT_EQ(HealthOf(channel, "casework.v1.PanelService"), "SERVING");
  EXPECT_EQ(HealthOf(channel, "casework.v1.PanelMeetingService"), "SERVING");
  EXPECT_EQ(HealthOf(channel, "casework.v1.EventService"), "SERVING");
  EXPECT_EQ(HealthOf(channel, "casework.outbox"), "SERVING");
  EXPECT_EQ(HealthOf(channel, "casework.v1.CaseReviewService"), "SERVICE_UNKNOWN");

  const std::vector<std::string> services = testing::ReflectedServices(channel);
  EXPECT_THAT(services, IsSupersetOf({"casework.v1.PanelService", "casework.v1.PanelMeetingService",
                                      "casework.v1.EventService", "casework.v1.OutboxService",
                                      "casework.v1.PolicyService", "grpc.health.v1.Health"}));
  EXPECT_THAT(services, Not(Contains("casework.v1.CaseReviewService")));
  EXPECT_THAT(services, Not(Contains("casework.v1.ComplaintService")));
  EXPECT_THAT(services, Not(Contains("casework.v1.DeathReviewService")));
}

TEST(SplitDeploymentTest, AGroupWithoutWhatItNeedsOrAnUnknownGroupDoesNotStart) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  ServerConfig config = TestConfig(dir.Sub("d"));
  config.services = {"case-reviews"};
  absl::StatusOr<std::unique_ptr<CaseworkServer>> server = CaseworkServer::Start(config, &clock);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.status().message(),
            "--services: case-reviews needs complaints in the same process (threshold "
            "evaluation reads the complainant's ledger)");
  config.services = {"panels", "jag"};
  server = CaseworkServer::Start(config, &clock);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().message(),
            "--services: unknown group \"jag\" (one of all, complaints, case-reviews, panels, "
            "death-reviews, actions)");
  config.services = {"panels"};
  config.outbox.peers["casework.v1.CaseReviewService"] = "127.0.0.1:1";
  server = CaseworkServer::Start(config, &clock);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(server.status().message(), HasSubstr("--peers needs --link_key_file"));
  // Without TLS the link key must not leave the machine.
  config.outbox.link_key = kLinkKey;
  config.outbox.peers["casework.v1.CaseReviewService"] = "10.0.0.7:50051";
  server = CaseworkServer::Start(config, &clock);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(server.status().message(),
              HasSubstr("refusing to send outbox deliveries to 10.0.0.7:50051 without TLS"));
}

// All-in-one to split by copying the data directory: a process serving the
// panels on a copy leaves the case reviews' timers (and outbox messages) in
// it alone; they belong to the process that serves case reviews.
TEST(SplitDeploymentTest, ACopyServingOtherGroupsLeavesTheirTimersAlone) {
  testing::TempDir dir;
  ManualClock clock(kNow);
  std::string review;
  {
    std::unique_ptr<CaseworkServer> all = MustStart(TestConfig(dir.Sub("d")), &clock);
    ASSERT_NE(all, nullptr);
    ASSERT_TRUE(PublishPolicy(Connect(all->port()), "").ok());
    review = ReferRecommendations(Connect(all->port()), "cmp-copy", 1);
    ASSERT_FALSE(review.empty());
  }
  clock.Advance(absl::Hours(24 * 400));  // every deadline of the review is due
  auto version = [&](CaseworkServer& server) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> events =
        server.store().ReadStream(review, 1, 10000);
    return events.ok() ? static_cast<int>(events->size()) : -1;
  };
  {
    ServerConfig config = TestConfig(dir.Sub("d"));
    config.services = {"panels"};
    std::unique_ptr<CaseworkServer> panels = MustStart(config, &clock);
    ASSERT_NE(panels, nullptr);
    const int before = version(*panels);
    absl::StatusOr<int> fired = panels->timers().FireDue();
    ASSERT_TRUE(fired.ok()) << fired.status();
    EXPECT_EQ(*fired, 0);
    EXPECT_EQ(*panels->outbox().DeliverDue(), 0);
    EXPECT_EQ(version(*panels), before);
  }
  std::unique_ptr<CaseworkServer> reviews = MustStart(TestConfig(dir.Sub("d")), &clock);
  ASSERT_NE(reviews, nullptr);
  const int before = version(*reviews);
  absl::StatusOr<int> fired = reviews->timers().FireDue();
  ASSERT_TRUE(fired.ok()) << fired.status();
  EXPECT_GT(*fired, 0);
  EXPECT_GT(version(*reviews), before);
}

// Case reviews in one server, panels in another, in this test process (the
// same code as separate processes, with an injected clock).
class TwoServers : public ::testing::Test {
 protected:
  TwoServers() : clock_(kNow) {}

  std::unique_ptr<CaseworkServer> Start(std::vector<std::string> groups,
                                        std::map<std::string, std::string> peers,
                                        const std::string& name) {
    ServerConfig config = TestConfig(dir_.Sub(name));
    config.services = std::move(groups);
    config.outbox.peers = std::move(peers);
    config.outbox.link_key = kLinkKey;
    return MustStart(config, &clock_);
  }

  testing::TempDir dir_;
  ManualClock clock_;
};

TEST_F(TwoServers, AReferralRefusedForGoodIsParkedListedAlertedAndDeliveredOnceFixed) {
  std::unique_ptr<CaseworkServer> panels = Start({"panels"}, {}, "panels");
  std::unique_ptr<CaseworkServer> deaths = Start({"death-reviews", "actions"}, {}, "deaths");
  ASSERT_NE(panels, nullptr);
  ASSERT_NE(deaths, nullptr);
  // Misconfigured: the panels "peer" is the death reviews process.
  std::unique_ptr<CaseworkServer> reviews =
      Start({"complaints", "case-reviews"},
            {{"casework.v1.PanelService", absl::StrCat("127.0.0.1:", deaths->port())}}, "reviews");
  ASSERT_NE(reviews, nullptr);
  std::shared_ptr<grpc::Channel> at_reviews = Connect(reviews->port());
  std::shared_ptr<grpc::Channel> at_panels = Connect(panels->port());
  ASSERT_TRUE(PublishPolicy(at_reviews, "").ok());
  ASSERT_TRUE(PublishPolicy(at_panels, "").ok());
  const std::string review = ReferRecommendations(at_reviews, "cmp-parked", 2);
  ASSERT_FALSE(review.empty());

  absl::StatusOr<int> delivered = reviews->outbox().DeliverDue();
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_EQ(*delivered, 0);
  EXPECT_EQ(reviews->outbox().parked(), 2);
  v1::ListOutboxMessagesResponse outbox;
  ASSERT_TRUE(ListOutbox(at_reviews, "", &outbox).ok());
  ASSERT_EQ(outbox.messages_size(), 2);
  const v1::OutboxMessage parked = outbox.messages(0);
  EXPECT_EQ(outbox.messages(1).key(), "caseReviews/~referrals/eastbrook/000000000001/000000000002");
  // One at a time: the second page resumes after the first.
  {
    auto stub = v1::OutboxService::NewStub(at_reviews);
    v1::ListOutboxMessagesRequest list;
    list.set_parent(kPartnership);
    list.set_page_size(1);
    std::vector<std::string> keys;
    do {
      grpc::ClientContext context;
      Identify(context, "admin");
      v1::ListOutboxMessagesResponse page;
      ASSERT_TRUE(stub->ListOutboxMessages(&context, list, &page).ok());
      for (const v1::OutboxMessage& m : page.messages()) keys.push_back(m.key());
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
    EXPECT_THAT(keys, ::testing::ElementsAre(outbox.messages(0).key(), outbox.messages(1).key()));
  }
  EXPECT_EQ(parked.key(), "caseReviews/~referrals/eastbrook/000000000001/000000000001");
  EXPECT_EQ(parked.route(), "panel-referral");
  EXPECT_EQ(parked.target_method(), "casework.v1.PanelService/ReceiveRecommendation");
  EXPECT_EQ(parked.request_id(), absl::StrCat("recommendation:", review, "#1"));
  EXPECT_EQ(parked.peer(), absl::StrCat("127.0.0.1:", deaths->port()));
  EXPECT_EQ(parked.attempts(), 1);
  EXPECT_TRUE(parked.parked());
  EXPECT_THAT(parked.last_error(),
              HasSubstr("UNIMPLEMENTED: 127.0.0.1:" + std::to_string(deaths->port()) +
                        ": casework.v1.PanelService is not hosted by this server"));
  EXPECT_EQ(HealthOf(at_reviews, "casework.outbox"), "NOT_SERVING");
  EXPECT_EQ(HealthOf(at_reviews, ""), "SERVING");
  // A parked message waits for an operator: polls leave it alone.
  EXPECT_EQ(*reviews->outbox().DeliverDue(), 0);
  ASSERT_TRUE(ListOutbox(at_reviews, "", &outbox).ok());
  EXPECT_EQ(outbox.messages(outbox.messages_size() - 1).attempts(), 1);

  // An operator retries: still refused (the configuration is still wrong).
  {
    auto stub = v1::OutboxService::NewStub(at_reviews);
    grpc::ClientContext context;
    Identify(context, "admin");
    v1::RetryOutboxMessageRequest retry;
    retry.set_parent(kPartnership);
    retry.set_key(parked.key());
    v1::OutboxMessage retried;
    ASSERT_TRUE(stub->RetryOutboxMessage(&context, retry, &retried).ok());
    EXPECT_FALSE(retried.parked());
    grpc::ClientContext other;
    Identify(other, "admin");
    retry.set_parent("partnerships/westford");
    EXPECT_EQ(stub->RetryOutboxMessage(&other, retry, &retried).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(*reviews->outbox().DeliverDue(), 0);
  EXPECT_EQ(reviews->outbox().parked(), 2);

  // Fixed: restarted with the right peer, the message is delivered once.
  reviews.reset();
  reviews =
      Start({"complaints", "case-reviews"},
            {{"casework.v1.PanelService", absl::StrCat("127.0.0.1:", panels->port())}}, "reviews");
  ASSERT_NE(reviews, nullptr);
  at_reviews = Connect(reviews->port());
  EXPECT_EQ(*reviews->outbox().DeliverDue(), 2);
  EXPECT_EQ(*reviews->outbox().DeliverDue(), 0);
  EXPECT_EQ(HealthOf(at_reviews, "casework.outbox"), "SERVING");
  ASSERT_TRUE(ListOutbox(at_reviews, "", &outbox).ok());
  EXPECT_EQ(outbox.messages_size(), 0);

  v1::CaseReview linked;
  ASSERT_TRUE(GetReview(at_reviews, review, &linked).ok());
  const std::vector<v1::PanelCase> cases = ListPanelCases(at_panels);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(linked.outcome().recommendations(0).referral().panel_case(), cases[0].name());
  EXPECT_EQ(cases[0].from_case_review(), review);
  EXPECT_EQ(cases[0].from_recommendation(), 1);
  EXPECT_EQ(cases[0].state(), v1::PanelCase::REFERRED);
  // The panels process ran it as the engine, for the link key.
  absl::StatusOr<std::vector<v1::EventEnvelope>> events =
      panels->store().ReadStream(cases[0].name(), 1, 10);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->front().actor().user(), "links");
  EXPECT_EQ(events->front().request_id(), absl::StrCat("recommendation:", review, "#1"));
}

// The outbox delivers on its own thread; stopping it cancels a call to a
// peer that does not answer instead of waiting out its deadline, and the
// message waits for the next start.
TEST_F(TwoServers, StoppingTheOutboxCancelsACallToAPeerThatDoesNotAnswer) {
  // A peer that accepts connections and never says a word.
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(silent, 4), 0);
  ASSERT_EQ(getsockname(silent, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string address = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  std::unique_ptr<CaseworkServer> reviews =
      Start({"complaints", "case-reviews"}, {{"casework.v1.PanelService", address}}, "reviews");
  ASSERT_NE(reviews, nullptr);
  std::shared_ptr<grpc::Channel> channel = Connect(reviews->port());
  ASSERT_TRUE(PublishPolicy(channel, "").ok());
  ASSERT_FALSE(ReferRecommendations(channel, "cmp-silent", 1).empty());

  reviews->outbox().Start(absl::Seconds(1));
  // The dispatcher's call has started once its connection arrives.
  pollfd waiting{silent, POLLIN, 0};
  ASSERT_EQ(poll(&waiting, 1, 20000), 1);
  const int connection = accept(silent, nullptr, nullptr);
  ASSERT_GE(connection, 0);
  reviews->outbox().Stop();

  v1::ListOutboxMessagesResponse outbox;
  ASSERT_TRUE(ListOutbox(channel, "", &outbox).ok());
  ASSERT_EQ(outbox.messages_size(), 1);
  EXPECT_EQ(outbox.messages(0).attempts(), 1);
  EXPECT_FALSE(outbox.messages(0).parked());
  EXPECT_THAT(outbox.messages(0).last_error(), HasSubstr("CANCELLED: " + address));
  close(connection);
  close(silent);
}

TEST_F(TwoServers, ACallCarryingAWrongLinkKeyIsNotTheEngine) {
  std::unique_ptr<CaseworkServer> panels = Start({"panels"}, {}, "panels");
  ASSERT_NE(panels, nullptr);
  auto stub = v1::PanelService::NewStub(Connect(panels->port()));
  v1::ReceiveRecommendationRequest request;
  request.set_parent(kPartnership);
  request.set_request_id("forged");
  for (const std::string& key : {std::string("wrong-key-0123456789abcdef0123456789"),
                                std::string(kLinkKey) + "x", std::string()}) {
    grpc::ClientContext context;
    Identify(context, "admin");
    context.AddMetadata("x-casework-link-key", key);
    v1::PanelCaseResponse response;
    const grpc::Status status = stub->ReceiveRecommendation(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << key;
    EXPECT_EQ(status.error_message(),
              "/casework.v1.PanelService/ReceiveRecommendation is run only by the engine itself");
  }
  // The right key opens the outbox's targets only.
  auto policies = v1::PolicyService::NewStub(Connect(panels->port()));
  grpc::ClientContext context;
  Identify(context, "caseworker");
  context.AddMetadata("x-casework-link-key", kLinkKey);
  v1::PublishPolicyRequest publish;
  publish.set_parent(kPartnership);
  publish.set_request_id("by-link-key");
  *publish.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
  v1::Policy policy;
  const grpc::Status refused = policies->PublishPolicy(&context, publish, &policy);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(refused.error_message(),
            "the link key is for outbox deliveries; /casework.v1.PolicyService/PublishPolicy is "
            "not one");
}

}  // namespace
}  // namespace casework::services::split
