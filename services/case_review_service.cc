#include "services/case_review_service.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/paging.h"
#include "workflow/case_review/figures.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

// Puts back the complaints `review`'s threshold weighed, which the state
// leaves to their own row (case_review::ConsideredRowKey). A threshold met
// by an override or an upheld appeal alone weighed none and has no row.
absl::Status AddConsidered(const ServiceDeps& deps, v1::CaseReview* review) {
  if (!review->has_threshold()) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      std::shared_ptr<const google::protobuf::Message> row,
      ReadRowMessage(*deps.store, workflow::case_review::ConsideredRowKey(review->name()),
                     [] { return std::make_unique<v1::ThresholdEvaluation>(); }));
  if (row == nullptr) return absl::OkStatus();
  *review->mutable_threshold()->mutable_considered() =
      workflow::kernel_internal::As<v1::ThresholdEvaluation>(*row).considered();
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* CaseReviewService::GetCaseReview(grpc::CallbackServerContext* context,
                                                           const v1::GetCaseReviewRequest* request,
                                                           v1::CaseReview* response) {
  return FinishGet(deps_, context, workflow_, request->name(), response, &AddConsidered);
}

grpc::ServerUnaryReactor* CaseReviewService::EvaluateThreshold(grpc::CallbackServerContext* context,
                                                               const v1::CaseReviewCommand* request,
                                                               v1::CaseReviewResponse* response) {
  // The reply of the command that weighed the complaints carries them.
  return RunCommand(deps_, context, workflow_, workflow::case_review::kEvaluateThreshold, *request,
                    response, nullptr, [deps = &deps_](google::protobuf::Message* reply) {
                      return AddConsidered(
                          *deps,
                          static_cast<v1::CaseReviewResponse*>(reply)->mutable_case_review());
                    });
}

grpc::ServerUnaryReactor* CaseReviewService::ListCaseReviews(
    grpc::CallbackServerContext* context, const v1::ListCaseReviewsRequest* request,
    v1::ListCaseReviewsResponse* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  return FinishNow(context, List(filter, *request, response));
}

absl::Status CaseReviewService::List(ReadFilter& filter, const v1::ListCaseReviewsRequest& request,
                                     v1::ListCaseReviewsResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request.parent(), errors);
  if (!v1::CaseReview::State_IsValid(request.state())) {
    errors.Add("state", "unknown", "is not a case review state");
  }
  if (!v1::CaseReviewView_IsValid(request.view())) {
    errors.Add("view", "unknown", "is not a case review view");
  }
  PageRequest page = CheckPage(request, errors);
  if (!request.lead_officer().empty()) workflow::CheckId("lead_officer", request.lead_officer(), errors);
  RETURN_IF_ERROR(errors.ToStatus());
  const bool full = request.view() == v1::CASE_REVIEW_VIEW_FULL;
  // Walk the most selective index; check the other filters on each review.
  std::string prefix;
  if (request.overdue_only()) {
    prefix = workflow::case_review::CaseReviewRowPrefix(*p, "overdue");
  } else if (!request.lead_officer().empty()) {
    prefix = absl::StrCat(workflow::case_review::CaseReviewRowPrefix(*p, "lead"),
                          workflow::EscapeKeyPart(request.lead_officer()), "/");
  } else if (request.state() != v1::CaseReview::STATE_UNSPECIFIED) {
    prefix = absl::StrCat(workflow::case_review::CaseReviewRowPrefix(*p, "state"),
                          v1::CaseReview::State_Name(request.state()), "/");
  } else {
    prefix = workflow::case_review::CaseReviewRowPrefix(*p, "all");
  }
  return PageRows(
      *deps_.store, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        // Each index row names a case review: its summary, parsed once per
        // change and shared (ReadStateMessage), copied only if listed.
        ASSIGN_OR_RETURN(const int64_t n, NumberAtEnd(row.key));
        absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> read = ReadStateMessage(
            *deps_.store, workflow_, workflow::FormatResourceName(*p, workflow_.collection(), n));
        if (absl::IsNotFound(read.status())) {
          return absl::DataLossError(absl::StrCat("index row ", row.key, " has no case review"));
        }
        RETURN_IF_ERROR(read.status());
        const auto& review = workflow::kernel_internal::As<v1::CaseReview>(**read);
        if (request.state() != v1::CaseReview::STATE_UNSPECIFIED && review.state() != request.state()) {
          return Visit::kSkipped;
        }
        if (!request.lead_officer().empty() && review.lead_officer() != request.lead_officer()) {
          return Visit::kSkipped;
        }
        ASSIGN_OR_RETURN(const bool may_read, filter.MayReadState(workflow_, review.name(), review));
        if (!may_read) return Visit::kSkipped;
        v1::CaseReview* listed = response->add_case_reviews();
        *listed = review;
        if (full) RETURN_IF_ERROR(AddConsidered(deps_, listed));
        return Visit::kTaken;
      },
      response);
}

grpc::ServerUnaryReactor* CaseReviewService::GetCaseReviewFigures(
    grpc::CallbackServerContext* context, const v1::GetCaseReviewFiguresRequest* request,
    v1::CaseReviewFigures* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  return FinishNow(context, Figures(*request, response));
}

absl::Status CaseReviewService::Figures(const v1::GetCaseReviewFiguresRequest& request,
                                        v1::CaseReviewFigures* response) const {
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request.parent(), errors);
  std::optional<absl::CivilDay> from = workflow::CheckDate("from", request.from(), errors);
  std::optional<absl::CivilDay> to = workflow::CheckDate("to", request.to(), errors);
  if (from && to && *to < *from) {
    errors.Add("to", "date_order", absl::StrCat("must not be before from (",
                                                workflow::FormatDate(request.from()), ")"));
  }
  RETURN_IF_ERROR(errors.ToStatus());
  std::vector<v1::CaseReview> reviews;
  const std::string prefix = workflow::case_review::CaseReviewRowPrefix(*p, "all");
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows, deps_.store->ScanRows(prefix, after, 1000));
    for (const storage::StoredRow& row : rows) {
      if (!reviews.emplace_back().ParseFromString(row.value)) {
        return absl::DataLossError(absl::StrCat("corrupt case review row ", row.key));
      }
    }
    if (rows.size() < 1000) break;
    after = rows.back().key;
  }
  *response = workflow::case_review::ComputeCaseReviewFigures(reviews, *from, *to);
  if (request.csv()) response->set_csv(workflow::case_review::CaseReviewFiguresCsv(*response));
  return absl::OkStatus();
}

}  // namespace casework::services
