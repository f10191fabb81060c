// Paging over read-model rows: a page whose rows are mostly filtered out
// stops after kMaxRowsExamined rows with a token to go on from, so one call
// never walks a whole index, and the pages still add up to every match.
#include "services/paging.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "casework/v1/actions.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/event_store.h"
#include "tests/support/test_support.h"

namespace casework::services {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class PagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("data");
    absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    // 12,000 rows of one index; two match the filter.
    storage::StoreBatch batch = store_->NewBatch();
    for (int i = 0; i < kRows; ++i) batch.PutRow(Key(i), "");
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  static std::string Key(int i) { return absl::StrFormat("actions/x/all/%012d", i); }

  // One page from `token`: the matching keys, and the next token.
  std::vector<std::string> Page(const std::string& token, std::string* next) {
    FieldErrors errors;
    v1::ListActionsRequest request;
    request.set_page_token(token);
    PageRequest page = CheckPage(request, errors);
    EXPECT_TRUE(errors.empty());
    v1::ListActionsResponse response;
    absl::Status status = PageRows(
        *store_, "actions/x/all/", page,
        [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
          if (row.key != Key(2999) && row.key != Key(11999)) {
            return Visit::kSkipped;
          }
          response.add_actions()->set_name(row.key);
          return Visit::kTaken;
        },
        &response);
    EXPECT_TRUE(status.ok()) << status;
    *next = response.next_page_token();
    std::vector<std::string> names;
    for (const v1::Action& a : response.actions()) names.push_back(a.name());
    return names;
  }

  static constexpr int kRows = 12000;
  casework::testing::TempDir dir_;
  std::unique_ptr<storage::EventStore> store_;
};

TEST_F(PagingTest, AMostlyFilteredIndexIsReadInBoundedPages) {
  static_assert(kMaxRowsExamined == 5000, "the pages below are 5,000 rows each");
  std::string next;
  // Rows 0-4,999: one match, and the examined limit ends the page.
  EXPECT_THAT(Page("", &next), ElementsAre(Key(2999)));
  EXPECT_FALSE(next.empty());
  // Rows 5,000-9,999: none, and a token to go on.
  EXPECT_THAT(Page(next, &next), IsEmpty());
  EXPECT_FALSE(next.empty());
  // Rows 10,000-11,999: the rows end, and so do the pages.
  EXPECT_THAT(Page(next, &next), ElementsAre(Key(11999)));
  EXPECT_TRUE(next.empty());
}

}  // namespace
}  // namespace casework::services
