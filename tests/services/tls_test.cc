// Mutual TLS end to end: certificates made at test time by the operator's
// script (deploy/partnership-ca.sh), a server that requires them, and the
// calling system's agency taken from its certificate.
#include <grpcpp/grpcpp.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "services/tokens.h"
#include "services/transport.h"
#include "storage/clock.h"
#include "tests/support/test_support.h"

namespace casework::services {
namespace {

using ::testing::HasSubstr;

std::string Slurp(const std::string& path) { return ReadTextFile(path, "test file").value(); }

// base64url of the big number `name` of `key`, `width` bytes wide (0: as
// short as it is).
std::string KeyNumber(EVP_PKEY* key, const char* name, int width) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
  std::string bytes(width > 0 ? width : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  BN_free(bn);
  return absl::WebSafeBase64Escape(bytes);
}

// The JWK of the private key in PEM file `path`, as key `kid`.
std::string Jwk(const std::string& path, const std::string& kid) {
  const std::string pem = Slurp(path);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::string jwk;
  if (EVP_PKEY_is_a(key, "RSA")) {
    jwk = absl::StrCat(R"({"kty":"RSA","kid":")", kid, R"(","n":")", KeyNumber(key, "n", 0),
                       R"(","e":")", KeyNumber(key, "e", 0), R"("})");
  } else {
    jwk = absl::StrCat(R"({"kty":"EC","crv":"P-256","kid":")", kid, R"(","x":")",
                       KeyNumber(key, "qx", 32), R"(","y":")", KeyNumber(key, "qy", 32), R"("})");
  }
  EVP_PKEY_free(key);
  return jwk;
}

struct Claims {
  std::string issuer = "https://idp.eastbrook.example";
  std::string audience = "casework";
  std::string user = "u-4471";
  std::string agency = "shire-police";
  std::string roles = R"(["caseworker"])";
  absl::Duration expires_in = absl::Minutes(10);
};

// A JWT signed with the key in PEM file `path` by `alg`, naming key `kid`.
std::string Token(const std::string& path, jwt_alg_t alg, const std::string& kid, absl::Time now,
                  const Claims& c = Claims()) {
  const std::string key = Slurp(path);
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.data()),
              static_cast<int>(key.size()));
  jwt_add_header(jwt, "kid", kid.c_str());
  jwt_add_grant(jwt, "iss", c.issuer.c_str());
  jwt_add_grant(jwt, "aud", c.audience.c_str());
  jwt_add_grant(jwt, "sub", c.user.c_str());
  jwt_add_grant(jwt, "agency", c.agency.c_str());
  jwt_add_grants_json(jwt, absl::StrCat(R"({"roles":)", c.roles, "}").c_str());
  jwt_add_grant_int(jwt, "exp", absl::ToUnixSeconds(now + c.expires_in));
  char* encoded = jwt_encode_str(jwt);
  std::string token = encoded == nullptr ? "" : encoded;
  std::free(encoded);
  jwt_free(jwt);
  return token;
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
          absl::StrCat("client ", certs_->path(), " web web.eastbrook.example"),
          absl::StrCat("init ", other),
          absl::StrCat("client ", other, " forged police-link.shire.example")}) {
      const std::string command = absl::StrCat("bash ", script, " ", args, " >/dev/null 2>&1");
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
    // The identity provider's signing keys, and one it never published.
    for (const std::string& command :
         {absl::StrCat("openssl ecparam -name prime256v1 -genkey -noout -out ",
                       certs_->Sub("idp-ec.key")),
          absl::StrCat("openssl genrsa -out ", certs_->Sub("idp-rsa.key"), " 2048"),
          absl::StrCat("openssl ecparam -name prime256v1 -genkey -noout -out ",
                       certs_->Sub("rogue.key"))}) {
      ASSERT_EQ(std::system((command + " 2>/dev/null").c_str()), 0) << command;
    }
  }
  static void TearDownTestSuite() { delete certs_; }

  void SetUp() override {
    config_.listen = "127.0.0.1:0";
    config_.data_dir = data_.Sub("data");
    config_.request_log = false;
    config_.timer_poll = absl::ZeroDuration();
    config_.space_poll = absl::ZeroDuration();
    TlsConfig tls{
        certs_->Sub("server.pem"), certs_->Sub("server.key"), certs_->Sub("ca.pem"), {}, {}};
    ASSERT_TRUE(ParseAgencyMap("# the shire's police integration\n"
                               "police-link.shire.example shire-police\n"
                               "# the caseworkers' web client\n"
                               "web.eastbrook.example eastbrook-council any\n",
                               &tls)
                    .ok());
    config_.tls = tls;
  }

  void Start() {
    absl::StatusOr<std::unique_ptr<CaseworkServer>> server =
        CaseworkServer::Start(config_, &clock_);
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

  // Writes the JWKS of the identity provider's two keys and configures
  // bearer tokens.
  void UseTokens() {
    const std::string jwks = certs_->Sub("jwks.json");
    std::ofstream(jwks) << "{\"keys\":[" << Jwk(certs_->Sub("idp-ec.key"), "idp-ec") << ","
                        << Jwk(certs_->Sub("idp-rsa.key"), "idp-rsa") << "]}";
    absl::StatusOr<std::shared_ptr<TokenVerifier>> tokens =
        TokenVerifier::Load({jwks, "https://idp.eastbrook.example", "casework"});
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    config_.tokens = *tokens;
  }
  std::string EcToken(const Claims& c = Claims()) {
    return Token(certs_->Sub("idp-ec.key"), JWT_ALG_ES256, "idp-ec", clock_.Now(), c);
  }

  // The actor of the first event of the action `out` created.
  v1::Actor ActorOf(const std::shared_ptr<grpc::Channel>& channel, const v1::ActionResponse& out) {
    grpc::ClientContext context;
    context.AddMetadata("x-casework-user", "u-link");
    context.AddMetadata("x-casework-role", "integration");
    v1::ReadStreamRequest read;
    read.set_stream(out.action().name());
    v1::ReadStreamResponse history;
    EXPECT_TRUE(v1::EventService::NewStub(channel)->ReadStream(&context, read, &history).ok());
    return history.events_size() > 0 ? history.events(0).actor() : v1::Actor();
  }

  // Creates an action over `channel`, stating agency `agency` (none if
  // empty) and carrying bearer token `token` (none if empty).
  grpc::Status CreateAction(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& agency, v1::ActionResponse* out,
                            const std::string& token = "") {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    if (!agency.empty()) context.AddMetadata("x-casework-agency", agency);
    context.AddMetadata("x-casework-user", "u-link");
    // A token with one role needs no role header.
    if (token.empty()) context.AddMetadata("x-casework-role", "integration");
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
  ASSERT_TRUE(
      v1::EventService::NewStub(Channel("police"))->ReadStream(&context, read, &history).ok());
  ASSERT_EQ(history.events_size(), 2);  // ActionCreated and its deadline
  EXPECT_EQ(history.events(0).actor().agency(), "shire-police");
  EXPECT_EQ(history.events(0).actor().user(), "u-link");
}

TEST_F(TlsTest, ACertificateCannotActForAnotherAgency) {
  Start();
  v1::ActionResponse out;
  grpc::Status status = CreateAction(Channel("police"), "eastbrook-council", &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(
      status.error_message(),
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
  EXPECT_EQ(CreateAction(plain, "shire-police", &out).error_code(), grpc::StatusCode::UNAVAILABLE);
}

// The process's own callers (the demo loader) use the in-process channel:
// under mutual TLS they are let in by the process's key and state who they
// act as; the key is not something a network caller can present.
TEST_F(TlsTest, TheInProcessChannelWorksUnderTlsAndItsKeyStaysInTheProcess) {
  Start();
  v1::ActionResponse created;
  grpc::Status status = CreateAction(server_->InProcessChannel(), "eastbrook-council", &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::Actor actor = ActorOf(Channel("web"), created);
  EXPECT_EQ(actor.agency(), "eastbrook-council");
  EXPECT_EQ(actor.user(), "u-link");

  // A network caller sending the header with a guess gets nothing from it.
  grpc::ClientContext context;
  context.AddMetadata(kInProcessKeyHeader, std::string(64, '0'));
  context.AddMetadata("x-casework-agency", "eastbrook-council");
  context.AddMetadata("x-casework-user", "u-link");
  context.AddMetadata("x-casework-role", "integration");
  v1::CreateActionRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_request_id("tls-guess");
  v1::ActionResponse out;
  status = v1::ActionService::NewStub(Channel("stranger"))->CreateAction(&context, request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("stranger.example"));
  EXPECT_EQ(TransportIdentityResolver::NewInProcessKey().size(), 64u);
  EXPECT_NE(TransportIdentityResolver::NewInProcessKey(),
            TransportIdentityResolver::NewInProcessKey());
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

TEST_F(TlsTest, APersonsTokenNamesWhoCallsThroughTheSystem) {
  UseTokens();
  Start();
  v1::ActionResponse out;
  grpc::Status status = CreateAction(Channel("police"), "", &out, EcToken());
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::Actor actor = ActorOf(Channel("police"), out);
  EXPECT_EQ(actor.agency(), "shire-police");
  EXPECT_EQ(actor.user(), "u-4471");  // the token's, not the header's u-link
  EXPECT_EQ(actor.role(), "caseworker");
  // RS256 keys too.
  ASSERT_TRUE(
      CreateAction(Channel("police"), "", &out,
                   Token(certs_->Sub("idp-rsa.key"), JWT_ALG_RS256, "idp-rsa", clock_.Now()))
          .ok());
  // Without a token the system acts as itself.
  ASSERT_TRUE(CreateAction(Channel("police"), "", &out).ok());
  actor = ActorOf(Channel("police"), out);
  EXPECT_EQ(actor.user(), "police-link.shire.example");
  EXPECT_EQ(actor.role(), "integration");
}

// One connection carries many people's calls at once (the thin clients):
// each call acts as its own token's person, and a call without a token as
// the system, however they interleave.
TEST_F(TlsTest, ConcurrentCallsOnOneConnectionKeepTheirOwnPeople) {
  UseTokens();
  Start();
  const std::shared_ptr<grpc::Channel> channel = Channel("police");
  auto stub = v1::ActionService::NewStub(channel);
  std::vector<std::string> tokens;
  for (int person = 0; person < 4; ++person) {
    Claims claims;
    claims.user = absl::StrCat("u-officer-", person);
    tokens.push_back(EcToken(claims));
  }
  tokens.push_back("");  // the system itself
  std::atomic<int> wrong{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const size_t who = static_cast<size_t>(t + i) % tokens.size();
        grpc::ClientContext context;
        if (!tokens[who].empty()) context.AddMetadata("authorization", "Bearer " + tokens[who]);
        context.AddMetadata("x-casework-user", "u-link");
        context.AddMetadata("x-casework-role",
                            who + 1 == tokens.size() ? "integration" : "caseworker");
        v1::CreateActionRequest request = testing::CreateRequest(absl::StrCat("c-", t, "-", i));
        v1::ActionResponse out;
        if (!stub->CreateAction(&context, request, &out).ok()) {
          ++failed;
          continue;
        }
        const v1::Actor actor = ActorOf(channel, out);
        const std::string expected = who + 1 == tokens.size() ? "police-link.shire.example"
                                                              : absl::StrCat("u-officer-", who);
        if (actor.user() != expected) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(TlsTest, BadTokensAreRefused) {
  UseTokens();
  Start();
  auto refused = [&](const std::string& token) {
    v1::ActionResponse out;
    grpc::Status status = CreateAction(Channel("police"), "", &out, token);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
    return status.error_message();
  };
  Claims expired;
  expired.expires_in = -absl::Minutes(2);
  EXPECT_THAT(refused(EcToken(expired)), HasSubstr("expired"));
  Claims elsewhere;
  elsewhere.audience = "another-service";
  EXPECT_THAT(refused(EcToken(elsewhere)), HasSubstr("another audience"));
  Claims impostor;
  impostor.issuer = "https://idp.example";
  EXPECT_THAT(refused(EcToken(impostor)), HasSubstr("another issuer"));
  EXPECT_THAT(refused(Token(certs_->Sub("rogue.key"), JWT_ALG_ES256, "rogue", clock_.Now())),
              HasSubstr("unknown signing key rogue"));
  EXPECT_THAT(refused(Token(certs_->Sub("rogue.key"), JWT_ALG_ES256, "idp-ec", clock_.Now())),
              HasSubstr("signature does not verify"));
  // A key of the file used as an HMAC secret is not a way in.
  EXPECT_THAT(refused(Token(certs_->Sub("idp-ec.key"), JWT_ALG_HS256, "idp-ec", clock_.Now())),
              HasSubstr("signs with ES256"));
  EXPECT_THAT(refused("not.a.token"), HasSubstr("bearer token refused"));
  // A minute's skew is allowed.
  Claims just_expired;
  just_expired.expires_in = -absl::Seconds(30);
  v1::ActionResponse out;
  EXPECT_TRUE(CreateAction(Channel("police"), "", &out, EcToken(just_expired)).ok());
}

TEST_F(TlsTest, ASystemActsOnlyForItsOwnAgencysPeopleUnlessItMayActForAny) {
  UseTokens();
  Start();
  Claims council;
  council.agency = "eastbrook-council";
  council.user = "u-0192";
  council.roles = R"(["caseworker","spoc"])";
  v1::ActionResponse out;
  grpc::Status status = CreateAction(Channel("police"), "", &out, EcToken(council));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("acts for shire-police, not for people of eastbrook-council"));
  // The web client may act for any agency; a token with several roles
  // needs the one acted in named, and granted.
  status = CreateAction(Channel("web"), "", &out, EcToken(council));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("name one in x-casework-role"));
  grpc::ClientContext admin;
  admin.AddMetadata("authorization", "Bearer " + EcToken(council));
  admin.AddMetadata("x-casework-role", "admin");
  v1::CreateActionRequest request;
  status = v1::ActionService::NewStub(Channel("web"))->CreateAction(&admin, request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("does not grant role \"admin\""));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + EcToken(council));
  context.AddMetadata("x-casework-role", "spoc");
  request.set_parent("partnerships/eastbrook");
  request.set_request_id("web-1");
  request.set_title("Letter to the residents of Mill Lane");
  request.set_owner_agency("eastbrook-council");
  request.mutable_due_date()->set_year(2026);
  request.mutable_due_date()->set_month(12);
  request.mutable_due_date()->set_day(4);
  status = v1::ActionService::NewStub(Channel("web"))->CreateAction(&context, request, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::Actor actor = ActorOf(Channel("web"), out);
  EXPECT_EQ(actor.agency(), "eastbrook-council");
  EXPECT_EQ(actor.user(), "u-0192");
  EXPECT_EQ(actor.role(), "spoc");
}

TEST_F(TlsTest, KeysAreReloadedAndABadFileKeepsTheOldOnes) {
  UseTokens();
  Start();
  const std::string jwks = certs_->Sub("jwks.json");
  std::ofstream(jwks) << "{\"keys\":[" << Jwk(certs_->Sub("rogue.key"), "rotated") << "]}";
  ASSERT_TRUE(config_.tokens->Reload().ok());
  v1::ActionResponse out;
  EXPECT_TRUE(CreateAction(Channel("police"), "", &out,
                           Token(certs_->Sub("rogue.key"), JWT_ALG_ES256, "rotated", clock_.Now()))
                  .ok());
  std::ofstream(jwks) << "{\"keys\": [{\"kty\": \"oct\", \"kid\": \"k\"}]}";
  absl::Status bad = config_.tokens->Reload();
  EXPECT_THAT(bad.message(), HasSubstr("only RSA and EC"));
  EXPECT_EQ(config_.tokens->key_count(), 1u);
}

TEST(AgencyMapTest, LinesAreCheckedAndNamed) {
  auto parse = [](absl::string_view text) {
    TlsConfig tls;
    absl::Status status = ParseAgencyMap(text, &tls);
    return std::make_pair(status, tls);
  };
  auto [ok, tls] = parse("a.example shire-police\nb.example eastbrook-council any\n");
  ASSERT_TRUE(ok.ok()) << ok;
  EXPECT_EQ(tls.agencies.size(), 2u);
  EXPECT_EQ(tls.any_agency, std::set<std::string>{"b.example"});
  EXPECT_THAT(parse("a.example\n").first.message(), HasSubstr("line 1"));
  EXPECT_THAT(parse("\na.example Shire Police\n").first.message(), HasSubstr("line 2"));
  EXPECT_THAT(parse("a.example x every\n").first.message(), HasSubstr("line 1"));
  EXPECT_THAT(parse("a.example BAD_ID\n").first.message(),
              HasSubstr("is not an agency identifier"));
  EXPECT_THAT(parse("a.example x\na.example y\n").first.message(), HasSubstr("mapped twice"));
}

}  // namespace
}  // namespace casework::services
