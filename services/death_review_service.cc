#include "services/death_review_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/access.h"
#include "services/call_context.h"
#include "services/paging.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/figures.h"
#include "workflow/time/case_deadlines.h"

namespace casework::services {
namespace {

namespace dr = workflow::death_reviews;

// Runs `read` with the caller's identity (UNAUTHENTICATED without one) and
// finishes the call (recording it in the audit log when the method is a
// detail read).
template <typename Read>
grpc::ServerUnaryReactor* WithActor(const ServiceDeps& deps, grpc::CallbackServerContext* context,
                                    Read read) {
  absl::StatusOr<v1::Actor> actor = ActorFromMetadata(*context);
  if (!actor.ok()) return FinishNow(context, actor.status());
  return FinishRead(deps, context, read(*actor));
}

}  // namespace

grpc::ServerUnaryReactor* DeathReviewService::GetDeathReview(
    grpc::CallbackServerContext* context, const v1::GetDeathReviewRequest* request,
    v1::DeathReview* response) {
  return WithActor(deps_, context, [&](const v1::Actor& a) { return Get(a, *request, response); });
}

absl::Status DeathReviewService::Get(const v1::Actor& actor,
                                     const v1::GetDeathReviewRequest& request,
                                     v1::DeathReview* response) const {
  FieldErrors errors;
  workflow::ParseResourceName("name", request.name(), workflow_.collection(), errors);
  RETURN_IF_ERROR(errors.ToStatus());
  ASSIGN_OR_RETURN(v1::DeathReview review,
                   ReadState<v1::DeathReview>(*deps_.store, workflow_, request.name()));
  if (dr::MayRead(review, actor)) {
    *response = std::move(review);
    SetNextSteps(workflow_, actor, *response);
    return absl::OkStatus();
  }
  std::optional<v1::DeathReview> published = dr::PublishedView(review);
  // Before publication the review is not there for others: the NOT_FOUND a
  // missing one gets.
  if (!published) return NotFoundFor(request.name());
  *response = *std::move(published);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* DeathReviewService::ListDeathReviews(
    grpc::CallbackServerContext* context, const v1::ListDeathReviewsRequest* request,
    v1::ListDeathReviewsResponse* response) {
  return WithActor(deps_, context, [&](const v1::Actor& a) { return List(a, *request, response); });
}

absl::Status DeathReviewService::List(const v1::Actor& actor,
                                      const v1::ListDeathReviewsRequest& request,
                                      v1::ListDeathReviewsResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  if (!v1::DeathReview::State_IsValid(request.state())) {
    errors.Add("state", "unknown", "is not a death review state");
  }
  const PageRequest page = CheckPage(request, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  // A partnership has a few reviews a year: the summary rows are the index.
  return PageRows(
      *deps_.store, dr::RowPrefix(*partnership, "all"), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        v1::DeathReview review;
        if (!review.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt death review row ", row.key));
        }
        if ((request.state() != v1::DeathReview::STATE_UNSPECIFIED &&
             review.state() != request.state()) ||
            (request.on_hold_only() && review.state() != v1::DeathReview::ON_HOLD) ||
            (request.overdue_only() && !workflow::HasMissedDeadline(review.deadlines()))) {
          return Visit::kSkipped;
        }
        if (dr::MayRead(review, actor)) {
          *response->add_death_reviews() = std::move(review);
          return Visit::kTaken;
        }
        // Filters on what only readers see are not applied to summaries.
        if (request.on_hold_only() || request.overdue_only()) return Visit::kSkipped;
        std::optional<v1::DeathReview> published = dr::PublishedView(review);
        if (!published) return Visit::kSkipped;
        *response->add_death_reviews() = *std::move(published);
        return Visit::kTaken;
      },
      response);
}

grpc::ServerUnaryReactor* DeathReviewService::ListFamilyContacts(
    grpc::CallbackServerContext* context, const v1::ListFamilyContactsRequest* request,
    v1::ListFamilyContactsResponse* response) {
  return WithActor(deps_, context,
                   [&](const v1::Actor& a) { return Contacts(a, *request, response); });
}

absl::Status DeathReviewService::Contacts(const v1::Actor& actor,
                                          const v1::ListFamilyContactsRequest& request,
                                          v1::ListFamilyContactsResponse* response) const {
  FieldErrors errors;
  std::optional<workflow::ResourceName> name =
      workflow::ParseResourceName("name", request.name(), workflow_.collection(), errors);
  const PageRequest page = CheckPage(request, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  ASSIGN_OR_RETURN(v1::DeathReview review,
                   ReadState<v1::DeathReview>(*deps_.store, workflow_, request.name()));
  if (!dr::MayRead(review, actor)) return NotFoundFor(request.name());
  return PageRows(
      *deps_.store, dr::FamilyContactsPrefix(name->partnership, name->number), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        if (!response->add_contacts()->ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt family contact row ", row.key));
        }
        return Visit::kTaken;
      },
      response);
}

grpc::ServerUnaryReactor* DeathReviewService::GetDeathReviewFigures(
    grpc::CallbackServerContext* context, const v1::GetDeathReviewFiguresRequest* request,
    v1::DeathReviewFigures* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  return FinishNow(context, Figures(*request, response));
}

absl::Status DeathReviewService::Figures(const v1::GetDeathReviewFiguresRequest& request,
                                         v1::DeathReviewFigures* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  RETURN_IF_ERROR(errors.ToStatus());
  dr::FiguresBuilder figures(deps_.Today());
  RETURN_IF_ERROR(ForEachRow(
      *deps_.store, dr::RowPrefix(*partnership, "all"), [&](const storage::StoredRow& row) {
        v1::DeathReview review;
        if (!review.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt death review row ", row.key));
        }
        figures.Add(review);
        return absl::OkStatus();
      }));
  *response = figures.Finish();
  return absl::OkStatus();
}

}  // namespace casework::services
