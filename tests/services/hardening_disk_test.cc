// The data directory's filesystem fills while commands flow: the server
// stays up, refuses writes with UNAVAILABLE, keeps answering reads, reports
// NOT_SERVING and resumes once space is freed, with every acknowledged
// command present.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "storage/clock.h"
#include "storage/rebuild.h"
#include "tests/services/hardening_support.h"
#include "tests/storage/small_filesystem.h"
#include "tests/support/test_support.h"

namespace casework::services {
namespace {

using namespace ::casework::services::hardening;  // NOLINT: the tests' helpers
using ::casework::testing::CreateRequest;
using ::casework::testing::FillWithBallast;
using ::casework::testing::SetIdentity;
using ::casework::testing::SmallFilesystem;
using ::casework::testing::TempDir;
using ::testing::StartsWith;

// --- A disk that fills while commands flow -----------------------------------

TEST(DiskFillTest, TheServerRefusesWritesKeepsReadingAndResumesWithNothingLost) {
  TempDir dir;
  SmallFilesystem disk(dir.Sub("small"), 64 * kMiB);
  auto faults = std::make_shared<storage::FaultInjector>();
  ServerConfig config = TestConfig(disk.path() + "/data");
  config.min_free_bytes = 16 * kMiB;
  if (!disk.mounted()) {
    std::printf("note: cannot mount a tmpfs here; filling an injected file system instead\n");
    config.faults = faults;
  }
  ManualClock clock(kStart);
  std::unique_ptr<CaseworkServer> server = MustStart(config, &clock);
  ASSERT_NE(server, nullptr);
  auto channel = Connect(server->port());
  ASSERT_EQ(Health(channel), "SERVING");

  struct Ack {
    std::string request_id;
    uint64_t first_position;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Ack> acks;
  std::vector<grpc::Status> refusals;
  bool freed = false;
  int acks_after_free = 0;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      auto actions = v1::ActionService::NewStub(channel);
      for (int i = 0; !stop.load(); ++i) {
        const std::string id = absl::StrCat("w-", t, "-", i);
        v1::CreateActionRequest request = CreateRequest(id);
        request.set_title(std::string(400, 't'));
        grpc::ClientContext context;
        SetIdentity(context);
        v1::ActionResponse response;
        grpc::Status status = actions->CreateAction(&context, request, &response);
        std::lock_guard<std::mutex> lock(mu);
        if (status.ok()) {
          acks.push_back({id, response.commit().first_position()});
          if (freed) ++acks_after_free;
        } else {
          refusals.push_back(status);
        }
        cv.notify_all();
      }
    });
  }
  auto await = [&](const std::function<bool()>& done) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), done);
  };
  ASSERT_TRUE(await([&] { return acks.size() >= 200; }));

  // Fill the disk while the writers keep going.
  const std::string ballast = disk.path() + "/ballast";
  if (disk.mounted()) {
    ASSERT_GT(FillWithBallast(ballast), 0u);
  } else {
    faults->FailWritesNoSpace(true);
    ASSERT_TRUE(await([&] { return !refusals.empty(); }));
    faults->SetFreeBytes(1 * kMiB);
  }
  size_t refused_at = 0;
  ASSERT_TRUE(await([&] {
    refused_at = refusals.size();
    return refusals.size() >= 20;
  }));
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const grpc::Status& refusal : refusals) {
      EXPECT_EQ(refusal.error_code(), grpc::StatusCode::UNAVAILABLE) << refusal.error_message();
      EXPECT_THAT(refusal.error_message(), StartsWith("writes refused: "));
      EXPECT_EQ(ReasonOf(refusal), "STORAGE_SPACE_LOW");
    }
  }

  // The server is up, reads work, health says NOT_SERVING with the reason.
  auto actions = v1::ActionService::NewStub(channel);
  {
    grpc::ClientContext context;
    // A system's own read: a person's would need its audit entry written.
    SetIdentity(context, "eastbrook-council", "police-ingest", "integration");
    v1::GetActionRequest get;
    get.set_name("partnerships/eastbrook/actions/1");
    v1::Action action;
    EXPECT_TRUE(actions->GetAction(&context, get, &action).ok());
    EXPECT_EQ(action.title(), std::string(400, 't'));
  }
  {
    auto events = v1::EventService::NewStub(channel);
    grpc::ClientContext context;
    SetIdentity(context);
    v1::ReadLogRequest log;
    log.set_page_size(10);
    v1::ReadLogResponse page;
    EXPECT_TRUE(events->ReadLog(&context, log, &page).ok());
    EXPECT_EQ(page.events_size(), 10);
  }
  server->CheckHealth();
  EXPECT_EQ(Health(channel), "NOT_SERVING");
  std::string reason;
  EXPECT_FALSE(server->serving(&reason));
  EXPECT_THAT(reason, StartsWith("writes refused: "));

  // Free the space: writes resume by themselves, health too.
  {
    std::lock_guard<std::mutex> lock(mu);
    freed = true;
  }
  if (disk.mounted()) {
    ASSERT_TRUE(std::filesystem::remove(ballast));
  } else {
    faults->FailWritesNoSpace(false);
    faults->SetFreeBytes(std::nullopt);
  }
  ASSERT_TRUE(await([&] { return acks_after_free >= 20; })) << "writes did not resume";
  server->CheckHealth();
  EXPECT_EQ(Health(channel), "SERVING");
  EXPECT_TRUE(server->serving());
  stop = true;
  for (std::thread& w : writers) w.join();
  EXPECT_GE(refused_at, 20u);

  // Every acknowledged command is in the log exactly once, where its reply
  // said; derived data equals a fold of the log.
  std::map<std::string, std::vector<uint64_t>> created;
  {
    auto events = v1::EventService::NewStub(channel);
    v1::ReadLogRequest log;
    log.set_page_size(1000);
    for (;;) {
      grpc::ClientContext context;
      SetIdentity(context);
      v1::ReadLogResponse page;
      ASSERT_TRUE(events->ReadLog(&context, log, &page).ok());
      for (const v1::EventEnvelope& e : page.events()) {
        if (absl::EndsWith(e.payload().type_url(), ".ActionCreated")) {
          created[e.request_id()].push_back(e.global_position());
        }
      }
      if (page.events_size() == 0) break;
      log.set_page_token(page.next_page_token());
    }
  }
  for (const Ack& ack : acks) {
    auto it = created.find(ack.request_id);
    ASSERT_NE(it, created.end()) << "lost: " << ack.request_id;
    EXPECT_THAT(it->second, ::testing::ElementsAre(ack.first_position)) << ack.request_id;
  }
  server.reset();
  storage::StoreOptions options;
  options.path = config.data_dir;
  std::unique_ptr<storage::EventStore> store = *storage::EventStore::Open(options);
  absl::StatusOr<storage::VerifyReport> report = storage::VerifyStore(*store, testing::London());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty());
}

TEST(DiskFillTest, HealthFollowsTheFloorWithoutAnyWrite) {
  TempDir dir;
  auto faults = std::make_shared<storage::FaultInjector>();
  ServerConfig config = TestConfig(dir.Sub("data"));
  config.faults = faults;
  config.min_free_bytes = 100 * kMiB;
  ManualClock clock(kStart);
  std::unique_ptr<CaseworkServer> server = MustStart(config, &clock);
  ASSERT_NE(server, nullptr);
  auto channel = server->InProcessChannel();
  EXPECT_EQ(Health(channel), "SERVING");
  faults->SetFreeBytes(50 * kMiB);
  server->CheckHealth();
  EXPECT_EQ(Health(channel), "NOT_SERVING");
  faults->SetFreeBytes(200 * kMiB);
  server->CheckHealth();
  EXPECT_EQ(Health(channel), "SERVING");
}

}  // namespace
}  // namespace casework::services
