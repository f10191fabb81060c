// The panels' figures for the partnership board over a period, computed from
// the cases as they are now (pure; the service feeds it the cases a page at
// a time, so memory does not grow with the partnership's cases).
#ifndef CASEWORK_WORKFLOW_PANELS_FIGURES_H_
#define CASEWORK_WORKFLOW_PANELS_FIGURES_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/time/civil_time.h"
#include "casework/v1/panels.pb.h"
#include "casework/v1/policy.pb.h"

namespace casework::workflow::panels {

// One PanelPeriodFigures per panel of `policy`, in its order, over the days
// `from` to `to` inclusive:
//   * new_referrals: cases whose referral date is in the period (a reopened
//     case counts on its first referral date only); escalations_in: those
//     escalated from a subgroup;
//   * declined, closed, escalated: cases whose ended_on is in the period and
//     which are still in that state;
//   * average_main_agenda_days: the mean main_agenda_days of the closed and
//     escalated ones.
class FiguresBuilder {
 public:
  FiguresBuilder(const v1::Policy& policy, absl::CivilDay from, absl::CivilDay to);
  void Add(const v1::PanelCase& c);
  v1::PanelFigures Finish() &&;

 private:
  bool Within(const v1::CivilDate& date) const;

  absl::CivilDay from_, to_;
  v1::PanelFigures figures_;
  std::map<std::string, v1::PanelPeriodFigures*> by_panel_;
  // Per panel: total main-agenda days and cases, for the average.
  std::map<std::string, std::pair<int64_t, int>> main_agenda_days_;
};

}  // namespace casework::workflow::panels

#endif  // CASEWORK_WORKFLOW_PANELS_FIGURES_H_
