// Many partnerships, many machines: two real caseworkd instances, each
// holding one partnership (--placement, --instance), behind nginx with
// deploy/nginx/casework-partnerships.conf. Calls carry the routing header;
// each partnership's commands land on its own instance, an instance refuses
// a call for the other's partnership naming it, and each instance's event
// feed, read through the proxy, resumes from its checkpoint. Then a
// partnership moves from one instance to the other, as docs/scaling.md says
// an operator moves it.
#include <signal.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/errors.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "casework/v1/operations.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/placement.h"
#include "tests/services/hardening_support.h"
#include "tests/services/split_support.h"
#include "tests/support/test_support.h"
#include "workflow/registry.h"

namespace casework::services::split {
namespace {

using hardening::RunCaseworkd;
using hardening::RunningCaseworkd;
using ::testing::HasSubstr;

std::string ReasonOf(const grpc::Status& status) {
  std::optional<v1::ErrorInfo> info = testing::DetailOf<v1::ErrorInfo>(status);
  return info ? info->reason() : "";
}

std::shared_ptr<grpc::Channel> To(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
}

// A call's context as `role` of the partnership's council, routed by the
// partnership header (empty: none).
void For(grpc::ClientContext& context, const std::string& partnership,
         const std::string& role = "caseworker") {
  testing::SetIdentity(context, partnership + "-council", "u-1", role);
  if (!partnership.empty()) context.AddMetadata(kPartnershipHeader, partnership);
}

grpc::Status Publish(const std::shared_ptr<grpc::Channel>& channel, const std::string& p) {
  auto policies = v1::PolicyService::NewStub(channel);
  grpc::ClientContext context;
  For(context, p, "admin");
  v1::PublishPolicyRequest request;
  request.set_parent("partnerships/" + p);
  request.set_request_id("policy-" + p);
  *request.mutable_policy() = workflow::LlrDefaultPolicy(p);
  v1::Policy out;
  return policies->PublishPolicy(&context, request, &out);
}

grpc::Status CreateAction(const std::shared_ptr<grpc::Channel>& channel, const std::string& p,
                          const std::string& request_id, v1::ActionResponse* out) {
  auto actions = v1::ActionService::NewStub(channel);
  grpc::ClientContext context;
  For(context, p);
  v1::CreateActionRequest request;
  request.set_parent("partnerships/" + p);
  request.set_request_id(request_id);
  request.set_title("Joint visit with housing");
  request.set_owner_agency(p + "-council");
  *request.mutable_due_date() = testing::Date(2027, 1, 29);
  return actions->CreateAction(&context, request, out);
}

grpc::Status GetAction(const std::shared_ptr<grpc::Channel>& channel, const std::string& p,
                       const std::string& name) {
  auto actions = v1::ActionService::NewStub(channel);
  grpc::ClientContext context;
  For(context, p);
  v1::GetActionRequest request;
  request.set_name(name);
  v1::Action out;
  return actions->GetAction(&context, request, &out);
}

// The partnership's feed through `channel` after `after`, until caught up:
// the streams of its events, and the position to resume from.
std::vector<std::string> Feed(const std::shared_ptr<grpc::Channel>& channel, const std::string& p,
                              uint64_t after, uint64_t* resume) {
  auto events = v1::EventService::NewStub(channel);
  grpc::ClientContext context;
  For(context, p);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::SubscribeRequest request;
  request.set_partnership("partnerships/" + p);
  request.set_after_position(after);
  auto stream = events->Subscribe(&context, request);
  std::vector<std::string> streams;
  v1::SubscribeResponse message;
  while (stream->Read(&message)) {
    if (message.has_event()) streams.push_back(message.event().stream());
    if (message.has_checkpoint() &&
        message.checkpoint().position() == message.checkpoint().head_position()) {
      *resume = message.checkpoint().position();
      break;
    }
  }
  if (*resume == 0) {
    const grpc::Status ended = stream->Finish();
    ADD_FAILURE() << "the feed of " << p << " ended before it caught up: " << ended.error_code()
                  << " " << ended.error_message();
    return streams;
  }
  context.TryCancel();
  stream->Finish().IgnoreError();
  return streams;
}

// The instances listen on ports the kernel picks (a port chosen beforehand
// may be taken by another process before an instance binds it); once both
// serve, the placement file names their addresses and both read it again on
// SIGHUP, as an operator's change of placement is read.
template <typename Place>
void ReplaceAddresses(const Place& place, RunningCaseworkd& a, int a_port, RunningCaseworkd& b,
                      int b_port) {
  place(a_port, b_port);
  for (RunningCaseworkd* instance : {&a, &b}) {
    ASSERT_EQ(kill(instance->pid(), SIGHUP), 0);
    ASSERT_TRUE(instance->AwaitLines("SIGHUP: instance casework-", 1))
        << absl::StrJoin(instance->lines(), "");
  }
}

TEST(PartnershipsTest, EachPartnershipLandsOnItsOwnInstanceThroughTheProxy) {
  ASSERT_TRUE(std::string(NGINX_PATH).size() > 0)
      << "nginx is not installed (deploy/casework.sh installs it)";
  testing::TempDir dir;
  const std::string placement = dir.Sub("placement");
  auto place = [&](int a_port, int b_port) {
    std::ofstream(placement) << "# partnership  instance    address\n"
                             << "eastbrook      casework-a  127.0.0.1:" << a_port << "\n"
                             << "westmoor       casework-b  127.0.0.1:" << b_port << "\n";
  };
  auto instance = [&](const std::string& name) {
    return std::vector<std::string>{"--data_dir=" + dir.Sub(name), "--listen=127.0.0.1:0",
                                    "--placement=" + placement,
                                    "--instance=casework-" + name,
                                    "--norequest_log",
                                    "--min_free_disk_mb=16"};
  };
  place(0, 0);
  RunningCaseworkd a(instance("a"));
  RunningCaseworkd b(instance("b"));
  const int a_port = a.port(), b_port = b.port();
  ASSERT_GT(a_port, 0) << absl::StrJoin(a.lines(), "");
  ASSERT_GT(b_port, 0) << absl::StrJoin(b.lines(), "");
  ASSERT_NO_FATAL_FAILURE(ReplaceAddresses(place, a, a_port, b, b_port));
  const int proxy_port = FreePort();
  Nginx nginx(dir.path(), "casework-partnerships.conf",
              {{"127.0.0.1:50060", absl::StrCat("127.0.0.1:", proxy_port)},
               {"127.0.0.1:50061", absl::StrCat("127.0.0.1:", a_port)},
               {"127.0.0.1:50062", absl::StrCat("127.0.0.1:", b_port)}});
  std::shared_ptr<grpc::Channel> proxy = To(proxy_port);
  ASSERT_TRUE(proxy->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30)));

  // Each partnership set up and used through the proxy alone.
  for (const char* p : {"eastbrook", "westmoor"}) {
    grpc::Status published = Publish(proxy, p);
    ASSERT_TRUE(published.ok()) << p << ": " << published.error_message();
  }
  v1::ActionResponse east, west;
  ASSERT_TRUE(CreateAction(proxy, "eastbrook", "east-1", &east).ok());
  ASSERT_TRUE(CreateAction(proxy, "westmoor", "west-1", &west).ok());
  EXPECT_EQ(east.action().name(), "partnerships/eastbrook/actions/1");
  EXPECT_EQ(west.action().name(), "partnerships/westmoor/actions/1");
  // Each landed on its own instance: asked directly, the other refuses,
  // naming the instance that holds it.
  EXPECT_TRUE(GetAction(To(a_port), "eastbrook", east.action().name()).ok());
  EXPECT_TRUE(GetAction(To(b_port), "westmoor", west.action().name()).ok());
  grpc::Status wrong = GetAction(To(b_port), "eastbrook", east.action().name());
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(wrong), "PARTNERSHIP_ELSEWHERE");
  EXPECT_THAT(wrong.error_message(),
              HasSubstr(absl::StrCat("held by instance casework-a (127.0.0.1:", a_port, ")")));
  v1::ActionResponse misplaced;
  wrong = CreateAction(To(a_port), "westmoor", "west-on-a", &misplaced);
  EXPECT_EQ(ReasonOf(wrong), "PARTNERSHIP_ELSEWHERE");
  EXPECT_THAT(wrong.error_message(), HasSubstr("held by instance casework-b"));
  wrong = CreateAction(To(a_port), "northfield", "north-1", &misplaced);
  EXPECT_EQ(ReasonOf(wrong), "PARTNERSHIP_NOT_PLACED");

  // Each instance's feed, through the proxy, holds its own partnership's
  // events and resumes from its checkpoint.
  uint64_t east_at = 0, west_at = 0;
  const std::vector<std::string> east_streams = Feed(proxy, "eastbrook", 0, &east_at);
  const std::vector<std::string> west_streams = Feed(proxy, "westmoor", 0, &west_at);
  EXPECT_THAT(east_streams, ::testing::Contains(east.action().name()));
  EXPECT_THAT(east_streams, ::testing::Not(::testing::Contains(west.action().name())));
  EXPECT_THAT(west_streams, ::testing::Contains(west.action().name()));
  ASSERT_GT(east_at, 0u);
  v1::ActionResponse east2;
  ASSERT_TRUE(CreateAction(proxy, "eastbrook", "east-2", &east2).ok());
  uint64_t ignored = 0;
  const std::vector<std::string> resumed = Feed(proxy, "eastbrook", east_at, &ignored);
  ASSERT_FALSE(resumed.empty());
  for (const std::string& stream : resumed) EXPECT_EQ(stream, east2.action().name());
  EXPECT_TRUE(Feed(proxy, "westmoor", west_at, &ignored).empty());
  // A feed asked of the wrong instance is refused the same way.
  auto events = v1::EventService::NewStub(To(a_port));
  grpc::ClientContext context;
  For(context, "westmoor");
  v1::SubscribeRequest request;
  request.set_partnership("partnerships/westmoor");
  auto stream = events->Subscribe(&context, request);
  v1::SubscribeResponse message;
  EXPECT_FALSE(stream->Read(&message));
  EXPECT_EQ(ReasonOf(stream->Finish()), "PARTNERSHIP_ELSEWHERE");
}

TEST(PlacementTest, AMalformedFileIsRefusedNamingTheLine) {
  absl::StatusOr<Placement> bad =
      Placement::Parse("eastbrook casework-a 127.0.0.1:1\nwestmoor casework-b\n", "casework-a",
                       "placement");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("placement:2: expected"));
  bad = Placement::Parse("eastbrook a x:1\neastbrook b y:1\n", "a", "placement");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("eastbrook is placed twice"));
  bad = Placement::Parse("eastbrook a x:1\n", "c", "placement");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("no partnership on instance \"c\""));
  absl::StatusOr<Placement> good =
      Placement::Parse("# comment\neastbrook a x:1  # the council's\nwestmoor b y:2\n", "a", "p");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->owned(), std::vector<std::string>{"eastbrook"});
}

TEST(PlacementTest, ReloadingTakesTheNewFileOrKeepsTheOldOneWhole) {
  testing::TempDir dir;
  const std::string file = dir.Sub("placement");
  std::ofstream(file) << "eastbrook a x:1\nwestmoor b y:2\n";
  absl::StatusOr<Placement> placement = Placement::Load(file, "a");
  ASSERT_TRUE(placement.ok()) << placement.status();
  EXPECT_TRUE(placement->Owns("eastbrook"));
  // Placed nowhere while it moves.
  std::ofstream(file) << "westmoor b y:2\nnorthfield a z:3\n";
  ASSERT_TRUE(placement->Reload().ok());
  EXPECT_FALSE(placement->Owns("eastbrook"));
  EXPECT_EQ(placement->RefusalFor("eastbrook")->reason, "PARTNERSHIP_NOT_PLACED");
  EXPECT_EQ(placement->owned(), std::vector<std::string>{"northfield"});
  // A bad file is refused and the placement stays as it was.
  std::ofstream(file) << "westmoor b\n";
  absl::Status refused = placement->Reload();
  EXPECT_THAT(refused.message(), HasSubstr(":1: expected"));
  EXPECT_EQ(placement->owned(), std::vector<std::string>{"northfield"});
  EXPECT_EQ(placement->RefusalFor("westmoor")->reason, "PARTNERSHIP_ELSEWHERE");
}

// The move, as an operator runs it: place the partnership nowhere (SIGHUP),
// back the holder up online, restore the backup (data and keys) to a
// scratch directory and export from it, stop the target, import, start it
// with the partnership placed there, reload the others.
TEST(PartnershipsTest, APartnershipMovesToAnotherInstanceWithItsHistory) {
  testing::TempDir dir;
  int a_port = 0, b_port = 0;
  bool eastbrook_on_b = false, eastbrook_nowhere = false;
  const std::string placement = dir.Sub("placement");
  auto place = [&](int a_at, int b_at) {
    std::ofstream out(placement);
    if (!eastbrook_nowhere) {
      out << "eastbrook   casework-" << (eastbrook_on_b ? "b" : "a") << "  127.0.0.1:"
          << (eastbrook_on_b ? b_at : a_at) << "\n";
    }
    out << "westmoor    casework-a  127.0.0.1:" << a_at << "\n"
        << "northfield  casework-b  127.0.0.1:" << b_at << "\n";
  };
  place(0, 0);
  const std::string a_key = testing::EnsureMasterKeyFile(dir.Sub("a.key"));
  const std::string b_key = testing::EnsureMasterKeyFile(dir.Sub("b.key"));
  const std::string transfer_key = testing::EnsureMasterKeyFile(dir.Sub("transfer.key"));
  auto instance = [&](const std::string& name, const std::string& key) {
    return std::vector<std::string>{"--data_dir=" + dir.Sub(name), "--listen=127.0.0.1:0",
                                    "--placement=" + placement,
                                    "--instance=casework-" + name,
                                    "--master_key_file=" + key,
                                    "--backup_dir=" + dir.Sub(name + "-backups"),
                                    "--norequest_log",
                                    "--min_free_disk_mb=16"};
  };
  RunningCaseworkd a(instance("a", a_key));
  auto b = std::make_unique<RunningCaseworkd>(instance("b", b_key));
  a_port = a.port();
  b_port = b->port();
  ASSERT_GT(a_port, 0) << absl::StrJoin(a.lines(), "");
  ASSERT_GT(b_port, 0) << absl::StrJoin(b->lines(), "");
  ASSERT_NO_FATAL_FAILURE(ReplaceAddresses(place, a, a_port, *b, b_port));
  ASSERT_TRUE(Publish(To(a_port), "eastbrook").ok());
  ASSERT_TRUE(Publish(To(b_port), "northfield").ok());
  v1::ActionResponse east1, north1;
  ASSERT_TRUE(CreateAction(To(a_port), "eastbrook", "east-1", &east1).ok());
  ASSERT_TRUE(CreateAction(To(b_port), "northfield", "north-1", &north1).ok());

  // 1. Nothing writes to eastbrook anywhere.
  eastbrook_nowhere = true;
  place(a_port, b_port);
  ASSERT_EQ(kill(a.pid(), SIGHUP), 0);
  ASSERT_TRUE(a.AwaitLines("SIGHUP: instance casework-a holds", 2));
  EXPECT_THAT(a.lines(), ::testing::Contains(HasSubstr("holds westmoor\n")));
  v1::ActionResponse refused;
  EXPECT_EQ(ReasonOf(CreateAction(To(a_port), "eastbrook", "east-2", &refused)),
            "PARTNERSHIP_NOT_PLACED");

  // 2. An online backup of a (its keys with it), restored to scratch and
  //    exported from there.
  auto operations = v1::OperationsService::NewStub(To(a_port));
  grpc::ClientContext context;
  testing::SetIdentity(context, "eastbrook-council", "u-1", "admin");
  v1::Backup backup;
  grpc::Status backed_up = operations->CreateBackup(&context, v1::CreateBackupRequest(), &backup);
  ASSERT_TRUE(backed_up.ok()) << backed_up.error_message();
  EXPECT_GT(backup.key_store_backup_id(), 0u);
  hardening::Exited restored = RunCaseworkd({"--data_dir=" + dir.Sub("scratch"),
                                             "--restore_from=" + dir.Sub("a-backups"),
                                             "--master_key_file=" + a_key});
  ASSERT_EQ(restored.code, 0) << restored.err;
  EXPECT_THAT(restored.err, HasSubstr("restored key store backup"));
  const std::string file = dir.Sub("eastbrook.export");
  hardening::Exited exported = RunCaseworkd(
      {"--data_dir=" + dir.Sub("scratch"), "--master_key_file=" + a_key,
       "--export_partnership=eastbrook", "--transfer_file=" + file,
       "--transfer_key_file=" + transfer_key});
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_THAT(exported.err, HasSubstr("exported partnership eastbrook"));

  // 3. b stops, takes it in, and starts holding it.
  ASSERT_EQ(kill(b->pid(), SIGTERM), 0);
  ASSERT_EQ(b->Wait(), 0);
  b.reset();
  hardening::Exited imported = RunCaseworkd(
      {"--data_dir=" + dir.Sub("b"), "--master_key_file=" + b_key,
       "--import_partnership=eastbrook", "--transfer_file=" + file,
       "--transfer_key_file=" + transfer_key});
  ASSERT_EQ(imported.code, 0) << imported.err;
  EXPECT_THAT(imported.err, HasSubstr("verified"));
  EXPECT_THAT(imported.err, HasSubstr("a feed subscriber of eastbrook resumes here after"));
  eastbrook_on_b = true;
  eastbrook_nowhere = false;
  place(a_port, 0);
  b = std::make_unique<RunningCaseworkd>(instance("b", b_key));
  b_port = b->port();
  ASSERT_GT(b_port, 0) << absl::StrJoin(b->lines(), "");
  place(a_port, b_port);
  ASSERT_EQ(kill(a.pid(), SIGHUP), 0);
  ASSERT_TRUE(a.AwaitLines("SIGHUP: instance casework-a holds", 3));

  // eastbrook answers on b as it did on a: its action, its retried create
  // (the first reply), its numbering; a sends its callers to b.
  EXPECT_TRUE(GetAction(To(b_port), "eastbrook", east1.action().name()).ok());
  v1::ActionResponse retried;
  ASSERT_TRUE(CreateAction(To(b_port), "eastbrook", "east-1", &retried).ok());
  EXPECT_EQ(retried.action().name(), east1.action().name());
  v1::ActionResponse east2;
  ASSERT_TRUE(CreateAction(To(b_port), "eastbrook", "east-2", &east2).ok());
  EXPECT_EQ(east2.action().name(), "partnerships/eastbrook/actions/2");
  grpc::Status elsewhere = GetAction(To(a_port), "eastbrook", east1.action().name());
  EXPECT_EQ(ReasonOf(elsewhere), "PARTNERSHIP_ELSEWHERE");
  EXPECT_THAT(elsewhere.error_message(), HasSubstr("held by instance casework-b"));
  EXPECT_TRUE(GetAction(To(b_port), "northfield", north1.action().name()).ok());
}

}  // namespace
}  // namespace casework::services::split
