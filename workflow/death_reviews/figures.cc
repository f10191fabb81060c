#include "workflow/death_reviews/figures.h"

#include "workflow/common/validation.h"
#include "workflow/death_reviews/commands.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::death_reviews {
namespace {

using Review = v1::DeathReview;

bool IsMissed(const Review& r, absl::string_view name) {
  const v1::Deadline* d = FindDeadline(r.deadlines(), name);
  return d != nullptr && d->state() == v1::Deadline::MISSED;
}

}  // namespace

void FiguresBuilder::Add(const Review& r) {
  figures_.set_notified(figures_.notified() + 1);
  if (r.has_decision()) {
    if (r.decision().commissioned()) {
      figures_.set_commissioned(figures_.commissioned() + 1);
    } else {
      figures_.set_not_commissioned(figures_.not_commissioned() + 1);
    }
  }
  const absl::CivilDay notified = ToCivilDay(r.notification().date_notified());
  if (r.has_decision()) to_decision_.Add(ToCivilDay(r.decision().decided_on()) - notified);
  if (!r.qa_rounds().empty()) {
    to_submission_.Add(ToCivilDay(r.qa_rounds(0).submitted_on()) - notified);
  }
  if (r.has_publication()) {
    to_publication_.Add(ToCivilDay(r.publication().published_on()) - notified);
  }
  const bool open = r.state() != Review::CLOSED && r.state() != Review::NOT_COMMISSIONED;
  if (open) {
    const bool held = r.state() == Review::ON_HOLD;
    ++open_by_stage_[held ? r.holds(r.holds_size() - 1).stage() : r.state()];
    if (held) figures_.set_on_hold(figures_.on_hold() + 1);
  }
  for (const v1::Hold& h : r.holds()) {
    figures_.set_holds(figures_.holds() + 1);
    const absl::CivilDay end = h.has_resumed_on() ? ToCivilDay(h.resumed_on()) : today_;
    figures_.set_days_on_hold(figures_.days_on_hold() + (end - ToCivilDay(h.held_on())));
  }
  if (IsMissed(r, kDecisionDeadline)) figures_.set_overdue_decisions(figures_.overdue_decisions() + 1);
  if (IsMissed(r, kSubmissionDeadline)) {
    figures_.set_overdue_submissions(figures_.overdue_submissions() + 1);
  }
  int resubmissions = 0;
  for (const v1::QaRound& round : r.qa_rounds()) {
    if (round.outcome() == v1::RESUBMIT) ++resubmissions;
  }
  figures_.set_qa_resubmissions(figures_.qa_resubmissions() + resubmissions);
  if (resubmissions > 0) figures_.set_reviews_resubmitted(figures_.reviews_resubmitted() + 1);
}

v1::DeathReviewFigures FiguresBuilder::Finish() const {
  v1::DeathReviewFigures f = figures_;
  for (const auto& [state, count] : open_by_stage_) {
    v1::DeathReviewFigures::StageCount& c = *f.add_open_by_stage();
    c.set_state(static_cast<Review::State>(state));
    c.set_count(count);
  }
  f.set_mean_months_to_decision(to_decision_.Months());
  f.set_mean_months_to_submission(to_submission_.Months());
  f.set_mean_months_to_publication(to_publication_.Months());
  return f;
}

}  // namespace casework::workflow::death_reviews
