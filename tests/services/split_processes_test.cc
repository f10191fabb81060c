// Three real caseworkd processes and nginx on loopback, as deploy/ and
// docs/deployment.md describe them:
//   case reviews   --services=complaints,case-reviews --peers=panels=...
//   panels         --services=panels
//   death reviews  --services=death-reviews,actions
// behind deploy/nginx/casework-split.conf. Every call goes through the
// proxy. A case review's recommendations, referred there, open linked
// referrals in the panels process; then, round after round, the panels
// process is SIGKILLed at chosen moments while the outbox delivers (before
// its first delivery, or right after its n-th), and restarted; then the
// case reviews process the same way, once the panels answered. In the end
// every recommendation has exactly one referral, both sides show the link,
// no message is left or parked, and every data directory verifies clean.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "casework/v1/events.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tokens.h"
#include "tests/services/hardening_support.h"
#include "tests/services/split_support.h"
#include "tests/support/test_support.h"

namespace casework::services::split {
namespace {

using hardening::RunCaseworkd;
using hardening::RunningCaseworkd;

constexpr char kLinkKey[] = "split-processes-link-key-0123456789abcdef";

std::string ReadFile(const std::string& path) { return ReadTextFile(path, "file").value_or(""); }

// The panels process's arguments, on `port` (0: any).
std::vector<std::string> PanelsArgs(const std::string& dir, const std::string& key_file, int port) {
  return {"--data_dir=" + dir + "/panels", absl::StrCat("--listen=127.0.0.1:", port),
          "--services=panels", "--link_key_file=" + key_file, "--min_free_disk_mb=16"};
}

// Reads the case reviews process's feed of PanelReferralLinked events
// until `count` came (or 90 seconds passed); returns how many came.
int AwaitLinks(const std::shared_ptr<grpc::Channel>& proxy, int count) {
  auto events = v1::EventService::NewStub(proxy);
  grpc::ClientContext context;
  Identify(context, "caseworker", "case-reviews");
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(90));
  v1::SubscribeRequest request;
  request.set_partnership(kPartnership);
  request.add_event_types("casework.v1.PanelReferralLinked");
  auto stream = events->Subscribe(&context, request);
  int seen = 0;
  v1::SubscribeResponse message;
  while (seen < count && stream->Read(&message)) seen += message.has_event();
  if (seen < count) {
    const grpc::Status ended = stream->Finish();
    ADD_FAILURE() << "the feed ended after " << seen << " links: " << ended.error_code() << " "
                  << ended.error_message();
    return seen;
  }
  context.TryCancel();
  stream->Finish().IgnoreError();
  return seen;
}

TEST(SplitProcessesTest, ReferralsThroughTheProxyLinkOnceAcrossPanelsCrashes) {
  ASSERT_TRUE(std::string(NGINX_PATH).size() > 0)
      << "nginx is not installed (deploy/casework.sh installs it)";
  testing::TempDir dir;
  const std::string key_file = dir.Sub("link.key");
  std::ofstream(key_file) << kLinkKey << "\n";

  auto panels = std::make_unique<RunningCaseworkd>(PanelsArgs(dir.path(), key_file, 0));
  const int panels_port = panels->port();
  ASSERT_GT(panels_port, 0);
  RunningCaseworkd deaths({"--data_dir=" + dir.Sub("deaths"), "--listen=127.0.0.1:0",
                           "--services=death-reviews,actions", "--link_key_file=" + key_file,
                           "--norequest_log", "--min_free_disk_mb=16"});
  auto reviews_args = [&](int port) {
    return std::vector<std::string>{"--data_dir=" + dir.Sub("reviews"),
                                    absl::StrCat("--listen=127.0.0.1:", port),
                                    "--services=complaints,case-reviews",
                                    absl::StrCat("--peers=panels=127.0.0.1:", panels_port),
                                    "--link_key_file=" + key_file,
                                    "--norequest_log",
                                    "--min_free_disk_mb=16"};
  };
  auto reviews = std::make_unique<RunningCaseworkd>(reviews_args(0));
  const int reviews_port = reviews->port();
  ASSERT_GT(deaths.port(), 0);
  ASSERT_GT(reviews_port, 0);
  const int proxy_port = FreePort();
  Nginx nginx(dir.path(), "casework-split.conf",
              {{"127.0.0.1:50050", absl::StrCat("127.0.0.1:", proxy_port)},
               {"127.0.0.1:50051", absl::StrCat("127.0.0.1:", reviews_port)},
               {"127.0.0.1:50052", absl::StrCat("127.0.0.1:", panels_port)},
               {"127.0.0.1:50053", absl::StrCat("127.0.0.1:", deaths.port())}});
  std::shared_ptr<grpc::Channel> proxy = grpc::CreateChannel(absl::StrCat("127.0.0.1:", proxy_port),
                                                             grpc::InsecureChannelCredentials());
  ASSERT_TRUE(proxy->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20)))
      << ReadFile(dir.Sub("error.log"));

  // Each process gets the policy through the proxy, by its header; health
  // answers for each the same way.
  for (const std::string process : {"case-reviews", "panels", "death-reviews"}) {
    const absl::Status published = PublishPolicy(proxy, process);
    ASSERT_TRUE(published.ok()) << process << ": " << published;
  }
  EXPECT_EQ(HealthOf(proxy, "casework.v1.CaseReviewService", "case-reviews"), "SERVING");
  EXPECT_EQ(HealthOf(proxy, "casework.v1.PanelService", "panels"), "SERVING");
  EXPECT_EQ(HealthOf(proxy, "casework.v1.ActionService", "death-reviews"), "SERVING");
  EXPECT_EQ(HealthOf(proxy, "casework.v1.PanelService", "case-reviews"), "SERVICE_UNKNOWN");

  // Round 0: no crash. Rounds 1-6: the panels process is killed before its
  // first delivery of the round, or right after its first or second (while
  // the next is on its way): each moment twice, in a seeded order. Rounds
  // 7-8: the case reviews process is killed right after the panels answered
  // its first or second delivery (before or while it records the link).
  constexpr int kPanelRounds = 7;
  constexpr int kRounds = 9;
  constexpr int kPerReview = 3;
  std::vector<int> kill_after = {0, 1, 2, 0, 1, 2};
  std::shuffle(kill_after.begin(), kill_after.end(), std::mt19937(20261129));
  std::vector<std::string> names;
  int received = 0;  // ReceiveRecommendation calls the panels processes answered
  for (int round = 0; round < kRounds; ++round) {
    const int delivered_before = panels->CountLines("ReceiveRecommendation");
    const std::string review =
        ReferRecommendations(proxy, absl::StrCat("cmp-round-", round), kPerReview);
    ASSERT_FALSE(review.empty()) << "round " << round;
    names.push_back(review);
    if (round == 0) {
      ASSERT_EQ(AwaitLinks(proxy, kPerReview), kPerReview);
    } else if (round >= kPanelRounds) {
      const int after = round - kPanelRounds + 1;
      std::printf("round %d: case reviews killed after the panels' delivery %d of %d\n", round,
                  after, kPerReview);
      ASSERT_TRUE(panels->AwaitLines("ReceiveRecommendation", delivered_before + after));
      kill(reviews->pid(), SIGKILL);
      reviews->Wait();
      reviews = std::make_unique<RunningCaseworkd>(reviews_args(reviews_port));
      ASSERT_EQ(reviews->port(), reviews_port);
    } else {
      const int after = kill_after[round - 1];
      std::printf("round %d: panels killed after its delivery %d of %d\n", round, after,
                  kPerReview);
      if (after > 0) {
        ASSERT_TRUE(panels->AwaitLines("ReceiveRecommendation", delivered_before + after));
      }
      kill(panels->pid(), SIGKILL);
      panels->Wait();
      received += panels->CountLines("ReceiveRecommendation");
      panels = std::make_unique<RunningCaseworkd>(PanelsArgs(dir.path(), key_file, panels_port));
      ASSERT_EQ(panels->port(), panels_port);
    }
  }
  ASSERT_EQ(AwaitLinks(proxy, kRounds * kPerReview), kRounds * kPerReview);
  received += panels->CountLines("ReceiveRecommendation");
  // Sent again after a crash cut a delivery short, and answered with the
  // same referral: more calls than messages, never more referrals.
  std::printf("%d ReceiveRecommendation calls answered for %d messages\n", received,
              kRounds * kPerReview);
  EXPECT_GE(received, kRounds * kPerReview);

  // Exactly one referral per recommendation, linked both ways.
  const std::vector<v1::PanelCase> cases = ListPanelCases(proxy);
  EXPECT_EQ(cases.size(), static_cast<size_t>(kRounds * kPerReview));
  std::map<std::pair<std::string, int>, std::string> by_recommendation;
  for (const v1::PanelCase& c : cases) {
    EXPECT_TRUE(by_recommendation
                    .emplace(std::make_pair(c.from_case_review(),
                                            static_cast<int>(c.from_recommendation())),
                             c.name())
                    .second)
        << "two referrals of " << c.from_case_review() << " #" << c.from_recommendation();
  }
  for (const std::string& name : names) {
    v1::CaseReview review;
    ASSERT_TRUE(GetReview(proxy, name, &review).ok());
    ASSERT_EQ(review.outcome().recommendations_size(), kPerReview);
    for (const v1::Recommendation& r : review.outcome().recommendations()) {
      const std::string& referral =
          by_recommendation[std::make_pair(name, static_cast<int>(r.id()))];
      EXPECT_EQ(r.referral().panel_case(), referral) << name << " #" << r.id();
    }
  }
  v1::ListOutboxMessagesResponse outbox;
  ASSERT_TRUE(ListOutbox(proxy, "case-reviews", &outbox).ok());
  EXPECT_EQ(outbox.messages_size(), 0);
  EXPECT_EQ(HealthOf(proxy, "casework.outbox", "case-reviews"), "SERVING");

  // Every data directory verifies clean once its process stopped.
  for (RunningCaseworkd* process : {panels.get(), &deaths, reviews.get()}) {
    kill(process->pid(), SIGTERM);
    EXPECT_EQ(process->Wait(), 0);
  }
  for (const std::string data : {"panels", "deaths", "reviews"}) {
    const hardening::Exited verified = RunCaseworkd({"--data_dir=" + dir.Sub(data), "--verify"});
    EXPECT_EQ(verified.code, 0) << data << ": " << verified.err;
  }
}

}  // namespace
}  // namespace casework::services::split
