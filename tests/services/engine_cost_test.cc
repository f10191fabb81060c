// What a long-lived case costs a caller: an action's notes are listed a page
// at a time and never travel with the action, so an action with 1,100 notes
// of 4,000 characters answers in a small reply; intake for a complainant
// with a long window reads only what its notices need, and still raises
// them; request records are dropped after their retention.
#include <grpcpp/grpcpp.h>

#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/server_fixture.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::services {
namespace {

using ::casework::testing::CreateRequest;
using ::casework::testing::ProgressRequest;

class EngineCostTest : public casework::testing::ServerFixture {
 protected:
  EngineCostTest()
      : ServerFixture(absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0),
                                      absl::UTCTimeZone())) {}

  void SetUp() override {
    ServerFixture::SetUp();
    actions_ = v1::ActionService::NewStub(InProcess());
    v1::ActionResponse created;
    ASSERT_TRUE(Call(&v1::ActionService::Stub::CreateAction, actions_.get(), CreateRequest("c-1"),
                     &created)
                    .ok());
    name_ = created.action().name();
  }

  v1::ActionResponse Note(int i, const std::string& text) {
    v1::ActionResponse out;
    grpc::Status status =
        Call(&v1::ActionService::Stub::RecordProgress, actions_.get(),
             ProgressRequest(absl::StrCat("n-", i), name_, text), &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Complaint n of `complainant` from the police, reported on the day of
  // the behaviour, with request id "rq-{n}", source "SRC-{n}" and incident
  // "INC-{n}"; a hate incident (race) when `hate`.
  static v1::RecordComplaintRequest Complaint(int n, const std::string& complainant,
                                              absl::CivilDay day, bool hate = false) {
    v1::RecordComplaintRequest r;
    r.set_parent("partnerships/eastbrook");
    r.set_request_id(absl::StrCat("rq-", n));
    v1::Complaint& c = *r.mutable_complaint();
    c.set_complainant_reference(complainant);
    c.set_agency("shire-police");
    c.set_agency_kind(v1::POLICE);
    c.set_source_system("sentinel");
    c.set_source_reference(absl::StrCat("SRC-", n));
    c.set_incident_reference(absl::StrCat("INC-", n));
    *c.mutable_behaviour_date() = workflow::ToCivilDate(day);
    *c.mutable_reported_date() = c.behaviour_date();
    c.set_category(v1::PERSONAL);
    if (hate) {
      c.set_hate_related(true);
      c.set_hate_strand(v1::RACE);
    }
    return r;
  }

  std::unique_ptr<v1::ActionService::Stub> actions_;
  std::string name_;
};

TEST_F(EngineCostTest, NotesAreListedAPageAtATimeOldestFirst) {
  for (int i = 1; i <= 120; ++i) Note(i, absl::StrCat("Note ", i));
  std::vector<std::string> texts;
  std::string token;
  int pages = 0;
  do {
    v1::ListActionNotesRequest request;
    request.set_name(name_);
    request.set_page_size(50);
    request.set_page_token(token);
    v1::ListActionNotesResponse page;
    grpc::Status status =
        Call(&v1::ActionService::Stub::ListActionNotes, actions_.get(), request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::ProgressNote& n : page.notes()) texts.push_back(n.text());
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(texts.size(), 120u);
  EXPECT_EQ(texts.front(), "Note 1");
  EXPECT_EQ(texts.back(), "Note 120");

  v1::ListActionNotesRequest missing;
  missing.set_name("partnerships/eastbrook/actions/99");
  v1::ListActionNotesResponse none;
  EXPECT_EQ(Call(&v1::ActionService::Stub::ListActionNotes, actions_.get(), missing, &none)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(EngineCostTest, AnActionWithThousandsOfLongNotesAnswersInASmallReply) {
  const std::string text(4000, 'x');
  v1::ActionResponse last;
  for (int i = 1; i <= 1100; ++i) last = Note(i, text);
  EXPECT_EQ(last.action().note_count(), 1100);
  EXPECT_EQ(last.commit().last_version(), 1102);
  EXPECT_LT(last.ByteSizeLong(), 16u << 10);

  v1::GetActionRequest get;
  get.set_name(name_);
  v1::Action action;
  ASSERT_TRUE(Call(&v1::ActionService::Stub::GetAction, actions_.get(), get, &action).ok());
  EXPECT_EQ(action.note_count(), 1100);
  EXPECT_LT(action.ByteSizeLong(), 16u << 10);

  // A page of notes is bounded too: 500 notes would be 2 MB; the page stops
  // at the byte limit and says where to go on.
  v1::ListActionNotesRequest request;
  request.set_name(name_);
  request.set_page_size(500);
  v1::ListActionNotesResponse page;
  ASSERT_TRUE(
      Call(&v1::ActionService::Stub::ListActionNotes, actions_.get(), request, &page).ok());
  EXPECT_LT(page.ByteSizeLong(), 4u << 20);
  EXPECT_FALSE(page.next_page_token().empty());
}

// 70 complaints from one complainant in the window: the 71st, a first hate
// incident, still reaches the threshold under R2 (the oldest entries do not
// rule it out, so the whole window is read), and the 72nd raises nothing.
TEST_F(EngineCostTest, IntakeOnALongWindowStillRaisesAFirstHateIncident) {
  auto policies = v1::PolicyService::NewStub(InProcess());
  v1::PublishPolicyRequest publish;
  publish.set_parent("partnerships/eastbrook");
  publish.set_request_id("policy-1");
  *publish.mutable_policy() = workflow::LlrDefaultPolicy("eastbrook");
  v1::Policy policy;
  ASSERT_TRUE(
      Call(&v1::PolicyService::Stub::PublishPolicy, policies.get(), publish, &policy, "admin")
          .ok());
  ASSERT_TRUE(policy.case_review().threshold().hate_incident_rule());

  auto complaints = v1::ComplaintService::NewStub(InProcess());
  auto record = [&](int n, bool hate) {
    const v1::RecordComplaintRequest r =
        Complaint(n, "cmp-long", absl::CivilDay(2026, 10, 1 + n / 10), hate);
    v1::RecordComplaintResponse out;
    grpc::Status status =
        Call(&v1::ComplaintService::Stub::RecordComplaint, complaints.get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  };
  for (int n = 1; n <= 70; ++n) record(n, false);
  const v1::RecordComplaintResponse hate = record(71, true);
  ASSERT_EQ(hate.complaint().notices_size(), 1);
  EXPECT_EQ(hate.complaint().notices(0).kind(), v1::Notice::THRESHOLD_REACHED);
  EXPECT_THAT(hate.complaint().notices(0).reason(), ::testing::HasSubstr("(R2)"));
  EXPECT_EQ(record(72, true).complaint().notices_size(), 0);
  EXPECT_EQ(record(73, false).complaint().notices_size(), 0);
}

// A retry inside the retention (30 days by default) answers with the first
// commit; once the record is past it and compacted away, the same
// request_id is a new command. Intake stays de-duplicated by its source.
TEST_F(EngineCostTest, RequestRecordsExpireAfterTheRetentionButIntakeStaysDeduplicated) {
  v1::ActionResponse first;
  ASSERT_TRUE(Call(&v1::ActionService::Stub::CreateAction, actions_.get(), CreateRequest("r-1"),
                   &first)
                  .ok());
  auto complaints = v1::ComplaintService::NewStub(InProcess());
  const v1::RecordComplaintRequest complaint = Complaint(1, "cmp-1", absl::CivilDay(2026, 11, 1));
  v1::RecordComplaintResponse recorded;
  ASSERT_TRUE(
      Call(&v1::ComplaintService::Stub::RecordComplaint, complaints.get(), complaint, &recorded)
          .ok());

  clock_.Advance(absl::Hours(24 * 29));
  ASSERT_TRUE(server_->store().CompactRequests().ok());
  v1::ActionResponse retried;
  ASSERT_TRUE(Call(&v1::ActionService::Stub::CreateAction, actions_.get(), CreateRequest("r-1"),
                   &retried)
                  .ok());
  EXPECT_EQ(retried.action().name(), first.action().name());
  EXPECT_EQ(retried.commit().last_position(), first.commit().last_position());

  clock_.Advance(absl::Hours(24 * 2));  // 31 days after the first call
  ASSERT_TRUE(server_->store().CompactRequests().ok());
  v1::ActionResponse late;
  ASSERT_TRUE(
      Call(&v1::ActionService::Stub::CreateAction, actions_.get(), CreateRequest("r-1"), &late)
          .ok());
  EXPECT_NE(late.action().name(), first.action().name());
  EXPECT_GT(late.commit().last_position(), first.commit().last_position());

  v1::RecordComplaintResponse again;
  ASSERT_TRUE(
      Call(&v1::ComplaintService::Stub::RecordComplaint, complaints.get(), complaint, &again)
          .ok());
  EXPECT_EQ(again.complaint().name(), recorded.complaint().name());
  EXPECT_EQ(again.complaint().version(), recorded.complaint().version());
}

}  // namespace
}  // namespace casework::services
