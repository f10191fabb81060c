// What a long-lived case costs a caller: an action's notes are listed a page
// at a time and never travel with the action, so an action with 1,100 notes
// of 4,000 characters answers in a small reply.
#include <grpcpp/grpcpp.h>

#include "casework/v1/actions.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/server_fixture.h"

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

}  // namespace
}  // namespace casework::services
