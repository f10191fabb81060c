// Who may read a review, and what the rest of the partnership sees once it
// is published.
#include <algorithm>
#include <optional>

#include "workflow/death_reviews/commands.h"

namespace casework::workflow::death_reviews {

bool MayRead(const v1::DeathReview& review, const v1::Actor& actor) {
  const auto& roles = review.reader_roles();
  if (std::find(roles.begin(), roles.end(), actor.role()) != roles.end()) return true;
  if (review.has_chair() && review.chair().agency() == actor.agency() &&
      review.chair().user() == actor.user()) {
    return true;
  }
  for (const v1::PanelMember& m : review.panel_members()) {
    if (m.agency() == actor.agency() && m.user() == actor.user()) return true;
  }
  return false;
}

std::optional<v1::DeathReview> PublishedView(const v1::DeathReview& review) {
  if (review.state() != v1::DeathReview::PUBLISHED && review.state() != v1::DeathReview::CLOSED) {
    return std::nullopt;
  }
  v1::DeathReview view;
  view.set_name(review.name());
  view.set_state(review.state());
  view.set_restricted(true);
  *view.mutable_notification()->mutable_date_notified() = review.notification().date_notified();
  view.mutable_criteria()->set_regime(review.criteria().regime());
  view.mutable_decision()->set_commissioned(review.decision().commissioned());
  *view.mutable_decision()->mutable_decided_on() = review.decision().decided_on();
  *view.mutable_publication() = review.publication();
  if (review.has_closed_on()) *view.mutable_closed_on() = review.closed_on();
  return view;
}

}  // namespace casework::workflow::death_reviews
