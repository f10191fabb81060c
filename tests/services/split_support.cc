#include "tests/services/split_support.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "services/tokens.h"
#include "tests/services/hardening_support.h"
#include "tests/support/test_support.h"

namespace casework::services::split {

int FreePort() {
  // Below the kernel's ephemeral range (32768 and up), where ports bound to
  // port 0 and the local ends of outgoing connections come from, so only
  // another caller of FreePort could take it before nginx binds it.
  static std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> in_range(20000, 32767);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = in_range(random);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (free) return port;
  }
  return 0;
}

Nginx::Nginx(const std::string& dir, const std::string& site,
             const std::vector<std::pair<std::string, std::string>>& addresses) {
  std::string text =
      ReadTextFile(std::string(CASEWORK_SOURCE_DIR) + "/deploy/nginx/" + site, "file").value_or("");
  for (const auto& [from, to] : addresses) text = absl::StrReplaceAll(text, {{from, to}});
  std::ofstream(dir + "/" + site) << text;
  std::ofstream(dir + "/nginx.conf")
      << "daemon off;\nworker_processes 1;\nerror_log " << dir << "/error.log;\npid " << dir
      << "/nginx.pid;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path " << dir
      << "/body;\n  include " << dir << "/" << site << ";\n}\n";
  pid_ = fork();
  if (pid_ == 0) {
    execl(NGINX_PATH, NGINX_PATH, "-p", dir.c_str(), "-c", (dir + "/nginx.conf").c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
}

Nginx::~Nginx() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}
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
  absl::StatusOr<std::vector<v1::PanelCase>> cases = scenario::ListPanelCases(channel);
  EXPECT_TRUE(cases.ok()) << cases.status();
  return cases.ok() ? *std::move(cases) : std::vector<v1::PanelCase>();
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
  grpc::ClientContext context;
  Identify(context, "caseworker", process);
  return hardening::Health(channel, service, &context);
}

}  // namespace casework::services::split
