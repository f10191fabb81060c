// Helpers of the hardening tests (hardening_support.h).
#include "tests/services/hardening_support.h"

#include <grpcpp/generic/generic_stub.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/support/test_support.h"

namespace casework::services::hardening {

using ::casework::testing::DetailOf;
using ::casework::testing::GenericUnary;
using ::casework::testing::GenericUnaryAs;
using ::casework::testing::SetIdentity;

// --- Helpers ---------------------------------------------------------------

// A server for one test: port 0, no request log, no background polling.
ServerConfig TestConfig(const std::string& data_dir) {
  ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.data_dir = data_dir;
  config.request_log = false;
  config.timer_poll = absl::ZeroDuration();
  config.space_poll = absl::ZeroDuration();
  return config;
}

std::unique_ptr<CaseworkServer> MustStart(const ServerConfig& config, const Clock* clock) {
  absl::StatusOr<std::unique_ptr<CaseworkServer>> server = CaseworkServer::Start(config, clock);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
}

std::string Health(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                   grpc::ClientContext* context) {
  // grpc.health.v1.HealthCheckRequest{service = 1}; empty: the whole server.
  const std::string request =
      service.empty()
          ? ""
          : absl::StrCat("\x0a", std::string(1, static_cast<char>(service.size())), service);
  std::string response;
  const std::string method = "/grpc.health.v1.Health/Check";
  grpc::Status status = context == nullptr
                            ? GenericUnary(channel, method, request, &response)
                            : GenericUnaryAs(channel, *context, method, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return "SERVICE_UNKNOWN";
  if (!status.ok()) return absl::StrCat("error ", status.error_code());
  if (response == std::string("\x08\x01", 2)) return "SERVING";
  if (response == std::string("\x08\x02", 2)) return "NOT_SERVING";
  return absl::StrCat("unexpected ", absl::CEscape(response));
}

std::string ReasonOf(const grpc::Status& status) {
  std::optional<v1::ErrorInfo> info = DetailOf<v1::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "";
}

// The only violation of an INVALID_ARGUMENT, as "field | rule | description".
std::string ViolationOf(const grpc::Status& status) {
  std::optional<v1::BadRequest> detail = DetailOf<v1::BadRequest>(status);
  if (!detail.has_value()) return "no BadRequest";
  std::vector<std::string> out;
  for (const v1::FieldViolation& v : detail->violations()) {
    out.push_back(absl::StrCat(v.field(), " | ", v.rule(), " | ", v.description()));
  }
  return absl::StrJoin(out, "\n");
}

v1::RecordComplaintRequest ComplaintRequest(const std::string& id, size_t summary_bytes) {
  v1::RecordComplaintRequest r;
  r.set_parent("partnerships/eastbrook");
  r.set_request_id("c-" + id);
  v1::Complaint& c = *r.mutable_complaint();
  c.set_complainant_reference("cmp-" + id);
  c.set_agency("shire-police");
  c.set_agency_kind(v1::POLICE);
  c.set_source_system("sentinel");
  c.set_source_reference("SRC-" + id);
  c.mutable_behaviour_date()->set_year(2026);
  c.mutable_behaviour_date()->set_month(3);
  c.mutable_behaviour_date()->set_day(2);
  c.mutable_reported_date()->set_year(2026);
  c.mutable_reported_date()->set_month(3);
  c.mutable_reported_date()->set_day(3);
  c.set_category(v1::NUISANCE);
  c.set_summary(std::string(summary_bytes, 's'));
  return r;
}

// Records `count` complaints through one StreamComplaints call.
v1::StreamComplaintsResponse StreamComplaints(const std::shared_ptr<grpc::Channel>& channel,
                                              int count, size_t summary_bytes,
                                              const std::string& prefix) {
  auto stub = v1::ComplaintService::NewStub(channel);
  grpc::ClientContext context;
  SetIdentity(context);
  v1::StreamComplaintsResponse response;
  auto writer = stub->StreamComplaints(&context, &response);
  for (int i = 0; i < count; ++i) {
    if (!writer->Write(ComplaintRequest(absl::StrCat(prefix, "-", i), summary_bytes))) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

// Resident memory of this process after giving free memory back to the
// kernel, in bytes.
uint64_t ResidentBytes() {
  malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

pid_t SpawnCaseworkd(const std::vector<std::string>& args, bool with_stdout, bool as_nobody,
                     int* out) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    if (with_stdout) dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    if (as_nobody && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(126);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>("caseworkd"));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(CASEWORKD_PATH, argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  *out = pipe_fds[0];
  return pid;
}

// Runs caseworkd with `args` to completion, collecting its stdout and
// stderr. With `as_nobody`, drops root privileges first (uid/gid 65534).
Exited RunCaseworkd(const std::vector<std::string>& args, bool as_nobody) {
  int out = -1;
  const pid_t pid = SpawnCaseworkd(args, /*with_stdout=*/true, as_nobody, &out);
  Exited exited;
  char buffer[4096];
  for (ssize_t n; (n = read(out, buffer, sizeof buffer)) > 0;) exited.err.append(buffer, n);
  close(out);
  int status = 0;
  waitpid(pid, &status, 0);
  exited.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exited;
}

// The line of `err` that starts with "caseworkd: cannot start: ".
std::string StartFailure(const std::string& err) {
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (absl::StartsWith(line, "caseworkd: cannot start: ")) return std::string(line);
  }
  return absl::StrCat("no start failure line in: ", err);
}

}  // namespace casework::services::hardening
