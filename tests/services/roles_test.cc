// Roles declared in the contract: every RPC of every hosted service declares
// who may call it, and the server enforces exactly that. The matrix of
// roles by methods is generated from the declarations, so a new RPC is
// covered (and fails here until it declares its roles).
#include <grpcpp/generic/generic_stub.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "casework/v1/access.pb.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "services/roles.h"
#include "services/server.h"
#include "tests/support/server_fixture.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::casework::testing::At;
using ::testing::HasSubstr;

namespace pb = google::protobuf;

// Every method of every service caseworkd hosts.
std::vector<const pb::MethodDescriptor*> HostedMethods() {
  std::vector<const pb::MethodDescriptor*> methods;
  for (const auto& [name, make] : ServiceFactories()) {
    const pb::ServiceDescriptor* service =
        pb::DescriptorPool::generated_pool()->FindServiceByName(std::string(name));
    EXPECT_NE(service, nullptr) << name;
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) methods.push_back(service->method(i));
  }
  return methods;
}

std::string PathOf(const pb::MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

TEST(RolesTest, RoleNamesAreTheContractsRoles) {
  EXPECT_THAT(RoleNames(), ::testing::ElementsAre("caseworker", "spoc", "panel_chair",
                                                  "independent_chair", "partnership_chair",
                                                  "auditor", "integration", "admin",
                                                  "data_protection_officer"));
  EXPECT_EQ(ParseRole("panel_chair"), v1::ROLE_PANEL_CHAIR);
  EXPECT_EQ(ParseRole("PANEL_CHAIR"), std::nullopt);
  EXPECT_EQ(ParseRole("system"), std::nullopt);
}

TEST(RolesTest, EveryHostedMethodDeclaresItsRoles) {
  const std::vector<const pb::MethodDescriptor*> methods = HostedMethods();
  EXPECT_GE(methods.size(), 94u);
  for (const pb::MethodDescriptor* method : methods) {
    SCOPED_TRACE(PathOf(*method));
    ASSERT_TRUE(method->options().HasExtension(v1::access)) << "declares no access rule";
    const v1::MethodAccess& rule = method->options().GetExtension(v1::access);
    EXPECT_EQ(rule.roles().empty(), rule.engine_only()) << "roles or engine_only, one of them";
    std::set<int> seen;
    for (int role : rule.roles()) {
      EXPECT_NE(role, v1::ROLE_UNSPECIFIED);
      EXPECT_TRUE(seen.insert(role).second) << "a role listed twice";
    }
    ASSERT_NE(AccessOf(PathOf(*method)), nullptr);
  }
}

// The server's answer to one call of a method, whatever its kind: one empty
// request message, then half-close, then read to the end; a stream that
// sent a message (the event feed, which never ends) is cancelled after it.
grpc::Status CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& path, const std::string& role) {
  const bool endless = absl::EndsWith(path, "/Subscribe");
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  if (!role.empty()) testing::SetIdentity(context, "eastbrook-council", "u-matrix", role);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(&context, path, &cq);
  auto step = [&](int tag) {
    void* got = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&got, &ok));
    EXPECT_EQ(got, reinterpret_cast<void*>(static_cast<intptr_t>(tag)));
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  step(2);
  call->WritesDone(reinterpret_cast<void*>(3));
  step(3);
  grpc::ByteBuffer reply;
  do {
    call->Read(&reply, reinterpret_cast<void*>(4));
    if (!step(4)) break;
    if (endless) context.TryCancel();
  } while (true);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  cq.Shutdown();
  return status;
}

std::string ReasonOf(const grpc::Status& status) {
  std::optional<v1::ErrorInfo> info = testing::DetailOf<v1::ErrorInfo>(status);
  return info ? info->reason() : "";
}

class RolesMatrixTest : public testing::ServerFixture {
 protected:
  RolesMatrixTest() : ServerFixture(At(2026, 11, 2)) {}
};

// Each role against each method: a role the method allows gets the method's
// own answer to an empty request (the same for every allowed role: never a
// refusal of the caller), any other role PERMISSION_DENIED with reason
// ROLE_NOT_ALLOWED, a call without identity UNAUTHENTICATED, and a role
// that is not a partnership role UNAUTHENTICATED BAD_IDENTITY.
TEST_F(RolesMatrixTest, EveryRoleAgainstEveryMethod) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  const std::shared_ptr<grpc::Channel> channel = InProcess();
  int allowed_calls = 0;
  int refused_calls = 0;
  for (const pb::MethodDescriptor* method : HostedMethods()) {
    const std::string path = PathOf(*method);
    SCOPED_TRACE(path);
    if (!method->options().HasExtension(v1::access)) continue;  // failed above
    const v1::MethodAccess& rule = method->options().GetExtension(v1::access);
    std::set<std::string> allowed;
    for (int role : rule.roles()) allowed.insert(RoleName(static_cast<v1::Role>(role)));

    std::optional<grpc::StatusCode> answer;
    for (const std::string& role : RoleNames()) {
      SCOPED_TRACE(role);
      const grpc::Status status = CallWithEmptyRequest(channel, path, role);
      if (allowed.count(role) > 0) {
        ++allowed_calls;
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
        EXPECT_NE(ReasonOf(status), "ROLE_NOT_ALLOWED") << status.error_message();
        if (!answer) answer = status.error_code();
        EXPECT_EQ(status.error_code(), *answer) << status.error_message();
      } else {
        ++refused_calls;
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << status.error_message();
        EXPECT_EQ(ReasonOf(status), "ROLE_NOT_ALLOWED") << status.error_message();
      }
    }
    const grpc::Status anonymous = CallWithEmptyRequest(channel, path, "");
    EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ReasonOf(anonymous), "MISSING_IDENTITY");
    const grpc::Status unknown = CallWithEmptyRequest(channel, path, "detective");
    EXPECT_EQ(unknown.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ReasonOf(unknown), "BAD_IDENTITY");
  }
  EXPECT_GT(allowed_calls, 200);
  EXPECT_GT(refused_calls, 300);
}

TEST_F(RolesMatrixTest, RefusalsNameTheAllowedRoles) {
  auto policies = v1::PolicyService::NewStub(InProcess());
  v1::PublishPolicyRequest publish;
  publish.set_parent("partnerships/eastbrook");
  *publish.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
  publish.set_request_id("p-1");
  v1::Policy out;
  grpc::Status status =
      Call(&v1::PolicyService::Stub::PublishPolicy, policies.get(), publish, &out, "caseworker");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            "role \"caseworker\" may not call /casework.v1.PolicyService/PublishPolicy; "
            "allowed roles: admin");
  std::optional<v1::ErrorInfo> info = testing::DetailOf<v1::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("allowed_roles"), "admin");
  EXPECT_TRUE(
      Call(&v1::PolicyService::Stub::PublishPolicy, policies.get(), publish, &out, "admin").ok());

  // Links between cases are delivered by the engine alone.
  auto reviews = v1::CaseReviewService::NewStub(InProcess());
  v1::LinkPanelReferralRequest link;
  v1::CaseReviewResponse linked;
  status = Call(&v1::CaseReviewService::Stub::LinkPanelReferral, reviews.get(), link, &linked,
                "admin");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("is run only by the engine itself"));
}

// A client cannot choose the method the server checks by sending the key
// the call guard stamps.
TEST_F(RolesMatrixTest, AClientCannotStampTheMethod) {
  auto policies = v1::PolicyService::NewStub(InProcess());
  v1::PublishPolicyRequest publish;
  publish.set_parent("partnerships/eastbrook");
  *publish.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
  publish.set_request_id("p-2");
  grpc::ClientContext context;
  testing::SetIdentity(context, "eastbrook-council", "u-1", "caseworker");
  context.AddMetadata(kMethodKey, "/casework.v1.PolicyService/GetPolicy");
  v1::Policy out;
  const grpc::Status status = policies->PublishPolicy(&context, publish, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "ROLE_NOT_ALLOWED");
}

}  // namespace
}  // namespace casework::services
