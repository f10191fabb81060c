// One paging contract on every List method and on EventService's reads
// ("Paging" in proto/casework/v1/common.proto): one maximum page size, and
// tokens bound to the request that produced them: a token sent with
// another parent or filter, or altered, is INVALID_ARGUMENT naming
// page_token and the rule.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/access.pb.h"
#include "casework/v1/errors.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "gtest/gtest.h"
#include "services/paging.h"
#include "services/roles.h"
#include "tests/services/case_review_fixture.h"
#include "tests/support/server_fixture.h"
#include "tests/support/test_support.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

namespace pb = ::google::protobuf;
using ::testing::Contains;

// "field rule" of every violation of an INVALID_ARGUMENT status.
std::vector<std::string> Violations(const grpc::Status& status) {
  std::vector<std::string> out;
  std::optional<v1::BadRequest> details = casework::testing::DetailOf<v1::BadRequest>(status);
  if (!details.has_value()) return out;
  for (const v1::FieldViolation& v : details->violations()) {
    out.push_back(absl::StrCat(v.field(), " ", v.rule()));
  }
  return out;
}

// The paged methods of the contract: those with page_size and page_token.
std::vector<const pb::MethodDescriptor*> PagedMethods() {
  std::vector<const pb::MethodDescriptor*> methods;
  for (const char* file : {"casework/v1/actions.proto", "casework/v1/audit.proto",
                           "casework/v1/case_reviews.proto", "casework/v1/complaints.proto",
                           "casework/v1/deadlines.proto", "casework/v1/death_reviews.proto",
                           "casework/v1/events.proto", "casework/v1/outbox.proto",
                           "casework/v1/panels.proto"}) {
    const pb::FileDescriptor* f = pb::DescriptorPool::generated_pool()->FindFileByName(file);
    EXPECT_NE(f, nullptr) << file;
    if (f == nullptr) continue;
    for (int s = 0; s < f->service_count(); ++s) {
      for (int m = 0; m < f->service(s)->method_count(); ++m) {
        const pb::MethodDescriptor* method = f->service(s)->method(m);
        const pb::Descriptor* in = method->input_type();
        if (in->FindFieldByName("page_size") && in->FindFieldByName("page_token")) {
          methods.push_back(method);
        }
      }
    }
  }
  return methods;
}

// The record a method's `name` or `stream` names, in `partnership`.
std::string RecordOf(const pb::MethodDescriptor& method, const std::string& partnership) {
  const std::string& m = method.name();
  const char* collection = m == "ListAssessments"      ? "panelCases"
                           : m == "ListFamilyContacts" ? "deathReviews"
                                                       : "actions";
  return absl::StrCat("partnerships/", partnership, "/", collection, "/1");
}

// A request of `method` for `partnership`: its parent, name or stream set.
std::unique_ptr<pb::Message> RequestFor(const pb::MethodDescriptor& method,
                                        const std::string& partnership) {
  std::unique_ptr<pb::Message> request(
      pb::MessageFactory::generated_factory()->GetPrototype(method.input_type())->New());
  const pb::Reflection* r = request->GetReflection();
  const pb::Descriptor* type = method.input_type();
  if (const pb::FieldDescriptor* f = type->FindFieldByName("parent")) {
    r->SetString(request.get(), f, absl::StrCat("partnerships/", partnership));
  }
  for (const char* field : {"name", "stream"}) {
    if (const pb::FieldDescriptor* f = type->FindFieldByName(field)) {
      r->SetString(request.get(), f, RecordOf(method, partnership));
    }
  }
  // ReadLog has no parent: "another" request starts elsewhere.
  if (const pb::FieldDescriptor* f = type->FindFieldByName("from_position")) {
    r->SetUInt64(request.get(), f, partnership == "eastbrook" ? 1 : 7);
  }
  return request;
}

class PagingContractTest : public case_review_testing::CaseReviewTest {
 protected:

  grpc::Status Send(const pb::MethodDescriptor& method, const pb::Message& request) {
    // A role the method allows.
    const v1::MethodAccess& rule = method.options().GetExtension(v1::access);
    grpc::ClientContext context;
    casework::testing::SetIdentity(context, "eastbrook-council", "u-1",
                                   RoleName(static_cast<v1::Role>(rule.roles(0))));
    context.AddMetadata("x-casework-purpose", "case management");
    std::string reply;
    return casework::testing::GenericUnaryAs(
        InProcess(), context, absl::StrCat("/", method.service()->full_name(), "/", method.name()),
        request.SerializeAsString(), &reply);
  }

  static void SetToken(pb::Message& request, const std::string& token) {
    request.GetReflection()->SetString(
        &request, request.GetDescriptor()->FindFieldByName("page_token"), token);
  }
};

TEST_F(PagingContractTest, EveryPagedMethodChecksPageSizeAndItsTokensTheSameWay) {
  const std::vector<const pb::MethodDescriptor*> methods = PagedMethods();
  // Every List method of the API, and ReadStream and ReadLog.
  std::vector<std::string> names;
  for (const pb::MethodDescriptor* m : methods) names.push_back(m->name());
  EXPECT_THAT(names, ::testing::UnorderedElementsAre(
                         "ListActions", "ListActionNotes", "ListAuditEntries", "ListCaseReviews",
                         "ListComplaints", "ListNotices", "ListDeadlines", "ListDeathReviews",
                         "ListFamilyContacts", "ReadStream", "ReadLog", "ListPanelCases",
                         "ListAssessments", "ListMeetings", "ListOutboxMessages"));
  for (const pb::MethodDescriptor* method : methods) {
    SCOPED_TRACE(method->full_name());
    std::unique_ptr<pb::Message> request = RequestFor(*method, "eastbrook");
    // A token this method returned for this request, resuming after "5".
    FieldErrors none;
    const std::string token = PageToken(CheckPage(*request, none), "5");
    ASSERT_TRUE(none.empty());

    // Sent for another partnership: bound to its parent (or record).
    std::unique_ptr<pb::Message> other = RequestFor(*method, "westmoor");
    SetToken(*other, token);
    grpc::Status status = Send(*method, *other);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Violations(status), Contains("page_token mismatch"));

    // Altered, one character at a time at three places.
    for (size_t at : {size_t{0}, token.size() / 2, token.size() - 2}) {
      std::string altered = token;
      altered[at] = altered[at] == 'A' ? 'B' : 'A';
      SetToken(*request, altered);
      status = Send(*method, *request);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << at;
      EXPECT_THAT(Violations(status), Contains("page_token format")) << at;
    }

    // Another method's token.
    v1::ListNoticesRequest notices;
    notices.set_parent("partnerships/eastbrook");
    SetToken(*request, PageToken(CheckPage(notices, none), "5"));
    if (method->name() != "ListNotices") {
      EXPECT_THAT(Violations(Send(*method, *request)), Contains("page_token format"));
    }

    // One maximum page size for the whole API.
    SetToken(*request, "");
    request->GetReflection()->SetInt32(
        request.get(), method->input_type()->FindFieldByName("page_size"), kMaxPageSize + 1);
    status = Send(*method, *request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Violations(status), Contains("page_size range"));
    EXPECT_THAT(status.error_message(), ::testing::HasSubstr("between 0 and 1000"));
  }
}

TEST_F(PagingContractTest, PagesOfAListAddUpAndTheirTokenIsBoundToTheFilter) {
  Publish(workflow::LlrDefaultPolicy("eastbrook"));
  for (int i = 1; i <= 5; ++i) {
    Record(ComplaintRequest(absl::StrCat("S-", i), "CR-7", casework::testing::Date(2026, 10, 1),
                            casework::testing::Date(2026, 10, 2)));
  }
  auto complaints = Complaints();
  v1::ListComplaintsRequest request;
  request.set_parent("partnerships/eastbrook");
  request.set_complainant_reference("CR-7");
  request.set_page_size(2);
  std::vector<std::string> seen;
  std::vector<std::string> tokens;
  for (;;) {
    v1::ListComplaintsResponse page;
    ASSERT_TRUE(
        Call(&v1::ComplaintService::Stub::ListComplaints, complaints.get(), request, &page).ok());
    for (const v1::Complaint& c : page.complaints()) seen.push_back(c.source_reference());
    if (page.next_page_token().empty()) break;
    tokens.push_back(page.next_page_token());
    request.set_page_token(page.next_page_token());
    // page_size may change between pages.
    request.set_page_size(3 - request.page_size() % 2);
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("S-1", "S-2", "S-3", "S-4", "S-5"));
  ASSERT_FALSE(tokens.empty());

  // The first page's token with another complainant: refused, not a page
  // of someone else's complaints.
  request.set_complainant_reference("CR-8");
  request.set_page_token(tokens[0]);
  v1::ListComplaintsResponse page;
  grpc::Status status =
      Call(&v1::ComplaintService::Stub::ListComplaints, complaints.get(), request, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Violations(status), ::testing::ElementsAre("page_token mismatch"));
  EXPECT_EQ(page.complaints_size(), 0);

  // ReadLog's token is bound to its from_position too, and survives a
  // restart.
  auto events = v1::EventService::NewStub(InProcess());
  v1::ReadLogRequest log;
  log.set_page_size(2);
  v1::ReadLogResponse first;
  ASSERT_TRUE(Call(&v1::EventService::Stub::ReadLog, events.get(), log, &first).ok());
  Restart();
  events = v1::EventService::NewStub(InProcess());
  log.set_page_token(first.next_page_token());
  v1::ReadLogResponse second;
  ASSERT_TRUE(Call(&v1::EventService::Stub::ReadLog, events.get(), log, &second).ok());
  ASSERT_EQ(second.events_size(), 2);
  EXPECT_EQ(second.events(0).global_position(), first.events(1).global_position() + 1);
  log.set_from_position(2);
  status = Call(&v1::EventService::Stub::ReadLog, events.get(), log, &second);
  EXPECT_THAT(Violations(status), ::testing::ElementsAre("page_token mismatch"));
}

}  // namespace
}  // namespace casework::services
