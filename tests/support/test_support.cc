#include "tests/support/test_support.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/escaping.h"
#include "google/protobuf/dynamic_message.h"
#include "privacy/cipher.h"

#include "services/call_context.h"

namespace casework::testing {

TempDir::TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/casework-test-XXXXXX";
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
    return;
  }
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

void SetIdentity(grpc::ClientContext& context, const std::string& agency, const std::string& user,
                 const std::string& role) {
  context.AddMetadata(services::kAgencyHeader, agency);
  context.AddMetadata(services::kUserHeader, user);
  context.AddMetadata(services::kRoleHeader, role);
  context.AddMetadata(services::kPurposeHeader, "casework tests");
}

google::rpc::Status RichStatus(const grpc::Status& status) {
  google::rpc::Status rich;
  if (!status.error_details().empty()) rich.ParseFromString(status.error_details());
  return rich;
}

std::string EnsureMasterKeyFile(const std::string& path) {
  if (std::filesystem::exists(path)) return path;
  const privacy::Key256 key = privacy::Key256::Random();
  {
    std::ofstream out(path);
    out << absl::BytesToHexString(key.view()) << "\n";
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
  return path;
}

absl::TimeZone London() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &tz)) << "install tzdata";
  return tz;
}

absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0), London());
}

v1::CivilDate Date(int y, int m, int d) {
  v1::CivilDate date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

std::shared_ptr<const workflow::Calendar> TestCalendar() {
  static const auto* calendar = new std::shared_ptr<const workflow::Calendar>(
      std::make_shared<const workflow::Calendar>(
          *workflow::Calendar::FromBankHolidaysJson(workflow::BundledBankHolidaysJson(), 1)));
  return *calendar;
}

v1::CreateActionRequest CreateRequest(const std::string& request_id,
                                      const std::string& partnership, const std::string& title) {
  v1::CreateActionRequest r;
  r.set_parent("partnerships/" + partnership);
  r.set_request_id(request_id);
  r.set_title(title);
  r.set_owner_agency("eastbrook-homes");
  r.mutable_due_date()->set_year(2026);
  r.mutable_due_date()->set_month(12);
  r.mutable_due_date()->set_day(4);
  return r;
}

v1::RecordProgressRequest ProgressRequest(const std::string& request_id, const std::string& name,
                                          const std::string& note) {
  v1::RecordProgressRequest r;
  r.set_request_id(request_id);
  r.set_name(name);
  r.set_note(note);
  return r;
}

grpc::Status GenericUnary(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                          const std::string& request, std::string* response) {
  grpc::ClientContext context;
  SetIdentity(context);
  return GenericUnaryAs(channel, context, method, request, response);
}

grpc::Status GenericUnaryAs(const std::shared_ptr<grpc::Channel>& channel,
                            grpc::ClientContext& context, const std::string& method,
                            const std::string& request, std::string* response) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::Slice slice(request);
  grpc::ByteBuffer send(&slice, 1);
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(&context, method, send, &cq);
  call->StartCall();
  grpc::ByteBuffer received;
  grpc::Status status;
  call->Finish(&received, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  EXPECT_TRUE(cq.Next(&tag, &ok));
  std::vector<grpc::Slice> slices;
  if (status.ok() && received.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return status;
}

std::vector<std::string> ReflectedServices(const std::shared_ptr<grpc::Channel>& channel) {
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  const google::protobuf::Descriptor* request_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionRequest");
  const google::protobuf::Descriptor* response_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionResponse");
  if (request_type == nullptr || response_type == nullptr) {
    ADD_FAILURE() << "no reflection types linked";
    return {};
  }
  google::protobuf::DynamicMessageFactory factory(pool);
  std::unique_ptr<google::protobuf::Message> request(factory.GetPrototype(request_type)->New());
  request->GetReflection()->SetString(request.get(), request_type->FindFieldByName("list_services"), "*");

  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  SetIdentity(context);
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  if (!cq.Next(&tag, &ok) || !ok) {
    ADD_FAILURE() << "reflection call failed";
    return {};
  }
  grpc::Slice slice(request->SerializeAsString());
  grpc::ByteBuffer send(&slice, 1);
  call->Write(send, reinterpret_cast<void*>(2));
  if (!cq.Next(&tag, &ok) || !ok) {
    ADD_FAILURE() << "reflection call failed";
    return {};
  }
  grpc::ByteBuffer received;
  call->Read(&received, reinterpret_cast<void*>(3));
  if (!cq.Next(&tag, &ok) || !ok) {
    ADD_FAILURE() << "reflection call failed";
    return {};
  }
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);

  std::vector<grpc::Slice> slices;
  if (!received.Dump(&slices).ok()) return {};
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  std::unique_ptr<google::protobuf::Message> response(factory.GetPrototype(response_type)->New());
  if (!response->ParseFromString(bytes)) return {};
  const auto* list_field = response_type->FindFieldByName("list_services_response");
  const google::protobuf::Message& list = response->GetReflection()->GetMessage(*response, list_field);
  const auto* service_field = list.GetDescriptor()->FindFieldByName("service");
  std::vector<std::string> names;
  for (int i = 0; i < list.GetReflection()->FieldSize(list, service_field); ++i) {
    const google::protobuf::Message& s = list.GetReflection()->GetRepeatedMessage(list, service_field, i);
    names.push_back(s.GetReflection()->GetString(s, s.GetDescriptor()->FindFieldByName("name")));
  }
  return names;
}

}  // namespace casework::testing
