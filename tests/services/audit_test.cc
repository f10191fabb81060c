// The audit log: every detail read by a person is recorded, with its
// purpose, durably before it is answered; auditors query the entries by
// record, person and period; nobody else can, and nothing writes them
// through the API.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "casework/v1/access.pb.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/audit.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "services/call_context.h"
#include "services/roles.h"
#include "services/server.h"
#include "storage/fault_injection.h"
#include "tests/support/server_fixture.h"
#include "tests/support/test_support.h"
#include "workflow/policy/document.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::casework::testing::At;
using ::casework::testing::CreateRequest;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace pb = google::protobuf;

constexpr char kPurpose[] = "x-casework-purpose";

struct Person {
  std::string agency, user, role;
};
const Person kOfficer{"eastbrook-council", "u-asb-officer", "caseworker"};
const Person kSergeant{"shire-police", "u-sergeant", "caseworker"};
const Person kAuditor{"eastbrook-council", "u-auditor", "auditor"};

class AuditTest : public casework::testing::ServerFixture {
 protected:
  AuditTest() : ServerFixture(At(2026, 11, 2)) {}

  void SetUp() override {
    ServerFixture::SetUp();
    actions_ = v1::ActionService::NewStub(InProcess());
    audit_ = v1::AuditService::NewStub(InProcess());
  }

  // An action the council raises for the police: both read it.
  std::string CreateAction(const std::string& request_id) {
    v1::CreateActionRequest request = CreateRequest(request_id);
    request.set_owner_agency("shire-police");
    v1::ActionResponse created;
    grpc::Status status =
        Call(&v1::ActionService::Stub::CreateAction, actions_.get(), request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.action().name();
  }

  // GetAction as `who`, stating `purpose` unless it is empty.
  grpc::Status Read(const Person& who, const std::string& name, const std::string& purpose) {
    grpc::ClientContext context;
    context.AddMetadata(kAgencyHeader, who.agency);
    context.AddMetadata(kUserHeader, who.user);
    context.AddMetadata(kRoleHeader, who.role);
    if (!purpose.empty()) context.AddMetadata(kPurpose, purpose);
    v1::GetActionRequest request;
    request.set_name(name);
    v1::Action action;
    return actions_->GetAction(&context, request, &action);
  }

  grpc::Status List(const v1::ListAuditEntriesRequest& request,
                    v1::ListAuditEntriesResponse* response, const Person& who = kAuditor) {
    grpc::ClientContext context;
    casework::testing::SetIdentity(context, who.agency, who.user, who.role);
    return audit_->ListAuditEntries(&context, request, response);
  }

  std::vector<v1::AuditEntry> Entries(v1::ListAuditEntriesRequest request) {
    request.set_parent("partnerships/eastbrook");
    std::vector<v1::AuditEntry> all;
    for (;;) {
      v1::ListAuditEntriesResponse page;
      grpc::Status status = List(request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      all.insert(all.end(), page.entries().begin(), page.entries().end());
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return all;
  }

  std::vector<std::string> Summaries(const v1::ListAuditEntriesRequest& request) {
    std::vector<std::string> lines;
    for (const v1::AuditEntry& e : Entries(request)) {
      lines.push_back(absl::StrCat(e.actor().agency(), " ", e.actor().user(), " ", e.method(), " ",
                                   e.resource(), " ", e.outcome(), " [", e.purpose(), "]"));
    }
    return lines;
  }

  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

TEST_F(AuditTest, ADetailReadIsRecordedWithItsPurpose) {
  const std::string action = CreateAction("a-1");
  // Writing is not reading: nothing is recorded yet.
  EXPECT_THAT(Entries({}), IsEmpty());

  ASSERT_TRUE(Read(kOfficer, action, "JAG meeting 4 November").ok());
  const std::vector<v1::AuditEntry> entries = Entries({});
  ASSERT_EQ(entries.size(), 1u);
  const v1::AuditEntry& entry = entries[0];
  EXPECT_EQ(entry.name(), "partnerships/eastbrook/auditEntries/1");
  EXPECT_EQ(entry.actor().agency(), "eastbrook-council");
  EXPECT_EQ(entry.actor().user(), "u-asb-officer");
  EXPECT_EQ(entry.actor().role(), "caseworker");
  EXPECT_EQ(entry.method(), "casework.v1.ActionService/GetAction");
  EXPECT_EQ(entry.resource(), action);
  EXPECT_EQ(entry.purpose(), "JAG meeting 4 November");
  EXPECT_EQ(entry.outcome(), "OK");
  EXPECT_EQ(entry.read_time().seconds(), absl::ToUnixSeconds(At(2026, 11, 2)));
}

TEST_F(AuditTest, ADetailReadWithoutAPurposeIsRefusedAndNotAnswered) {
  const std::string action = CreateAction("a-1");
  const grpc::Status status = Read(kOfficer, action, "");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::optional<v1::BadRequest> bad =
      casework::testing::DetailOf<v1::BadRequest>(status);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->violations_size(), 1);
  EXPECT_EQ(bad->violations(0).field(), "x-casework-purpose");
  EXPECT_EQ(Read(kOfficer, action, std::string(201, 'x')).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Entries({}), IsEmpty());
}

TEST_F(AuditTest, APartnershipMayListThePurposesItAccepts) {
  v1::Policy policy = workflow::LlrDefaultPolicy("eastbrook");
  policy.mutable_audit()->add_purposes("case review");
  policy.mutable_audit()->add_purposes("panel meeting");
  Publish(policy);
  const std::string action = CreateAction("a-1");
  const grpc::Status refused = Read(kOfficer, action, "curiosity");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::optional<v1::BadRequest> bad = casework::testing::DetailOf<v1::BadRequest>(refused);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->violations_size(), 1);
  EXPECT_EQ(bad->violations(0).field(), "x-casework-purpose");
  EXPECT_EQ(bad->violations(0).rule(), "allowed");
  EXPECT_EQ(bad->violations(0).description(),
            "partnership eastbrook accepts these purposes only: \"case review\", "
            "\"panel meeting\"");
  EXPECT_TRUE(Read(kOfficer, action, "panel meeting").ok());
  EXPECT_EQ(Entries({}).size(), 1u);

  // A later policy without the list accepts any purpose again.
  Publish(workflow::LlrDefaultPolicy("eastbrook"), "policy-2");
  EXPECT_TRUE(Read(kOfficer, action, "curiosity").ok());
}

TEST_F(AuditTest, PolicyPurposesAreChecked) {
  v1::Policy policy = workflow::LlrDefaultPolicy("eastbrook");
  policy.mutable_audit()->add_purposes("case review");
  policy.mutable_audit()->add_purposes("case review");
  policy.mutable_audit()->add_purposes("");
  FieldErrors errors;
  workflow::CheckPolicy(policy, workflow::Workflows(), errors);
  EXPECT_EQ(errors.ToStatus().code(), absl::StatusCode::kInvalidArgument);
  std::optional<v1::BadRequest> bad = casework::testing::DetailOf<v1::BadRequest>(errors.ToStatus());
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->violations_size(), 2);
  EXPECT_EQ(bad->violations(0).field(), "audit.purposes[1]");
  EXPECT_EQ(bad->violations(0).rule(), "duplicate");
  EXPECT_EQ(bad->violations(1).field(), "audit.purposes[2]");
  EXPECT_EQ(bad->violations(1).rule(), "required");
}

TEST_F(AuditTest, ASystemActingAsItselfIsNotRecorded) {
  const std::string action = CreateAction("a-1");
  EXPECT_TRUE(Read({"shire-police", "police-ingest", "integration"}, action, "").ok());
  EXPECT_THAT(Entries({}), IsEmpty());
}

TEST_F(AuditTest, AuditorsQueryByRecordPersonAndPeriod) {
  const std::string first = CreateAction("a-1");
  const std::string second = CreateAction("a-2");
  ASSERT_TRUE(Read(kOfficer, first, "case conference").ok());
  clock().Advance(absl::Hours(24));
  ASSERT_TRUE(Read(kSergeant, first, "risk review").ok());
  clock().Advance(absl::Hours(24));
  ASSERT_TRUE(Read(kOfficer, second, "case conference").ok());

  v1::ListAuditEntriesRequest by_record;
  by_record.set_resource(first);
  EXPECT_THAT(Summaries(by_record),
              ElementsAre(absl::StrCat("eastbrook-council u-asb-officer "
                                       "casework.v1.ActionService/GetAction ",
                                       first, " OK [case conference]"),
                          absl::StrCat("shire-police u-sergeant "
                                       "casework.v1.ActionService/GetAction ",
                                       first, " OK [risk review]")));

  v1::ListAuditEntriesRequest by_person;
  by_person.set_agency("eastbrook-council");
  by_person.set_user("u-asb-officer");
  EXPECT_EQ(Entries(by_person).size(), 2u);
  EXPECT_EQ(Entries(by_person)[1].resource(), second);

  v1::ListAuditEntriesRequest by_period;
  by_period.mutable_from()->set_seconds(absl::ToUnixSeconds(At(2026, 11, 3)));
  by_period.mutable_to()->set_seconds(absl::ToUnixSeconds(At(2026, 11, 4)));
  const std::vector<v1::AuditEntry> middle = Entries(by_period);
  ASSERT_EQ(middle.size(), 1u);
  EXPECT_EQ(middle[0].actor().user(), "u-sergeant");

  // Paged one at a time, the same three in order.
  v1::ListAuditEntriesRequest paged;
  paged.set_page_size(1);
  const std::vector<v1::AuditEntry> all = Entries(paged);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].name(), "partnerships/eastbrook/auditEntries/1");
  EXPECT_EQ(all[2].name(), "partnerships/eastbrook/auditEntries/3");
}

TEST_F(AuditTest, OnlyAuditorsQueryAndRequestsAreChecked) {
  v1::ListAuditEntriesRequest request;
  request.set_parent("partnerships/eastbrook");
  v1::ListAuditEntriesResponse response;
  const grpc::Status refused = List(request, &response, kOfficer);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::ListAuditEntriesRequest half_person = request;
  half_person.set_agency("eastbrook-council");
  EXPECT_EQ(List(half_person, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListAuditEntriesRequest no_parent;
  EXPECT_EQ(List(no_parent, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuditTest, EntriesSurviveARestart) {
  const std::string action = CreateAction("a-1");
  ASSERT_TRUE(Read(kOfficer, action, "case conference").ok());
  Restart();
  actions_ = v1::ActionService::NewStub(InProcess());
  audit_ = v1::AuditService::NewStub(InProcess());
  ASSERT_TRUE(Read(kOfficer, action, "case conference").ok());
  const std::vector<v1::AuditEntry> entries = Entries({});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].name(), "partnerships/eastbrook/auditEntries/2");
}

// Every method whose access rule names an audited field records a person's
// read of a record of the partnership, whatever the answer.
TEST_F(AuditTest, EveryAuditedMethodRecords) {
  int audited = 0;
  for (const auto& [service_name, make] : ServiceFactories()) {
    const pb::ServiceDescriptor* service =
        pb::DescriptorPool::generated_pool()->FindServiceByName(std::string(service_name));
    ASSERT_NE(service, nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor* method = service->method(i);
      const v1::MethodAccess& rule = method->options().GetExtension(v1::access);
      if (rule.audit_resource().empty()) continue;
      SCOPED_TRACE(method->full_name());
      ++audited;
      ASSERT_FALSE(rule.roles().empty());
      const std::string role = RoleName(static_cast<v1::Role>(rule.roles(0)));
      const std::string resource = absl::StrCat("partnerships/eastbrook/things/", audited);
      std::unique_ptr<pb::Message> request(
          pb::MessageFactory::generated_factory()->GetPrototype(method->input_type())->New());
      const pb::FieldDescriptor* field =
          method->input_type()->FindFieldByName(rule.audit_resource());
      ASSERT_NE(field, nullptr) << rule.audit_resource();
      request->GetReflection()->SetString(request.get(), field, resource);
      grpc::ClientContext context;
      casework::testing::SetIdentity(context, "eastbrook-council", "u-matrix", role);
      std::string reply;
      casework::testing::GenericUnaryAs(InProcess(), context,
                                        absl::StrCat("/", service->full_name(), "/",
                                                     method->name()),
                                        request->SerializeAsString(), &reply);
      v1::ListAuditEntriesRequest by_record;
      by_record.set_resource(resource);
      const std::vector<v1::AuditEntry> entries = Entries(by_record);
      ASSERT_EQ(entries.size(), 1u);
      EXPECT_EQ(entries[0].method(), absl::StrCat(service->full_name(), "/", method->name()));
      EXPECT_NE(entries[0].outcome(), "OK");  // nothing by that name exists
    }
  }
  EXPECT_GE(audited, 10);
}

// A read whose entry cannot be written is not answered.
TEST_F(AuditTest, AReadIsRefusedWhenItsEntryCannotBeWritten) {
  const std::string action = CreateAction("a-1");
  auto faults = std::make_shared<storage::FaultInjector>();
  Restart(faults);
  actions_ = v1::ActionService::NewStub(InProcess());
  faults->FailWritesNoSpace(true);
  const grpc::Status refused = Read(kOfficer, action, "case conference");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("audit entry could not be written"));
  // A system's own read is not audited, so it is answered.
  EXPECT_TRUE(Read({"shire-police", "police-ingest", "integration"}, action, "").ok());
  faults->FailWritesNoSpace(false);
  const grpc::Status answered = Read(kOfficer, action, "case conference");
  EXPECT_TRUE(answered.ok()) << answered.error_message();
}

}  // namespace
}  // namespace casework::services
