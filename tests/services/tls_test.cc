// Mutual TLS end to end: certificates made at test time by the operator's
// script (deploy/partnership-ca.sh), a server that requires them, and the
// calling system's agency taken from its certificate.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "services/transport.h"
#include "storage/clock.h"
#include "tests/support/test_support.h"

namespace casework::services {
namespace {

using ::testing::HasSubstr;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new testing::TempDir();
    const std::string script = std::string(CASEWORK_SOURCE_DIR) + "/deploy/partnership-ca.sh";
    const std::string other = certs_->Sub("other");
    for (const std::string& args :
         {absl::StrCat("init ", certs_->path()),
          absl::StrCat("server ", certs_->path(), " server localhost 127.0.0.1"),
          absl::StrCat("client ", certs_->path(), " police police-link.shire.example"),
          absl::StrCat("client ", certs_->path(), " stranger stranger.example"),
          absl::StrCat("init ", other),
          absl::StrCat("client ", other, " forged police-link.shire.example")}) {
      const std::string command = absl::StrCat("bash ", script, " ", args, " >/dev/null 2>&1");
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
  }
  static void TearDownTestSuite() { delete certs_; }

  void SetUp() override {
    config_.listen = "127.0.0.1:0";
    config_.data_dir = data_.Sub("data");
    config_.request_log = false;
    config_.timer_poll = absl::ZeroDuration();
    config_.space_poll = absl::ZeroDuration();
    absl::StatusOr<std::map<std::string, std::string>> agencies =
        ParseAgencyMap("# the shire's police integration\npolice-link.shire.example shire-police\n");
    ASSERT_TRUE(agencies.ok()) << agencies.status();
    config_.tls = TlsConfig{certs_->Sub("server.pem"), certs_->Sub("server.key"),
                            certs_->Sub("ca.pem"), *agencies};
  }

  void Start() {
    absl::StatusOr<std::unique_ptr<CaseworkServer>> server = CaseworkServer::Start(config_, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // A channel to the server presenting client certificate `name` of `dir`
  // (none if empty), trusting the partnership CA for the server.
  std::shared_ptr<grpc::Channel> Channel(const std::string& name, const std::string& dir = "") {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = Slurp(certs_->Sub("ca.pem"));
    if (!name.empty()) {
      const std::string base = (dir.empty() ? certs_->path() : dir) + "/" + name;
      options.pem_private_key = Slurp(base + ".key");
      options.pem_cert_chain = Slurp(base + ".pem");
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                     grpc::SslCredentials(options), args);
  }

  // Creates an action over `channel`, stating agency `agency` (none if
  // empty).
  grpc::Status CreateAction(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& agency, v1::ActionResponse* out) {
    grpc::ClientContext context;
    if (!agency.empty()) context.AddMetadata("x-casework-agency", agency);
    context.AddMetadata("x-casework-user", "u-link");
    context.AddMetadata("x-casework-role", "integration");
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::CreateActionRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_request_id(absl::StrCat("tls-", ++requests_));
    request.set_title("Patrols at the underpass after dark");
    request.set_owner_agency("shire-police");
    request.mutable_due_date()->set_year(2026);
    request.mutable_due_date()->set_month(12);
    request.mutable_due_date()->set_day(18);
    return v1::ActionService::NewStub(channel)->CreateAction(&context, request, out);
  }

  static testing::TempDir* certs_;
  testing::TempDir data_;
  ManualClock clock_{absl::FromUnixSeconds(1793700000)};
  ServerConfig config_;
  std::unique_ptr<CaseworkServer> server_;
  int requests_ = 0;
};

testing::TempDir* TlsTest::certs_ = nullptr;

TEST_F(TlsTest, TheCallingSystemsAgencyComesFromItsCertificate) {
  Start();
  v1::ActionResponse created;
  grpc::Status status = CreateAction(Channel("police"), "", &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // Stating its own agency is fine too.
  v1::ActionResponse again;
  ASSERT_TRUE(CreateAction(Channel("police"), "shire-police", &again).ok());

  grpc::ClientContext context;
  context.AddMetadata("x-casework-user", "u-link");
  context.AddMetadata("x-casework-role", "integration");
  v1::ReadStreamRequest read;
  read.set_stream(created.action().name());
  v1::ReadStreamResponse history;
  ASSERT_TRUE(v1::EventService::NewStub(Channel("police"))->ReadStream(&context, read, &history).ok());
  ASSERT_EQ(history.events_size(), 2);  // ActionCreated and its deadline
  EXPECT_EQ(history.events(0).actor().agency(), "shire-police");
  EXPECT_EQ(history.events(0).actor().user(), "u-link");
}

TEST_F(TlsTest, ACertificateCannotActForAnotherAgency) {
  Start();
  v1::ActionResponse out;
  grpc::Status status = CreateAction(Channel("police"), "eastbrook-council", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("the client certificate acts for shire-police, not for \"eastbrook-council\""));
}

TEST_F(TlsTest, ACertificateOfNoMappedSystemIsUnauthenticated) {
  Start();
  v1::ActionResponse out;
  grpc::Status status = CreateAction(Channel("stranger"), "", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("stranger.example"));
}

TEST_F(TlsTest, ConnectionsWithoutATrustedCertificateAreRefused) {
  Start();
  v1::ActionResponse out;
  EXPECT_EQ(CreateAction(Channel(""), "", &out).error_code(), grpc::StatusCode::UNAVAILABLE);
  // Signed by another CA, though it names a mapped system.
  EXPECT_EQ(CreateAction(Channel("forged", certs_->Sub("other")), "", &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Plaintext.
  auto plain = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  EXPECT_EQ(CreateAction(plain, "shire-police", &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, OnlyTlsMayListenBeyondLoopback) {
  config_.listen = "0.0.0.0:0";
  Start();
  server_.reset();
  config_.tls.reset();
  absl::StatusOr<std::unique_ptr<CaseworkServer>> plain = CaseworkServer::Start(config_, &clock_);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(plain.status().message(), HasSubstr("without TLS"));
}

TEST(AgencyMapTest, LinesAreCheckedAndNamed) {
  EXPECT_EQ(ParseAgencyMap("a.example shire-police\nb.example eastbrook-council\n")->size(), 2u);
  EXPECT_THAT(ParseAgencyMap("a.example\n").status().message(), HasSubstr("line 1"));
  EXPECT_THAT(ParseAgencyMap("\na.example Shire Police\n").status().message(), HasSubstr("line 2"));
  EXPECT_THAT(ParseAgencyMap("a.example BAD_ID\n").status().message(),
              HasSubstr("is not an agency identifier"));
  EXPECT_THAT(ParseAgencyMap("a.example x\na.example y\n").status().message(),
              HasSubstr("mapped twice"));
}

}  // namespace
}  // namespace casework::services
