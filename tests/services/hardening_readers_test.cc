// Connections that never read their replies hold bounded memory, given back
// when they close; the request log is JSON, escaped, cut short and rate
// limited; a draining server tells new connections NOT_SERVING.
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/call_context.h"
#include "services/server.h"
#include "storage/clock.h"
#include "tests/services/hardening_support.h"
#include "tests/support/test_support.h"

namespace casework::services {
namespace {

using namespace ::casework::services::hardening;  // NOLINT: the tests' helpers
using ::casework::testing::CreateRequest;
using ::casework::testing::SetIdentity;
using ::casework::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// --- Slow readers ----------------------------------------------------------

// A raw HTTP/2 connection that starts gRPC calls and never reads a byte of
// what the server sends back (and so never opens its flow-control windows).
class SlowReader {
 public:
  explicit SlowReader(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int small = 4096;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    std::string out = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    out += Frame(0x4, 0, 0, "");    // SETTINGS (defaults)
    out += Frame(0x4, 0x1, 0, "");  // SETTINGS ACK of the server's
    Send(out);
  }
  ~SlowReader() { Close(); }
  bool connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Starts a unary call of `path` with `message` on the next stream.
  void Call(const std::string& path, const std::string& message) {
    std::string headers;
    for (const auto& [name, value] :
         std::vector<std::pair<std::string, std::string>>{{":method", "POST"},
                                                          {":scheme", "http"},
                                                          {":path", path},
                                                          {":authority", "localhost"},
                                                          {"content-type", "application/grpc"},
                                                          {"te", "trailers"},
                                                          {"x-casework-agency", "eastbrook-council"},
                                                          {"x-casework-user", "u-slow"},
                                                          {"x-casework-role", "caseworker"}}) {
      headers += '\0';  // literal header field without indexing, new name
      headers += static_cast<char>(name.size());
      headers += name;
      headers += static_cast<char>(value.size());
      headers += value;
    }
    std::string data(5, '\0');
    data[1] = static_cast<char>(message.size() >> 24);
    data[2] = static_cast<char>(message.size() >> 16);
    data[3] = static_cast<char>(message.size() >> 8);
    data[4] = static_cast<char>(message.size());
    data += message;
    Send(Frame(0x1, 0x4, next_stream_, headers) + Frame(0x0, 0x1, next_stream_, data));
    next_stream_ += 2;
  }

  // Reads frames until the server's SETTINGS; returns its entries.
  std::map<int, uint32_t> ServerSettings() {
    std::map<int, uint32_t> settings;
    std::string in;
    char buffer[4096];
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return settings;
      ssize_t n = ::read(fd_, buffer, sizeof buffer);
      if (n <= 0) return settings;
      in.append(buffer, n);
      while (in.size() >= 9) {
        const size_t length = (static_cast<unsigned char>(in[0]) << 16) |
                              (static_cast<unsigned char>(in[1]) << 8) |
                              static_cast<unsigned char>(in[2]);
        if (in.size() < 9 + length) break;
        const int type = in[3];
        const int flags = in[4];
        if (type == 0x4 && (flags & 0x1) == 0) {
          for (size_t i = 0; i + 6 <= length; i += 6) {
            const unsigned char* e = reinterpret_cast<const unsigned char*>(in.data() + 9 + i);
            settings[(e[0] << 8) | e[1]] =
                (uint32_t{e[2]} << 24) | (e[3] << 16) | (e[4] << 8) | e[5];
          }
          return settings;
        }
        in.erase(0, 9 + length);
      }
    }
  }

 private:
  static std::string Frame(int type, int flags, uint32_t stream, const std::string& payload) {
    std::string f;
    f += static_cast<char>(payload.size() >> 16);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size());
    f += static_cast<char>(type);
    f += static_cast<char>(flags);
    f += static_cast<char>(stream >> 24);
    f += static_cast<char>(stream >> 16);
    f += static_cast<char>(stream >> 8);
    f += static_cast<char>(stream);
    return f + payload;
  }
  void Send(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }

  int fd_ = -1;
  bool connected_ = false;
  uint32_t next_stream_ = 1;
};

TEST(SlowReaderTest, MemoryStaysBoundedWhileRepliesAreNotReadAndReturnsAfterwards) {
  TempDir dir;
  ServerConfig config = TestConfig(dir.Sub("data"));
  config.max_reply_backlog_bytes = 16 * kMiB;
  ManualClock clock(kStart);
  std::unique_ptr<CaseworkServer> server = MustStart(config, &clock);
  ASSERT_NE(server, nullptr);
  // About 1.4 MiB of log: every ReadLog of a full page is a ~1 MiB reply.
  v1::StreamComplaintsResponse loaded = StreamComplaints(server->InProcessChannel(), 600, 2000);
  ASSERT_EQ(loaded.recorded(), 600);

  // The server tells each connection it may run 32 calls at once.
  {
    SlowReader probe(server->port());
    ASSERT_TRUE(probe.connected());
    EXPECT_EQ(probe.ServerSettings()[0x3], 32u);  // SETTINGS_MAX_CONCURRENT_STREAMS
  }
  const CallStats idle = server->calls().stats();
  const uint64_t baseline = ResidentBytes();

  // 8 connections x 32 calls, each asking for a 1000-event page of the log,
  // none ever read.
  constexpr int kConnections = 8;
  constexpr int kCallsEach = 32;
  v1::ReadLogRequest request;
  request.set_page_size(1000);
  const std::string message = request.SerializeAsString();
  std::vector<std::unique_ptr<SlowReader>> readers;
  for (int c = 0; c < kConnections; ++c) {
    readers.push_back(std::make_unique<SlowReader>(server->port()));
    ASSERT_TRUE(readers.back()->connected());
    for (int i = 0; i < kCallsEach; ++i) {
      readers.back()->Call("/casework.v1.EventService/ReadLog", message);
    }
  }
  const int64_t expected = idle.started + kConnections * kCallsEach;
  ASSERT_TRUE(server->calls().AwaitStats(
      [&](const CallStats& s) {
        return s.started == expected && s.replies_held + s.replies_refused - idle.replies_refused ==
                                            kConnections * kCallsEach;
      },
      absl::Seconds(60)))
      << "started " << server->calls().stats().started << " of " << expected;
  const CallStats busy = server->calls().stats();
  const uint64_t held = ResidentBytes();
  std::printf(
      "slow readers: %d calls, %lld replies held (%.1f MiB), %lld refused; resident "
      "+%.1f MiB\n",
      kConnections * kCallsEach, static_cast<long long>(busy.replies_held),
      busy.backlog_bytes / 1048576.0,
      static_cast<long long>(busy.replies_refused - idle.replies_refused),
      (static_cast<double>(held) - static_cast<double>(baseline)) / 1048576.0);
  EXPECT_LE(busy.backlog_bytes, static_cast<int64_t>(16 * kMiB));
  EXPECT_GT(busy.replies_refused - idle.replies_refused, 0);
  // The stated bound: the 16 MiB backlog plus 48 MiB for 256 calls'
  // bookkeeping and transport buffers. (Without the backlog limit the same
  // calls held +264 MiB here, and +187 MiB stayed after they closed.)
  if (kResidentMemoryIsMeaningful) {
    EXPECT_LT(static_cast<double>(held) - static_cast<double>(baseline), 64.0 * kMiB);
  }

  // Other clients are still served meanwhile.
  EXPECT_EQ(Health(Connect(server->port())), "SERVING");

  // The connections close: everything is given back.
  readers.clear();
  ASSERT_TRUE(server->calls().AwaitStats(
      [&](const CallStats& s) { return s.finished == s.started && s.replies_held == 0; },
      absl::Seconds(60)));
  // The calls are done; the connections' buffers go a moment later.
  uint64_t after = ResidentBytes();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (after > baseline + 8 * kMiB && absl::Now() < deadline) after = ResidentBytes();
  std::printf("slow readers closed: resident +%.1f MiB over the baseline\n",
              (static_cast<double>(after) - static_cast<double>(baseline)) / 1048576.0);
  EXPECT_EQ(server->calls().stats().backlog_bytes, 0);
  if (kResidentMemoryIsMeaningful) {
    EXPECT_LT(static_cast<double>(after) - static_cast<double>(baseline), 16.0 * kMiB);
  }
}

// --- The request log and the drain ------------------------------------------

TEST(RequestLogTest, LinesAreJsonEscapedCutShortAndRateLimited) {
  TempDir dir;
  RunningCaseworkd caseworkd({"--data_dir=" + dir.Sub("data"), "--listen=127.0.0.1:0",
                              "--request_log=true", "--request_log_lines_per_second=5"});
  ASSERT_GT(caseworkd.port(), 0);
  auto channel = Connect(caseworkd.port());
  auto actions = v1::ActionService::NewStub(channel);
  auto get = [&](const std::string& name) {
    grpc::ClientContext context;
    context.AddMetadata(kAgencyHeader, "eastbrook-council");
    context.AddMetadata(kUserHeader, "u\"1\\");
    context.AddMetadata(kRoleHeader, "caseworker");
    context.AddMetadata(kPurposeHeader, "request log test");
    v1::GetActionRequest request;
    request.set_name(name);
    v1::Action out;
    return actions->GetAction(&context, request, &out);
  };
  get("x\n{\"forged\":true}");
  for (int i = 0; i < 25; ++i) get(std::string(900 << 10, 'n'));
  // Keep calling until a line reports the lines dropped by the rate limit.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool suppressed = false;
  while (!suppressed && absl::Now() < deadline) {
    get("partnerships/eastbrook/actions/1");
    for (const std::string& line : caseworkd.lines()) {
      suppressed = suppressed || line.find("\"suppressed\":") != std::string::npos;
    }
  }
  EXPECT_TRUE(suppressed);
  actions.reset();
  channel.reset();  // an idle connection would hold the shutdown for seconds
  kill(caseworkd.pid(), SIGTERM);
  EXPECT_EQ(caseworkd.Wait(), 0);

  size_t log_bytes = 0;
  int log_lines = 0;
  for (const std::string& line : caseworkd.lines()) {
    if (line.rfind("caseworkd: ", 0) == 0) continue;  // the server's own lines
    ++log_lines;
    log_bytes += line.size();
    EXPECT_THAT(line, StartsWith("{\"time\":\"")) << line;
    EXPECT_THAT(line, ::testing::EndsWith("}\n")) << line;
    EXPECT_LT(line.size(), 1000u) << line;
  }
  EXPECT_GT(log_lines, 0);
  EXPECT_LT(log_bytes, 64u << 10);
  const std::string first = caseworkd.lines().size() > 1 ? [&] {
    for (const std::string& line : caseworkd.lines()) {
      if (line.find("forged") != std::string::npos) return line;
    }
    return std::string();
  }() : "";
  EXPECT_THAT(first, HasSubstr("\"user\":\"u\\\"1\\\\\""));
  EXPECT_THAT(first, HasSubstr("\"code\":\"INVALID_ARGUMENT\""));
  EXPECT_THAT(first, HasSubstr("x\\\\n{\\\\\\\"forged"));
}

TEST(DrainTest, NewConnectionsSeeNotServingDuringTheDrainNotice) {
  TempDir dir;
  RunningCaseworkd caseworkd({"--data_dir=" + dir.Sub("data"), "--listen=127.0.0.1:0",
                              "--request_log=false", "--drain_notice_seconds=60",
                              "--shutdown_grace_seconds=1"});
  ASSERT_GT(caseworkd.port(), 0);
  EXPECT_EQ(Health(Connect(caseworkd.port())), "SERVING");
  kill(caseworkd.pid(), SIGTERM);
  EXPECT_THAT(caseworkd.AwaitLine("draining"), HasSubstr("SIGTERM received, draining"));
  // A brand-new connection is accepted and told NOT_SERVING; calls still work.
  auto fresh = Connect(caseworkd.port());
  EXPECT_EQ(Health(fresh), "NOT_SERVING");
  auto actions = v1::ActionService::NewStub(fresh);
  grpc::ClientContext context;
  SetIdentity(context);
  v1::ActionResponse created;
  EXPECT_TRUE(actions->CreateAction(&context, CreateRequest("during-drain"), &created).ok());
  actions.reset();
  fresh.reset();  // an idle connection would hold the shutdown for seconds
  // A second signal ends the notice: the server stops cleanly.
  kill(caseworkd.pid(), SIGTERM);
  EXPECT_EQ(caseworkd.Wait(), 0);
  EXPECT_THAT(caseworkd.AwaitLine("stopped cleanly"), HasSubstr("stopped cleanly"));
}

}  // namespace
}  // namespace casework::services
