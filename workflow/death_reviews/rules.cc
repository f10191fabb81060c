// Checks shared by several of the death review's decisions.
#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/internal.h"

namespace casework::workflow::death_reviews {

absl::Status CheckNotBefore(absl::string_view field, const v1::CivilDate& date,
                            const v1::CivilDate& floor, absl::string_view what) {
  if (ToCivilDay(date) >= ToCivilDay(floor)) return absl::OkStatus();
  return FieldError(std::string(field), absl::StrCat("before_", what),
                    absl::StrCat("must not be before the ", what, " (", FormatDate(floor), ")"));
}

absl::Status CheckChairIndependentOf(const v1::ReviewChair& chair, absl::string_view agency) {
  if (chair.agency() == agency) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "CHAIR_NOT_INDEPENDENT",
                           absl::StrCat("the chair is employed by ", agency,
                                        ", an agency involved in the review"));
  }
  for (const std::string& associated : chair.declared_associations()) {
    if (associated == agency) {
      return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "CHAIR_NOT_INDEPENDENT",
                             absl::StrCat("the chair declared an association with ", agency,
                                          ", an agency involved in the review"));
    }
  }
  return absl::OkStatus();
}

int LatestDraft(const Review& s) {
  return s.drafts().empty() ? 0 : s.drafts(s.drafts_size() - 1).number();
}

int LastRoundDraft(const Review& s) {
  return s.qa_rounds().empty() ? 0 : s.qa_rounds(s.qa_rounds_size() - 1).draft_number();
}

}  // namespace casework::workflow::death_reviews
