// Bounded messages: every oversized field is refused naming it; unknown
// fields are not stored; pages and the streaming-intake reply stay small;
// errors do not echo long or multi-line input.
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "storage/clock.h"
#include "tests/services/hardening_support.h"
#include "tests/support/test_support.h"

namespace casework::services {
namespace {

using namespace ::casework::services::hardening;  // NOLINT: the tests' helpers
using ::casework::testing::CreateRequest;
using ::casework::testing::GenericUnary;
using ::casework::testing::SetIdentity;
using ::casework::testing::TempDir;
using ::testing::HasSubstr;

// --- Bounded messages ------------------------------------------------------

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = MustStart(TestConfig(dir_.Sub("data")), &clock_);
    ASSERT_NE(server_, nullptr);
    channel_ = Connect(server_->port());
  }

  TempDir dir_;
  ManualClock clock_{kStart};
  std::unique_ptr<CaseworkServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(LimitsTest, EachOversizedFieldIsRefusedNamingIt) {
  auto complaints = v1::ComplaintService::NewStub(channel_);
  auto actions = v1::ActionService::NewStub(channel_);
  auto reviews = v1::CaseReviewService::NewStub(channel_);
  auto events = v1::EventService::NewStub(channel_);
  auto call = [&](auto method, auto* stub, const auto& request, auto* response) {
    grpc::ClientContext context;
    SetIdentity(context);
    return (stub->*method)(&context, request, response);
  };
  struct Case {
    std::string name;
    std::function<grpc::Status()> run;
    std::string violation;
  };
  // A RecordComplaint call on a valid complaint changed by `change`.
  auto complaint = [&](std::function<void(v1::Complaint&)> change) {
    return [&, change] {
      v1::RecordComplaintRequest r = ComplaintRequest("p");
      change(*r.mutable_complaint());
      v1::RecordComplaintResponse out;
      return call(&v1::ComplaintService::Stub::RecordComplaint, complaints.get(), r, &out);
    };
  };
  const std::string name = "partnerships/eastbrook/caseReviews/1";
  std::vector<Case> cases = {
      {"perpetrators",
       complaint([](v1::Complaint& c) {
         for (int i = 0; i < 51; ++i) c.add_perpetrator_references("ref");
       }),
       "complaint.perpetrator_references | count | must have at most 50 items, got 51"},
      {"perpetrator reference",
       complaint([](v1::Complaint& c) { c.add_perpetrator_references(std::string(101, 'r')); }),
       "complaint.perpetrator_references[0] | length | must be at most 100 characters, got 101"},
      {"summary", complaint([](v1::Complaint& c) { c.set_summary(std::string(2001, 's')); }),
       "complaint.summary | length | must be at most 2000 characters, got 2001"},
      {"complainant reference",
       complaint([](v1::Complaint& c) { c.set_complainant_reference(std::string(101, 'c')); }),
       "complaint.complainant_reference | length | must be at most 100 characters, got 101"},
      {"request_id",
       [&] {
         v1::CreateActionRequest r = CreateRequest(std::string(129, 'i'));
         v1::ActionResponse out;
         return call(&v1::ActionService::Stub::CreateAction, actions.get(), r, &out);
       },
       "request_id | length | must be at most 128 characters"},
      {"title",
       [&] {
         v1::CreateActionRequest r = CreateRequest("t", "eastbrook", std::string(501, 't'));
         v1::ActionResponse out;
         return call(&v1::ActionService::Stub::CreateAction, actions.get(), r, &out);
       },
       "title | length | must be at most 500 characters, got 501"},
      {"note",
       [&] {
         v1::RecordProgressRequest r = casework::testing::ProgressRequest(
             "n", "partnerships/eastbrook/actions/1", std::string(4001, 'n'));
         v1::ActionResponse out;
         return call(&v1::ActionService::Stub::RecordProgress, actions.get(), r, &out);
       },
       "note | length | must be at most 4000 characters, got 4001"},
      {"attendees",
       [&] {
         v1::RecordReviewMeetingRequest r;
         r.set_name(name);
         r.set_request_id("m");
         r.mutable_date()->set_year(2026);
         r.mutable_date()->set_month(11);
         r.mutable_date()->set_day(2);
         for (int i = 0; i < 51; ++i) r.add_attendees("shire-police");
         v1::CaseReviewResponse out;
         return call(&v1::CaseReviewService::Stub::RecordReviewMeeting, reviews.get(), r, &out);
       },
       "attendees | count | must have at most 50 items, got 51"},
      {"recommendations",
       [&] {
         v1::RecordOutcomeRequest r;
         r.set_name(name);
         r.set_request_id("o");
         for (int i = 0; i < 51; ++i) {
           v1::Recommendation* rec = r.add_recommendations();
           rec->set_text("Do it");
           rec->set_lead_agency("shire-police");
           rec->mutable_due_date()->set_year(2027);
           rec->mutable_due_date()->set_month(1);
           rec->mutable_due_date()->set_day(4);
         }
         v1::CaseReviewResponse out;
         return call(&v1::CaseReviewService::Stub::RecordOutcome, reviews.get(), r, &out);
       },
       "recommendations | count | must have at most 50 items, got 51"},
      {"recommendation progress",
       [&] {
         v1::RecordOutcomeRequest r;
         r.set_name(name);
         r.set_request_id("o");
         v1::Recommendation* rec = r.add_recommendations();
         rec->set_text("Do it");
         rec->set_lead_agency("shire-police");
         rec->mutable_due_date()->set_year(2027);
         rec->mutable_due_date()->set_month(1);
         rec->mutable_due_date()->set_day(4);
         rec->add_progress(std::string(10000, 'x'));
         v1::CaseReviewResponse out;
         return call(&v1::CaseReviewService::Stub::RecordOutcome, reviews.get(), r, &out);
       },
       "recommendations[0].id | output_only | id, completed and progress are set by the server"},
      {"no further action reason",
       [&] {
         v1::RecordOutcomeRequest r;
         r.set_name(name);
         r.set_request_id("o");
         r.set_no_further_action_reason(std::string(4001, 'x'));
         v1::CaseReviewResponse out;
         return call(&v1::CaseReviewService::Stub::RecordOutcome, reviews.get(), r, &out);
       },
       "no_further_action_reason | length | must be at most 4000 characters, got 4001"},
      {"applicant locality",
       [&] {
         v1::ReceiveApplicationRequest r;
         r.set_parent("partnerships/eastbrook");
         r.set_request_id("a");
         r.mutable_applicant()->set_kind(v1::Applicant::INDIVIDUAL);
         r.mutable_applicant()->set_complainant_reference("cmp-1");
         r.mutable_applicant()->set_locality(std::string(101, 'l'));
         v1::CaseReviewResponse out;
         return call(&v1::CaseReviewService::Stub::ReceiveApplication, reviews.get(), r, &out);
       },
       "applicant.locality | length | must be at most 100 characters, got 101"},
      {"stream",
       [&] {
         v1::ReadStreamRequest r;
         r.set_stream(std::string(513, 's'));
         v1::ReadStreamResponse out;
         return call(&v1::EventService::Stub::ReadStream, events.get(), r, &out);
       },
       "stream | length | must be at most 512 characters, got 513"},
      {"page_token",
       [&] {
         v1::ReadLogRequest r;
         r.set_page_token(std::string(1025, 'A'));
         v1::ReadLogResponse out;
         return call(&v1::EventService::Stub::ReadLog, events.get(), r, &out);
       },
       "page_token | length | must be at most 1024 characters, got 1025"},
      {"list page_token",
       [&] {
         v1::ListNoticesRequest r;
         r.set_parent("partnerships/eastbrook");
         r.set_page_token(std::string(1025, 'A'));
         v1::ListNoticesResponse out;
         return call(&v1::ComplaintService::Stub::ListNotices, complaints.get(), r, &out);
       },
       "page_token | length | must be at most 1024 characters, got 1025"},
      {"list complainant reference",
       [&] {
         v1::ListComplaintsRequest r;
         r.set_parent("partnerships/eastbrook");
         r.set_complainant_reference(std::string(101, 'c'));
         v1::ListComplaintsResponse out;
         return call(&v1::ComplaintService::Stub::ListComplaints, complaints.get(), r, &out);
       },
       "complainant_reference | length | must be at most 100 characters, got 101"},
  };
  for (const Case& c : cases) {
    grpc::Status status = c.run();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_EQ(ViolationOf(status), c.violation) << c.name;
  }
}

TEST_F(LimitsTest, ARequestOverOneMebibyteIsRefusedBeforeAnyHandler) {
  auto actions = v1::ActionService::NewStub(channel_);
  v1::CreateActionRequest r = CreateRequest("big");
  r.set_source(std::string(kMaxRequestBytes, 's'));
  grpc::ClientContext context;
  SetIdentity(context);
  v1::ActionResponse out;
  grpc::Status status = actions->CreateAction(&context, r, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("Received message larger than max"));
  EXPECT_EQ(server_->store().LastPosition(), 0u);
}

TEST_F(LimitsTest, UnknownFieldsAreDroppedBeforeStoring) {
  v1::RecordComplaintRequest r = ComplaintRequest("u");
  r.mutable_complaint()
      ->GetReflection()
      ->MutableUnknownFields(r.mutable_complaint())
      ->AddLengthDelimited(999, std::string(100, 'X'));
  r.GetReflection()->MutableUnknownFields(&r)->AddVarint(998, 7);
  auto complaints = v1::ComplaintService::NewStub(channel_);
  grpc::ClientContext context;
  SetIdentity(context);
  v1::RecordComplaintResponse out;
  ASSERT_TRUE(complaints->RecordComplaint(&context, r, &out).ok());
  std::vector<v1::EventEnvelope> log = *server_->store().ReadLog(1, 10);
  ASSERT_FALSE(log.empty());
  for (const v1::EventEnvelope& e : log) {
    EXPECT_EQ(e.payload().value().find(std::string(100, 'X')), std::string::npos);
    v1::ComplaintRecorded recorded;
    if (e.payload().UnpackTo(&recorded)) {
      EXPECT_TRUE(
          recorded.complaint().GetReflection()->GetUnknownFields(recorded.complaint()).empty());
    }
  }
  // A retry that differs only in unknown fields is the same request.
  r.GetReflection()->MutableUnknownFields(&r)->AddVarint(997, 1);
  grpc::ClientContext retry;
  SetIdentity(retry);
  v1::RecordComplaintResponse again;
  ASSERT_TRUE(complaints->RecordComplaint(&retry, r, &again).ok());
  EXPECT_EQ(again.commit().first_position(), out.commit().first_position());
}

TEST_F(LimitsTest, MalformedRequestBytesAreInvalidArgument) {
  std::string response;
  grpc::Status status =
      GenericUnary(channel_, "/casework.v1.EventService/ReadLog", "\xff\xff\xff\xff", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "the request of /casework.v1.EventService/ReadLog could not be parsed as its request "
            "message (malformed protobuf)");
  EXPECT_EQ(ReasonOf(status), "MALFORMED_REQUEST");
}

TEST_F(LimitsTest, AnUnknownEnumValueInAFilterIsInvalidArgument) {
  auto actions = v1::ActionService::NewStub(channel_);
  v1::ListActionsRequest r;
  r.set_parent("partnerships/eastbrook");
  r.set_state(static_cast<v1::Action::State>(99));
  grpc::ClientContext context;
  SetIdentity(context);
  v1::ListActionsResponse out;
  grpc::Status status = actions->ListActions(&context, r, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationOf(status),
            "state | known_value | 99 is not a value of casework.v1.Action.State");
  EXPECT_EQ(out.actions_size(), 0);
}

TEST_F(LimitsTest, ReadLogBeyondTheHeadReportsTheRealHead) {
  auto actions = v1::ActionService::NewStub(channel_);
  grpc::ClientContext create;
  SetIdentity(create);
  v1::ActionResponse created;
  ASSERT_TRUE(actions->CreateAction(&create, CreateRequest("h"), &created).ok());
  auto events = v1::EventService::NewStub(channel_);
  for (uint64_t from : {uint64_t{3}, uint64_t{1} << 62, UINT64_MAX}) {
    grpc::ClientContext context;
    SetIdentity(context);
    v1::ReadLogRequest r;
    r.set_from_position(from);
    v1::ReadLogResponse out;
    ASSERT_TRUE(events->ReadLog(&context, r, &out).ok());
    EXPECT_EQ(out.events_size(), 0);
    EXPECT_EQ(out.head_position(), 2u) << from;
  }
}

TEST_F(LimitsTest, LogPagesAndTheStreamingIntakeReplyStaySmall) {
  // 10,000 complaints in one stream, each with a 1000-character summary.
  v1::StreamComplaintsResponse intake = StreamComplaints(channel_, 10000, 1000);
  EXPECT_EQ(intake.recorded(), 10000);
  EXPECT_EQ(intake.duplicates(), 0);
  EXPECT_EQ(intake.failed(), 0);
  ASSERT_EQ(intake.results_size(), 10000);
  EXPECT_LT(intake.ByteSizeLong(), 1200u << 10);
  EXPECT_GT(intake.details_omitted(), 0);
  for (int i = 0; i < intake.results_size(); ++i) {
    ASSERT_EQ(intake.results(i).index(), i);
    ASSERT_EQ(intake.results(i).code(), 0);
  }
  EXPECT_EQ(intake.results(0).response().complaint().name(), "partnerships/eastbrook/complaints/1");
  EXPECT_EQ(intake.results(0).response().complaint().summary(), "");
  std::printf("streaming intake: 10000 items, reply %zu bytes, %d results without details\n",
              intake.ByteSizeLong(), intake.details_omitted());

  // Read the whole log: every page is at most about 1 MiB, none is lost.
  auto events = v1::EventService::NewStub(channel_);
  v1::ReadLogRequest r;
  r.set_page_size(1000);
  uint64_t expected = 1;
  size_t largest = 0;
  for (;;) {
    grpc::ClientContext context;
    SetIdentity(context);
    v1::ReadLogResponse page;
    ASSERT_TRUE(events->ReadLog(&context, r, &page).ok());
    if (page.events_size() == 0) break;
    largest = std::max(largest, page.ByteSizeLong());
    for (const v1::EventEnvelope& e : page.events()) ASSERT_EQ(e.global_position(), expected++);
    r.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(expected - 1, server_->store().LastPosition());
  EXPECT_GT(largest, 900u << 10);
  EXPECT_LT(largest, 1100u << 10);

  // A complainant's list of complaints pages by bytes too.
  auto complaints = v1::ComplaintService::NewStub(channel_);
  v1::ListNoticesRequest notices;
  notices.set_parent("partnerships/eastbrook");
  notices.set_page_size(500);
  grpc::ClientContext list_context;
  SetIdentity(list_context);
  v1::ListNoticesResponse listed;
  ASSERT_TRUE(complaints->ListNotices(&list_context, notices, &listed).ok());
}

TEST_F(LimitsTest, ErrorsDoNotEchoLongOrMultiLineInput) {
  auto actions = v1::ActionService::NewStub(channel_);
  for (size_t size : {size_t{7} << 10, size_t{64} << 10, size_t{900} << 10}) {
    grpc::ClientContext context;
    SetIdentity(context);
    v1::GetActionRequest get;
    get.set_name(std::string(size, 'n'));
    v1::Action out;
    grpc::Status status = actions->GetAction(&context, get, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << size;
    EXPECT_EQ(status.error_message(),
              absl::StrCat("name: \"", std::string(64, 'n'), "\"... (", size,
                           " bytes) is not of the form partnerships/{partnership}/actions/{number} "
                           "[format]"));
  }
  grpc::ClientContext context;
  SetIdentity(context);
  v1::GetActionRequest get;
  get.set_name("x\n{\"forged\":true}");
  v1::Action out;
  grpc::Status status = actions->GetAction(&context, get, &out);
  EXPECT_EQ(status.error_message(),
            "name: \"x\\n{\\\"forged\\\":true}\" is not of the form "
            "partnerships/{partnership}/actions/{number} [format]");
}

}  // namespace
}  // namespace casework::services
