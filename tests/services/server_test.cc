// caseworkd's services over real gRPC: rich errors in the status trailer,
// identity, idempotent retries, paging, health, reflection, sticky write
// failures, and a clean exit on SIGTERM of the real binary.
#include "services/server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/numbers.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/dynamic_message.h"
#include "gtest/gtest.h"
#include "services/call_context.h"
#include "tests/support/server_fixture.h"
#include "tests/support/test_support.h"

namespace casework::services {
namespace {

using ::casework::testing::CreateRequest;
using ::casework::testing::DetailOf;
using ::casework::testing::SetIdentity;
using ::casework::testing::TempDir;
using ::casework::testing::GenericUnary;
using ::testing::ElementsAre;
using ::testing::IsSupersetOf;

const absl::Time kStart =
    absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0), absl::UTCTimeZone());

class ServerTest : public casework::testing::ServerFixture {
 protected:
  ServerTest() : ServerFixture(kStart) {}

  void SetUp() override {
    ServerFixture::SetUp();
    Connect();
  }

  // Stubs over loopback TCP to the running server.
  void Connect() {
    channel_ = Network();
    actions_ = v1::ActionService::NewStub(channel_);
    events_ = v1::EventService::NewStub(channel_);
  }

  grpc::Status Create(const v1::CreateActionRequest& request, v1::ActionResponse* response,
                      std::string* replayed = nullptr) {
    grpc::ClientContext context;
    SetIdentity(context);
    grpc::Status status = actions_->CreateAction(&context, request, response);
    if (replayed != nullptr) {
      auto it = context.GetServerTrailingMetadata().find(kReplayedTrailer);
      *replayed = it == context.GetServerTrailingMetadata().end()
                      ? ""
                      : std::string(it->second.data(), it->second.size());
    }
    return status;
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::unique_ptr<v1::EventService::Stub> events_;
};

TEST_F(ServerTest, CreateGetAndRetryOverTheNetwork) {
  v1::ActionResponse first;
  std::string replayed;
  ASSERT_TRUE(Create(CreateRequest("net-1"), &first, &replayed).ok());
  EXPECT_EQ(replayed, "");
  EXPECT_EQ(first.action().name(), "partnerships/eastbrook/actions/1");
  EXPECT_EQ(first.commit().first_position(), 1u);

  v1::ActionResponse again;
  ASSERT_TRUE(Create(CreateRequest("net-1"), &again, &replayed).ok());
  EXPECT_EQ(replayed, "true");
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());

  grpc::ClientContext context;
  SetIdentity(context);
  v1::GetActionRequest get;
  get.set_name("partnerships/eastbrook/actions/1");
  v1::Action action;
  ASSERT_TRUE(actions_->GetAction(&context, get, &action).ok());
  EXPECT_EQ(action.title(), "Visit the flats");
  EXPECT_EQ(action.version(), 2);
  EXPECT_EQ(action.create_time().seconds(), absl::ToUnixSeconds(kStart));
}

TEST_F(ServerTest, MissingIdentityIsUnauthenticated) {
  grpc::ClientContext context;
  context.AddMetadata(kAgencyHeader, "eastbrook-council");
  v1::ActionResponse response;
  grpc::Status status = actions_->CreateAction(&context, CreateRequest("r"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("\"x-casework-user\" is required"));
  std::optional<v1::ErrorInfo> info = DetailOf<v1::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "MISSING_IDENTITY");
}

TEST_F(ServerTest, ErrorsCarryTypedDetailsInTheStandardTrailer) {
  v1::CreateActionRequest bad = CreateRequest("bad-1");
  bad.clear_title();
  bad.mutable_due_date()->set_month(13);
  v1::ActionResponse response;
  grpc::Status status = Create(bad, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status rich = casework::testing::RichStatus(status);
  EXPECT_EQ(rich.code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(rich.details_size(), 1);
  EXPECT_EQ(rich.details(0).type_url(), "type.googleapis.com/casework.v1.BadRequest");
  std::optional<v1::BadRequest> detail = DetailOf<v1::BadRequest>(status);
  ASSERT_TRUE(detail.has_value());
  ASSERT_EQ(detail->violations_size(), 2);
  EXPECT_EQ(detail->violations(0).field(), "title");
  EXPECT_EQ(detail->violations(1).field(), "due_date.month");
  EXPECT_EQ(detail->violations(1).description(), "must be between 1 and 12, got 13");

  ASSERT_TRUE(Create(CreateRequest("ok-1"), &response).ok());
  grpc::ClientContext context;
  SetIdentity(context);
  v1::RecordProgressRequest stale;
  stale.set_name(response.action().name());
  stale.set_request_id("stale-1");
  stale.set_note("Spoke to the manager");
  stale.set_expected_version(7);
  v1::ActionResponse out;
  grpc::Status conflict = actions_->RecordProgress(&context, stale, &out);
  EXPECT_EQ(conflict.error_code(), grpc::StatusCode::ABORTED);
  std::optional<v1::VersionConflict> vc = DetailOf<v1::VersionConflict>(conflict);
  ASSERT_TRUE(vc.has_value());
  EXPECT_EQ(vc->expected_version(), 7);
  EXPECT_EQ(vc->actual_version(), 2);
}

TEST_F(ServerTest, ListActionsFiltersAndPages) {
  v1::ActionResponse response;
  for (int i = 1; i <= 5; ++i) {
    v1::CreateActionRequest request = CreateRequest(absl::StrCat("l-", i));
    request.mutable_due_date()->set_day(i * 5);  // Dec 5, 10, 15, 20, 25
    if (i % 2 == 0) request.set_owner_agency("shire-police");
    ASSERT_TRUE(Create(request, &response).ok());
  }
  auto list = [&](v1::ListActionsRequest request) {
    grpc::ClientContext context;
    SetIdentity(context);
    v1::ListActionsResponse out;
    grpc::Status status = actions_->ListActions(&context, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const v1::Action& a : out.actions()) names.push_back(a.name().substr(a.name().rfind('/') + 1));
    return std::make_pair(names, out.next_page_token());
  };
  v1::ListActionsRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_page_size(2);
  auto [page1, token1] = list(request);
  EXPECT_THAT(page1, ElementsAre("1", "2"));
  ASSERT_FALSE(token1.empty());
  request.set_page_token(token1);
  auto [page2, token2] = list(request);
  EXPECT_THAT(page2, ElementsAre("3", "4"));

  v1::ListActionsRequest police;
  police.set_parent("partnerships/eastbrook");
  police.set_owner_agency("shire-police");
  EXPECT_THAT(list(police).first, ElementsAre("2", "4"));

  v1::ListActionsRequest overdue;
  overdue.set_parent("partnerships/eastbrook");
  overdue.set_overdue_only(true);
  overdue.mutable_today()->set_year(2026);
  overdue.mutable_today()->set_month(12);
  overdue.mutable_today()->set_day(16);
  EXPECT_THAT(list(overdue).first, ElementsAre("1", "2", "3"));
}

TEST_F(ServerTest, ReadStreamAndReadLogPage) {
  v1::ActionResponse response;
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(Create(CreateRequest(absl::StrCat("e-", i)), &response).ok());

  grpc::ClientContext c1;
  SetIdentity(c1);
  v1::ReadLogRequest log;
  log.set_page_size(4);
  v1::ReadLogResponse page;
  ASSERT_TRUE(events_->ReadLog(&c1, log, &page).ok());
  ASSERT_EQ(page.events_size(), 4);  // each action: ActionCreated, DeadlineSet
  EXPECT_EQ(page.head_position(), 6u);
  log.set_page_token(page.next_page_token());
  grpc::ClientContext c2;
  SetIdentity(c2);
  v1::ReadLogResponse rest;
  ASSERT_TRUE(events_->ReadLog(&c2, log, &rest).ok());
  ASSERT_EQ(rest.events_size(), 2);
  EXPECT_EQ(rest.events(0).global_position(), 5u);
  // At the head the token still points past the last event, for polling.
  log.set_page_token(rest.next_page_token());
  grpc::ClientContext c3;
  SetIdentity(c3);
  v1::ReadLogResponse empty;
  ASSERT_TRUE(events_->ReadLog(&c3, log, &empty).ok());
  EXPECT_EQ(empty.events_size(), 0);

  grpc::ClientContext c4;
  SetIdentity(c4);
  v1::ReadStreamRequest stream;
  stream.set_stream("partnerships/eastbrook/actions/2");
  v1::ReadStreamResponse events;
  ASSERT_TRUE(events_->ReadStream(&c4, stream, &events).ok());
  ASSERT_EQ(events.events_size(), 2);
  EXPECT_EQ(events.events(0).global_position(), 3u);
  EXPECT_EQ(events.stream_version(), 2);

  grpc::ClientContext c5;
  SetIdentity(c5);
  stream.set_stream("partnerships/eastbrook/actions/99");
  EXPECT_EQ(events_->ReadStream(&c5, stream, &events).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServerTest, HealthReportsServing) {
  std::string response;
  grpc::Status status = GenericUnary(channel_, "/grpc.health.v1.Health/Check", "", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response, std::string("\x08\x01", 2));  // status: SERVING
}

TEST_F(ServerTest, ReflectionListsTheServices) {
  EXPECT_THAT(casework::testing::ReflectedServices(channel_),
              IsSupersetOf({"casework.v1.ActionService", "casework.v1.EventService",
                            "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"}));
}

TEST_F(ServerTest, InjectedWriteFailureTurnsWritesUnavailableWhileReadsWork) {
  server_.reset();
  auto faults = std::make_shared<storage::FaultInjector>();
  Start(faults);
  Connect();
  v1::ActionResponse response;
  ASSERT_TRUE(Create(CreateRequest("w-1"), &response).ok());
  faults->FailWrites(true);
  grpc::Status failed = Create(CreateRequest("w-2"), &response);
  EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(failed.error_message(), ::testing::HasSubstr("storage write failed"));
  faults->FailWrites(false);
  EXPECT_EQ(Create(CreateRequest("w-3"), &response).error_code(), grpc::StatusCode::UNAVAILABLE);

  grpc::ClientContext context;
  // A system's own read: a person's would need its audit entry written.
  SetIdentity(context, "eastbrook-council", "police-ingest", "integration");
  v1::GetActionRequest get;
  get.set_name("partnerships/eastbrook/actions/1");
  v1::Action action;
  EXPECT_TRUE(actions_->GetAction(&context, get, &action).ok());
  EXPECT_EQ(action.title(), "Visit the flats");
}

TEST(ServerConfigTest, RefusesNonLoopbackListenWithoutAuthentication) {
  TempDir dir;
  ServerConfig config;
  config.listen = "0.0.0.0:0";
  config.data_dir = dir.Sub("data");
  SystemClock clock;
  absl::StatusOr<std::unique_ptr<CaseworkServer>> server = CaseworkServer::Start(config, &clock);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(IsLoopbackListen("localhost:1"));
  EXPECT_TRUE(IsLoopbackListen("127.0.0.2:50051"));
  EXPECT_TRUE(IsLoopbackListen("[::1]:50051"));
  EXPECT_FALSE(IsLoopbackListen("[::]:50051"));
  EXPECT_FALSE(IsLoopbackListen("10.0.0.5:50051"));
}

// The real binary: start it, load it with calls, SIGTERM it while calls are in
// flight; it exits 0 and every acknowledged command is on disk.
TEST(CaseworkdProcessTest, SigtermDrainsAndExitsCleanly) {
  TempDir dir;
  int err_pipe[2];
  ASSERT_EQ(pipe(err_pipe), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(err_pipe[1], STDERR_FILENO);
    close(err_pipe[0]);
    std::string data = "--data_dir=" + dir.Sub("data");
    execl(CASEWORKD_PATH, "caseworkd", "--listen=127.0.0.1:0", data.c_str(), "--request_log=false",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(err_pipe[1]);
  // Wait for the "serving on ... (port N)" line.
  FILE* err = fdopen(err_pipe[0], "r");
  char line[512];
  int port = 0;
  while (port == 0 && fgets(line, sizeof line, err) != nullptr) {
    std::string s(line);
    size_t at = s.find("(port ");
    if (at != std::string::npos) {
      ASSERT_TRUE(absl::SimpleAtoi(s.substr(at + 6, s.find(')', at) - at - 6), &port));
    }
  }
  ASSERT_GT(port, 0) << "caseworkd did not report its port";

  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto stub = v1::ActionService::NewStub(channel);
  // Keep 32 calls in flight with the async API, then send SIGTERM.
  grpc::CompletionQueue cq;
  struct Call {
    std::string request_id;
    grpc::ClientContext context;
    v1::ActionResponse response;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ActionResponse>> reader;
  };
  std::vector<std::unique_ptr<Call>> calls;
  for (int i = 0; i < 32; ++i) {
    auto call = std::make_unique<Call>();
    SetIdentity(call->context);
    call->request_id = absl::StrCat("sig-", i);
    call->reader = stub->AsyncCreateAction(&call->context, CreateRequest(call->request_id), &cq);
    call->reader->Finish(&call->response, &call->status, call.get());
    calls.push_back(std::move(call));
  }
  // Wait for the first answer so the server is surely busy, then stop it.
  void* tag;
  bool ok;
  ASSERT_TRUE(cq.Next(&tag, &ok));
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  for (int i = 1; i < 32; ++i) ASSERT_TRUE(cq.Next(&tag, &ok));

  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::string rest;
  while (fgets(line, sizeof line, err) != nullptr) rest += line;
  fclose(err);
  EXPECT_THAT(rest, ::testing::HasSubstr("SIGTERM received, draining"));
  EXPECT_THAT(rest, ::testing::HasSubstr("stopped cleanly"));

  storage::StoreOptions options;
  options.path = dir.Sub("data");
  std::unique_ptr<storage::EventStore> store = *storage::EventStore::Open(options);
  int acknowledged = 0;
  for (const auto& call : calls) {
    if (!call->status.ok()) {
      EXPECT_EQ(call->status.error_code(), grpc::StatusCode::UNAVAILABLE) << call->status.error_message();
      continue;
    }
    ++acknowledged;
    std::vector<v1::EventEnvelope> events = *store->ReadLog(call->response.commit().first_position(), 1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].request_id(), call->request_id);
    EXPECT_EQ(events[0].stream(), call->response.commit().stream());
  }
  EXPECT_GE(acknowledged, 1);
  EXPECT_EQ(store->LastPosition(), static_cast<uint64_t>(2 * acknowledged));
}

}  // namespace
}  // namespace casework::services
