// The gRPC service config clients load (proto/casework/v1/service_config.json):
// every method of the API has a deadline class and a retry rule that is safe
// for it, and gRPC itself accepts the file.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "casework/v1/events.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/support/server_fixture.h"

namespace casework::services {
namespace {

namespace pb = ::google::protobuf;

std::string ReadConfig() {
  std::ifstream in(CASEWORK_SOURCE_DIR "/proto/casework/v1/service_config.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The methodConfig entry gRPC applies to `method`: the one naming it, else
// the one naming its service; null if none.
const pb::Struct* ConfigOf(const pb::Struct& config, const pb::MethodDescriptor& method) {
  const pb::Struct* by_service = nullptr;
  for (const pb::Value& entry : config.fields().at("methodConfig").list_value().values()) {
    for (const pb::Value& name : entry.struct_value().fields().at("name").list_value().values()) {
      const auto& fields = name.struct_value().fields();
      if (fields.at("service").string_value() != method.service()->full_name()) continue;
      auto m = fields.find("method");
      if (m == fields.end()) {
        by_service = &entry.struct_value();
      } else if (m->second.string_value() == method.name()) {
        return &entry.struct_value();
      }
    }
  }
  return by_service;
}

bool IsRead(const pb::MethodDescriptor& method) {
  for (const char* verb : {"Get", "List", "Read", "Count", "Export"}) {
    if (absl::StartsWith(method.name(), verb)) return true;
  }
  return false;
}

TEST(ServiceConfigTest, EveryMethodHasADeadlineAndARetryRuleSafeForIt) {
  pb::Struct config;
  ASSERT_TRUE(pb::util::JsonStringToMessage(ReadConfig(), &config).ok());
  int methods = 0;
  for (absl::string_view name : absl::StrSplit(CASEWORK_PROTO_FILES, ',')) {
    const std::string file(name);
    const pb::FileDescriptor* f = pb::DescriptorPool::generated_pool()->FindFileByName(file);
    if (f == nullptr) continue;
    for (int s = 0; s < f->service_count(); ++s) {
      for (int m = 0; m < f->service(s)->method_count(); ++m) {
        const pb::MethodDescriptor& method = *f->service(s)->method(m);
        SCOPED_TRACE(method.full_name());
        ++methods;
        const pb::Struct* entry = ConfigOf(config, method);
        ASSERT_NE(entry, nullptr) << "no methodConfig names it or its service";
        const bool command = method.input_type()->FindFieldByName("request_id") != nullptr;
        const auto& fields = entry->fields();
        if (method.server_streaming()) {
          // A feed resumes from its checkpoint, by the client: no automatic
          // retry and no deadline.
          EXPECT_EQ(fields.count("retryPolicy"), 0u);
          EXPECT_EQ(fields.count("timeout"), 0u);
          continue;
        }
        // Safe to retry: a command carries its request_id (a retry returns
        // the first reply), a read changes nothing, making an outbox
        // message due now twice is making it due now, and a second backup
        // shares the first one's files.
        const bool idempotent =
            method.full_name() == "casework.v1.OutboxService.RetryOutboxMessage" ||
            method.full_name() == "casework.v1.OperationsService.CreateBackup";
        ASSERT_TRUE(command || IsRead(method) || idempotent) << "neither a command nor a read";
        ASSERT_EQ(fields.count("retryPolicy"), 1u);
        const auto& retry = fields.at("retryPolicy").struct_value().fields();
        ASSERT_EQ(retry.at("retryableStatusCodes").list_value().values_size(), 1);
        EXPECT_EQ(retry.at("retryableStatusCodes").list_value().values(0).string_value(),
                  "UNAVAILABLE");
        EXPECT_EQ(fields.count("timeout"), 1u);
      }
    }
  }
  EXPECT_GT(methods, 90);
}

class ServiceConfigChannelTest : public casework::testing::ServerFixture {
 protected:
  ServiceConfigChannelTest() : ServerFixture(casework::testing::At(2026, 11, 2)) {}
};

TEST_F(ServiceConfigChannelTest, GrpcAcceptsTheConfigAndCallsGoThroughWithIt) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(ReadConfig());
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials(), args);
  auto events = v1::EventService::NewStub(channel);
  v1::ReadLogRequest request;
  v1::ReadLogResponse page;
  grpc::Status status = Call(&v1::EventService::Stub::ReadLog, events.get(), request, &page);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace casework::services
