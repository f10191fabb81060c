// The death review's read-model rows and reply.
#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/internal.h"

namespace casework::workflow::death_reviews {

void ReviewRows(absl::string_view stream, const Review& s, std::vector<Row>* rows) {
  if (s.state() == Review::STATE_UNSPECIFIED) return;
  std::optional<ResourceName> name = ResourceNameOf(stream, kCollection);
  if (!name) return;
  for (const v1::ActionPlanItem& item : s.action_plan()) {
    if (!item.action_name().empty()) continue;
    rows->push_back(MessageRow(absl::StrCat(kPlanActionsPrefix, name->partnership, "/",
                                            SortableNumber(name->number), "/",
                                            SortableNumber(item.id())),
                               item));
  }
}

std::string ReviewSummaryRow(absl::string_view stream) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCollection);
  if (!name) return std::string(stream);
  return absl::StrCat(RowPrefix(name->partnership, "all"), SortableNumber(name->number));
}

void FamilyContactRows(absl::string_view stream, const v1::FamilyContactRecorded& e,
                       const v1::EventEnvelope& env, std::vector<Row>* rows) {
  std::optional<ResourceName> name = ResourceNameOf(stream, kCollection);
  if (!name) return;
  rows->push_back(MessageRow(absl::StrCat(FamilyContactsPrefix(name->partnership, name->number),
                                          SortableNumber(env.stream_version())),
                             e.contact()));
}

v1::DeathReviewResponse ReviewReply(const Review& s, const v1::CommitInfo& commit) {
  v1::DeathReviewResponse reply;
  *reply.mutable_death_review() = s;
  *reply.mutable_commit() = commit;
  return reply;
}

std::string RowPrefix(absl::string_view partnership, absl::string_view index) {
  return absl::StrCat(kCollection, "/", partnership, "/", index, "/");
}

std::string FamilyContactsPrefix(absl::string_view partnership, int64_t number) {
  return absl::StrCat(RowPrefix(partnership, "family"), SortableNumber(number), "/");
}

std::string DeathReviewStream(absl::string_view partnership, int64_t number) {
  return FormatResourceName(partnership, kCollection, number);
}

}  // namespace casework::workflow::death_reviews
