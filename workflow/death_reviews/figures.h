// The partnership's death review figures (DeathReviewFigures), from its
// reviews: counts and means only, no review named.
#ifndef CASEWORK_WORKFLOW_DEATH_REVIEWS_FIGURES_H_
#define CASEWORK_WORKFLOW_DEATH_REVIEWS_FIGURES_H_

#include <map>

#include "absl/time/civil_time.h"
#include "casework/v1/death_reviews.pb.h"

namespace casework::workflow::death_reviews {

// Days in a mean calendar month, for "months from notification to ...".
inline constexpr double kDaysPerMonth = 30.44;

// Adds reviews one at a time (a partnership's summary rows, in any order).
class FiguresBuilder {
 public:
  explicit FiguresBuilder(absl::CivilDay today) : today_(today) {}
  void Add(const v1::DeathReview& review);
  v1::DeathReviewFigures Finish() const;

 private:
  struct Mean {
    double days = 0;
    int count = 0;
    void Add(int64_t d) {
      days += static_cast<double>(d);
      ++count;
    }
    double Months() const { return count == 0 ? 0 : days / count / kDaysPerMonth; }
  };
  absl::CivilDay today_;
  v1::DeathReviewFigures figures_;
  std::map<int, int> open_by_stage_;
  Mean to_decision_, to_submission_, to_publication_;
};

}  // namespace casework::workflow::death_reviews

#endif  // CASEWORK_WORKFLOW_DEATH_REVIEWS_FIGURES_H_
