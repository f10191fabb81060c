#include "workflow/case_review/figures.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "casework/v1/deadlines.pb.h"
#include "workflow/common/validation.h"

namespace casework::workflow::case_review {
namespace {

// Deadline names reported first, in the order a case meets them.
constexpr absl::string_view kStepOrder[] = {
    "acknowledge",    "threshold_decision", "review_meeting",
    "outcome_letter", "appeal_papers",
};
constexpr size_t kStepOrderSize = sizeof(kStepOrder) / sizeof(kStepOrder[0]);

// A window for the applicant, not a duty of the partnership.
constexpr absl::string_view kAppealWindow = "appeal_window";

// Position of `step` in kStepOrder, or kStepOrderSize for any other name.
size_t StepRank(absl::string_view step) {
  for (size_t i = 0; i < kStepOrderSize; ++i) {
    if (kStepOrder[i] == step) return i;
  }
  return kStepOrderSize;
}

bool IsSet(const v1::CivilDate& date) { return date.year() != 0; }

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

// RFC 4180: a field with a comma, quote or line break is quoted and its
// quotes doubled.
std::string CsvField(absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(field);
  }
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string Hours(double hours) { return absl::StrFormat("%.1f", hours); }

void AppendRow(std::string& out, std::initializer_list<absl::string_view> fields) {
  bool first = true;
  for (absl::string_view field : fields) {
    if (!first) out += ',';
    out += CsvField(field);
    first = false;
  }
  out += '\n';
}

}  // namespace

v1::CaseReviewFigures ComputeCaseReviewFigures(
    const std::vector<v1::CaseReview>& reviews, absl::CivilDay from,
    absl::CivilDay to) {
  v1::CaseReviewFigures figures;
  *figures.mutable_from() = ToCivilDate(from);
  *figures.mutable_to() = ToCivilDate(to);

  std::vector<double> positive_hours;
  std::map<std::string, int32_t> by_agency;
  std::map<std::string, v1::StepCompliance> by_step;
  double hours_total = 0;
  int64_t policy_version_latest = 0;

  for (const v1::CaseReview& review : reviews) {
    if (!IsSet(review.received_date())) continue;
    absl::CivilDay received = ToCivilDay(review.received_date());
    if (received < from || received > to) continue;

    figures.set_applications_received(figures.applications_received() + 1);

    const v1::ThresholdEvaluation& threshold = review.threshold();
    if (!threshold.met() && !threshold.deciding_rule().empty()) {
      figures.set_threshold_not_met(figures.threshold_not_met() + 1);
    }
    if (IsSet(review.outcome().decided_on())) {
      figures.set_reviews_carried_out(figures.reviews_carried_out() + 1);
      if (review.outcome().recommendations_size() > 0) {
        figures.set_reviews_with_recommendations(
            figures.reviews_with_recommendations() + 1);
      }
    }
    if (review.state() == v1::CaseReview::WITHDRAWN) {
      figures.set_withdrawn(figures.withdrawn() + 1);
    }
    if (IsSet(review.appeal().lodged_on())) {
      figures.set_appeals_received(figures.appeals_received() + 1);
    }
    if (review.appeal().decided() && review.appeal().upheld()) {
      figures.set_appeals_upheld(figures.appeals_upheld() + 1);
    }
    if (IsSet(review.threshold_appeal().lodged_on())) {
      figures.set_threshold_appeals_received(figures.threshold_appeals_received() + 1);
    }
    if (review.threshold_appeal().decided() && review.threshold_appeal().upheld()) {
      figures.set_threshold_appeals_upheld(figures.threshold_appeals_upheld() + 1);
    }

    hours_total += review.officer_hours();
    if (review.officer_hours() > 0) positive_hours.push_back(review.officer_hours());

    if (!review.lead_agency().empty()) ++by_agency[review.lead_agency()];

    policy_version_latest = std::max(policy_version_latest, review.policy_version());

    for (const v1::Deadline& deadline : review.deadlines()) {
      if (deadline.name() == kAppealWindow) continue;
      switch (deadline.state()) {
        case v1::Deadline::MET:
          by_step[deadline.name()].set_met_in_time(
              by_step[deadline.name()].met_in_time() + 1);
          break;
        case v1::Deadline::MET_LATE:
        case v1::Deadline::MISSED:
          by_step[deadline.name()].set_late(by_step[deadline.name()].late() + 1);
          break;
        case v1::Deadline::RUNNING:
        case v1::Deadline::PAUSED:
          by_step[deadline.name()].set_open(by_step[deadline.name()].open() + 1);
          break;
        default:
          // CANCELLED, unspecified, or a state added later: not counted.
          break;
      }
    }
  }

  figures.set_officer_hours_total(hours_total);
  if (!positive_hours.empty()) {
    double sum = 0;
    for (double hours : positive_hours) sum += hours;
    figures.set_officer_hours_mean(sum / static_cast<double>(positive_hours.size()));
    figures.set_officer_hours_median(Median(positive_hours));
  }
  figures.set_policy_version_latest(policy_version_latest);

  for (const auto& [agency, count] : by_agency) {
    v1::AgencyCount* row = figures.add_by_lead_agency();
    row->set_agency(agency);
    row->set_reviews(count);
  }

  std::vector<std::string> steps;
  steps.reserve(by_step.size());
  for (const auto& entry : by_step) steps.push_back(entry.first);
  std::sort(steps.begin(), steps.end(),
            [](const std::string& a, const std::string& b) {
              return std::make_tuple(StepRank(a), a) < std::make_tuple(StepRank(b), b);
            });
  for (const std::string& step : steps) {
    v1::StepCompliance* row = figures.add_deadline_compliance();
    *row = by_step[step];
    row->set_step(step);
  }
  return figures;
}

std::string CaseReviewFiguresCsv(const v1::CaseReviewFigures& figures) {
  std::string out;
  AppendRow(out, {"metric", "value"});
  AppendRow(out, {"period_from", FormatDate(figures.from())});
  AppendRow(out, {"period_to", FormatDate(figures.to())});
  AppendRow(out, {"applications_received", absl::StrCat(figures.applications_received())});
  AppendRow(out, {"threshold_not_met", absl::StrCat(figures.threshold_not_met())});
  AppendRow(out, {"reviews_carried_out", absl::StrCat(figures.reviews_carried_out())});
  AppendRow(out, {"reviews_with_recommendations",
                  absl::StrCat(figures.reviews_with_recommendations())});
  AppendRow(out, {"withdrawn", absl::StrCat(figures.withdrawn())});
  AppendRow(out, {"appeals_received", absl::StrCat(figures.appeals_received())});
  AppendRow(out, {"appeals_upheld", absl::StrCat(figures.appeals_upheld())});
  AppendRow(out, {"threshold_appeals_received", absl::StrCat(figures.threshold_appeals_received())});
  AppendRow(out, {"threshold_appeals_upheld", absl::StrCat(figures.threshold_appeals_upheld())});
  AppendRow(out, {"officer_hours_total", Hours(figures.officer_hours_total())});
  AppendRow(out, {"officer_hours_mean", Hours(figures.officer_hours_mean())});
  AppendRow(out, {"officer_hours_median", Hours(figures.officer_hours_median())});

  out += '\n';
  AppendRow(out, {"lead_agency", "reviews"});
  for (const v1::AgencyCount& row : figures.by_lead_agency()) {
    AppendRow(out, {row.agency(), absl::StrCat(row.reviews())});
  }

  out += '\n';
  AppendRow(out, {"step", "met_in_time", "late", "open"});
  for (const v1::StepCompliance& row : figures.deadline_compliance()) {
    AppendRow(out, {row.step(), absl::StrCat(row.met_in_time()),
                    absl::StrCat(row.late()), absl::StrCat(row.open())});
  }
  return out;
}

}  // namespace casework::workflow::case_review
