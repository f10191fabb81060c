#include "workflow/panels/figures.h"

#include "workflow/common/validation.h"

namespace casework::workflow::panels {

FiguresBuilder::FiguresBuilder(const v1::Policy& policy, absl::CivilDay from, absl::CivilDay to)
    : from_(from), to_(to) {
  *figures_.mutable_from() = ToCivilDate(from);
  *figures_.mutable_to() = ToCivilDate(to);
  for (const v1::PanelDefinition& p : policy.panels().panels()) {
    v1::PanelPeriodFigures* f = figures_.add_panels();
    f->set_panel(p.id());
    by_panel_[p.id()] = f;
  }
}

bool FiguresBuilder::Within(const v1::CivilDate& date) const {
  if (date.year() == 0) return false;
  const absl::CivilDay day = ToCivilDay(date);
  return day >= from_ && day <= to_;
}

void FiguresBuilder::Add(const v1::PanelCase& c) {
  auto it = by_panel_.find(c.panel());
  if (it == by_panel_.end()) return;
  v1::PanelPeriodFigures& f = *it->second;
  if (Within(c.referral_date())) {
    f.set_new_referrals(f.new_referrals() + 1);
    if (!c.escalated_from().empty()) f.set_escalations_in(f.escalations_in() + 1);
  }
  if (!Within(c.ended_on())) return;
  switch (c.state()) {
    case v1::PanelCase::DECLINED:
      f.set_declined(f.declined() + 1);
      return;
    case v1::PanelCase::CLOSED:
      f.set_closed(f.closed() + 1);
      break;
    case v1::PanelCase::ESCALATED:
      f.set_escalated(f.escalated() + 1);
      break;
    default:
      return;
  }
  auto& [total, n] = main_agenda_days_[c.panel()];
  total += c.main_agenda_days();
  ++n;
}

v1::PanelFigures FiguresBuilder::Finish() && {
  for (const auto& [panel, days] : main_agenda_days_) {
    by_panel_[panel]->set_average_main_agenda_days(static_cast<double>(days.first) / days.second);
  }
  return std::move(figures_);
}

}  // namespace casework::workflow::panels
