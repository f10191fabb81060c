// Per-identity rate limits (RESOURCE_EXHAUSTED with RetryInfo, each identity
// its own bucket, bounded memory) and the development identity's health
// name.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/errors.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/rate_limit.h"
#include "services/server.h"
#include "tests/services/hardening_support.h"
#include "tests/support/test_support.h"

namespace casework::services::hardening {
namespace {

using ::casework::testing::At;
using ::casework::testing::DetailOf;
using ::casework::testing::SetIdentity;
using ::casework::testing::TempDir;

TEST(RateLimiterTest, ABurstThenTheSustainedRate) {
  ManualClock clock(At(2026, 11, 2));
  RateLimiter limiter(/*per_second=*/2, /*burst=*/3, &clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("police/u1"), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("police/u1"), absl::Milliseconds(500));
  // Another identity has its own bucket.
  EXPECT_EQ(limiter.Take("council/u2"), absl::ZeroDuration());
  clock.Advance(absl::Milliseconds(250));
  EXPECT_EQ(limiter.Take("police/u1"), absl::Milliseconds(250));
  clock.Advance(absl::Milliseconds(250));
  EXPECT_EQ(limiter.Take("police/u1"), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("police/u1"), absl::Milliseconds(500));
}

TEST(RateLimiterTest, IdleCallersAreForgottenSoMemoryStaysBounded) {
  ManualClock clock(At(2026, 11, 2));
  RateLimiter limiter(10, 20, &clock);
  for (size_t i = 0; i < RateLimiter::kMaxIdentities; ++i) limiter.Take(absl::StrCat("a/", i));
  EXPECT_EQ(limiter.size(), RateLimiter::kMaxIdentities);
  clock.Advance(absl::Seconds(5));  // every bucket full again
  EXPECT_EQ(limiter.Take("a/new"), absl::ZeroDuration());
  EXPECT_EQ(limiter.size(), 1u);
}

TEST(RateLimitServerTest, ACallerBeyondItsLimitIsToldWhenToRetry) {
  TempDir dir;
  ServerConfig config = TestConfig(dir.Sub("data"));
  config.rate_limit_per_second = 1;
  config.rate_limit_burst = 2;
  ManualClock clock(kStart);
  std::unique_ptr<CaseworkServer> server = MustStart(config, &clock);
  ASSERT_NE(server, nullptr);
  auto actions = v1::ActionService::NewStub(server->InProcessChannel());
  auto list = [&](const std::string& user) {
    grpc::ClientContext context;
    SetIdentity(context, "eastbrook-council", user, "caseworker");
    v1::ListActionsRequest request;
    request.set_parent("partnerships/eastbrook");
    v1::ListActionsResponse response;
    return actions->ListActions(&context, request, &response);
  };
  EXPECT_TRUE(list("u-busy").ok());
  EXPECT_TRUE(list("u-busy").ok());
  const grpc::Status limited = list("u-busy");
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(limited.error_message(),
            "too many calls from eastbrook-council/u-busy: try again in 1000 ms");
  EXPECT_EQ(ReasonOf(limited), "RATE_LIMITED");
  std::optional<v1::RetryInfo> retry = DetailOf<v1::RetryInfo>(limited);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 1);
  // Someone else is not held up; the busy caller is after the delay.
  EXPECT_TRUE(list("u-other").ok());
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(list("u-busy").ok());
}

TEST(DevelopmentIdentityTest, HealthAnswersForTheDevelopmentIdentityName) {
  TempDir dir;
  ManualClock clock(kStart);
  std::unique_ptr<CaseworkServer> server = MustStart(TestConfig(dir.Sub("data")), &clock);
  ASSERT_NE(server, nullptr);
  std::string response;
  const std::string check = std::string("\x0a") +
                            static_cast<char>(sizeof(kDevelopmentIdentityHealth) - 1) +
                            kDevelopmentIdentityHealth;
  ASSERT_TRUE(casework::testing::GenericUnary(server->InProcessChannel(), "/grpc.health.v1.Health/Check",
                                    check, &response)
                  .ok());
  EXPECT_EQ(response, std::string("\x08\x01", 2));  // SERVING
}

}  // namespace
}  // namespace casework::services::hardening
