// The Prometheus endpoint of a real server: scraped over HTTP, checked by
// promtool, and its series moving as commands run.
#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "casework/v1/actions.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "privacy/key_store.h"
#include "services/metrics.h"
#include "storage/fault_injection.h"
#include "tests/support/server_fixture.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// GET `path` from 127.0.0.1:`port`: the response body ("" on failure).
std::string HttpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request =
        "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[65536];
      for (ssize_t n; (n = ::read(fd, buffer, sizeof(buffer))) > 0;) response.append(buffer, n);
    }
  }
  ::close(fd);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// The value of the sample `series` (name and labels, as exposed), or -1.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

class MetricsTest : public testing::ServerFixture {
 protected:
  MetricsTest() : ServerFixture(testing::At(2026, 11, 2)) {}
  void SetUp() override {
    metrics_listen_ = "127.0.0.1:0";
    Start();
    Publish(workflow::LlrDefaultPolicy("eastbrook"));
  }

  void CreateAction(const std::string& request_id) {
    v1::CreateActionRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_request_id(request_id);
    request.set_title("Visit the flats with housing");
    request.set_owner_agency("eastbrook-council");
    *request.mutable_due_date() = testing::Date(2026, 12, 18);
    v1::ActionResponse out;
    auto stub = v1::ActionService::NewStub(Network());
    ASSERT_TRUE(Call(&v1::ActionService::Stub::CreateAction, stub.get(), request, &out).ok());
  }

  std::string Scrape() { return HttpGet(server_->metrics_port(), "/metrics"); }
};

constexpr char kCreated[] =
    "casework_calls_total{code=\"OK\",method=\"/casework.v1.ActionService/CreateAction\"}";

TEST_F(MetricsTest, TheExpositionPassesPromtoolAndItsSeriesMoveWithCommands) {
  ASSERT_GT(server_->metrics_port(), 0);
  privacy::KeyStore& keys = server_->store().sealer()->keys();
  ASSERT_TRUE(keys.AwaitPool(privacy::KeyStore::kPoolSize, absl::Seconds(30)));
  const privacy::KeyStore::Counts before = keys.counts();
  CreateAction("m-1");
  const std::string first = Scrape();
  ASSERT_THAT(first, HasSubstr("# TYPE casework_calls_total counter"));
  EXPECT_EQ(Sample(first, kCreated), 1);
  const double commands = Sample(first, "casework_engine_commands_total");
  EXPECT_GE(commands, 2);  // the policy and the action
  EXPECT_EQ(Sample(first, "casework_serving"), 1);
  EXPECT_GT(Sample(first, "casework_store_free_disk_bytes"), 0);
  EXPECT_GE(Sample(first, "casework_engine_write_seconds_count"), 2);
  EXPECT_EQ(Sample(first, "casework_engine_queue_depth"), 0);
  EXPECT_THAT(first, HasSubstr("casework_engine_writer_hold_max_seconds{method=\"casework.v1."
                               "ActionService/CreateAction\"}"));
  EXPECT_THAT(first, HasSubstr("casework_store_memtable_bytes "));
  EXPECT_LE(Sample(first, "casework_engine_row_cache_bytes"), 8 << 20);
  EXPECT_THAT(first, HasSubstr("casework_store_table_readers_bytes "));
  // The action's record key came from the keys made ahead of need.
  EXPECT_EQ(Sample(first, "casework_key_store_keys_from_pool_total"), before.from_pool + 1);
  EXPECT_EQ(Sample(first, "casework_key_store_keys_made_on_demand_total"), before.outside_pool);
  EXPECT_EQ(Sample(first, "casework_key_store_pool_refills_total"), before.refills);
  EXPECT_EQ(Sample(first, "casework_key_store_pool_keys"), privacy::KeyStore::kPoolSize - 1);
  EXPECT_THAT(first, HasSubstr("casework_call_duration_seconds_bucket{method=\"/casework.v1."
                               "ActionService/CreateAction\",le=\"+Inf\"} 1"));

  // promtool, Prometheus's own checker, accepts the exposition.
  testing::TempDir dir;
  const std::string file = dir.Sub("metrics.txt");
  std::ofstream(file) << first;
  const int checked = std::system(("promtool check metrics < " + file + " > " +
                                   dir.Sub("promtool.out") + " 2>&1").c_str());
  std::ifstream promtool_out(dir.Sub("promtool.out"));
  std::stringstream said;
  said << promtool_out.rdbuf();
  EXPECT_EQ(checked, 0) << said.str();

  // A second command, and a retry of the first: the series move.
  CreateAction("m-2");
  CreateAction("m-1");
  const std::string second = Scrape();
  EXPECT_EQ(Sample(second, kCreated), 3);
  EXPECT_EQ(Sample(second, "casework_engine_commands_total"), commands + 2);
  EXPECT_EQ(Sample(second, "casework_engine_replays_total"), 1);
}

TEST_F(MetricsTest, AMethodOutsideTheContractIsCountedAsOther) {
  grpc::GenericStub stub(Network());
  grpc::ClientContext context;
  grpc::Slice empty("", 0);
  grpc::ByteBuffer request(&empty, 1), reply;
  grpc::CompletionQueue cq;
  grpc::Status status;
  auto call = stub.PrepareUnaryCall(&context, "/casework.v1.NoSuchService/Anything", request, &cq);
  call->StartCall();
  call->Finish(&reply, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  ASSERT_TRUE(cq.Next(&tag, &ok));
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  const std::string text = Scrape();
  EXPECT_EQ(Sample(text, "casework_calls_total{code=\"UNIMPLEMENTED\",method=\"other\"}"), 1);
  EXPECT_THAT(text, Not(HasSubstr("NoSuchService")));
}

// Below the free-space floor (an injected file system): health turns
// NOT_SERVING and the metrics say so, with the free bytes the floor saw.
TEST_F(MetricsTest, ServingDropsToZeroBelowTheFreeSpaceFloor) {
  server_.reset();
  auto faults = std::make_shared<storage::FaultInjector>();
  Start(faults);
  EXPECT_EQ(Sample(Scrape(), "casework_serving"), 1);
  faults->SetFreeBytes(uint64_t{1} << 20);  // 1 MiB, under the 256 MiB floor
  server_->CheckHealth();
  const std::string text = Scrape();
  EXPECT_EQ(Sample(text, "casework_serving"), 0);
  EXPECT_EQ(Sample(text, "casework_store_free_disk_bytes"), 1048576);
  faults->SetFreeBytes(std::nullopt);
  server_->CheckHealth();
  EXPECT_EQ(Sample(Scrape(), "casework_serving"), 1);
}

TEST(MetricsStartTest, AnAddressInUseIsRefusedNamingIt) {
  absl::StatusOr<std::unique_ptr<Metrics>> first = Metrics::Start("127.0.0.1:0");
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string taken = absl::StrCat("127.0.0.1:", (*first)->port());
  absl::StatusOr<std::unique_ptr<Metrics>> second = Metrics::Start(taken);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("cannot serve metrics on " + taken));
}

}  // namespace
}  // namespace casework::services
