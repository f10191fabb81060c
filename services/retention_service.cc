#include "services/retention_service.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/call_context.h"
#include "services/paging.h"
#include "services/policy_cache.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {

namespace {

namespace retention = workflow::retention;

// Reviews of a case read at a time, looking for its latest.
constexpr int kReviewsPage = 100;

}  // namespace

absl::StatusOr<std::optional<v1::RetentionReview>> RetentionService::LatestReviewOf(
    absl::string_view partnership, absl::string_view stream) const {
  const std::string prefix = retention::CaseReviewsPrefix(partnership, stream);
  std::vector<storage::StoredRow> last;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> page,
                     deps_.store->ScanRows(prefix, after, kReviewsPage));
    if (page.empty()) break;
    after = page.back().key;
    const bool more = page.size() == static_cast<size_t>(kReviewsPage);
    last = std::move(page);
    if (!more) break;
  }
  return retention::LatestReview(last);
}

grpc::ServerUnaryReactor* RetentionService::ListDueForReview(
    grpc::CallbackServerContext* context, const v1::ListDueForReviewRequest* request,
    v1::ListDueForReviewResponse* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request->parent(), errors);
  absl::CivilDay as_of = deps_.Today();
  if (request->has_as_of()) {
    if (std::optional<absl::CivilDay> day = workflow::CheckDate("as_of", request->as_of(), errors)) {
      as_of = *day;
    }
  }
  const PageRequest page = CheckPage(*request, errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::StatusOr<workflow::PolicyRef> policy = deps_.policies->InForce(*partnership);
  if (!policy.ok()) return FinishNow(context, policy.status());

  // Every closed case, by collection then closing time (the kit's rows);
  // each one past its period is due unless its latest review deleted it or
  // retained it past `as_of`.
  const std::string prefix =
      absl::StrCat(workflow::kRetentionNamespace, "/", *partnership, "/closed/");
  absl::Status status = PageRows(
      *deps_.store, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        const std::string& stream = row.value;
        const workflow::Workflow* workflow = deps_.registry->ForStream(stream);
        // "{collection}/{closing seconds}/{number}"
        std::vector<absl::string_view> parts =
            absl::StrSplit(absl::string_view(row.key).substr(prefix.size()), '/');
        int64_t seconds = 0;
        if (workflow == nullptr || parts.size() != 3 || !absl::SimpleAtoi(parts[1], &seconds)) {
          return absl::DataLossError(absl::StrCat("corrupt retention row ", row.key));
        }
        const absl::Time closed = absl::FromUnixSeconds(seconds);
        const int years = retention::YearsAfterClosure(**policy, workflow->name());
        absl::CivilDay due = retention::DueDate(closed, years);
        if (due > as_of) return Visit::kSkipped;
        ASSIGN_OR_RETURN(std::optional<v1::RetentionReview> latest,
                         LatestReviewOf(*partnership, stream));
        if (latest.has_value() && latest->decision() == v1::RetentionReview::DELETE) {
          if (retention::StillDeleted(*latest, closed)) return Visit::kSkipped;
          latest.reset();  // reopened and closed again since: due from its new closing
        }
        if (latest.has_value()) {
          due = workflow::ToCivilDay(latest->next_review_date());
          if (due > as_of) return Visit::kSkipped;
        }
        v1::DueCase& item = *response->add_cases();
        item.set_case_name(stream);
        item.set_case_type(std::string(workflow->name()));
        item.mutable_close_time()->set_seconds(seconds);
        *item.mutable_due_date() = workflow::ToCivilDate(due);
        if (latest.has_value()) item.set_last_review(latest->name());
        return Visit::kTaken;
      },
      response);
  return FinishNow(context, status);
}

grpc::ServerUnaryReactor* RetentionService::GetRetentionReview(
    grpc::CallbackServerContext* context, const v1::GetRetentionReviewRequest* request,
    v1::RetentionReview* response) {
  return FinishGet(deps_, context, workflow_, request->name(), response);
}

grpc::ServerUnaryReactor* RetentionService::ListRetentionReviews(
    grpc::CallbackServerContext* context, const v1::ListRetentionReviewsRequest* request,
    v1::ListRetentionReviewsResponse* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request->parent(), errors);
  if (partnership.has_value() && !request->case_name().empty() &&
      workflow::PartnershipOfStream(request->case_name()) != *partnership) {
    errors.Add("case_name", "case",
               absl::StrCat("must be a case of ", workflow::Quoted(request->parent())));
  }
  const PageRequest page = CheckPage(*request, errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  const std::string prefix =
      request->case_name().empty()
          ? retention::ReviewRowPrefix(*partnership)
          : retention::CaseReviewsPrefix(*partnership, request->case_name());
  return FinishNow(
      context,
      PageRows(
          *deps_.store, prefix, page,
          [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
            if (!response->add_reviews()->ParseFromString(row.value)) {
              return absl::DataLossError(absl::StrCat("corrupt retention review row ", row.key));
            }
            return Visit::kTaken;
          },
          response));
}

}  // namespace casework::services
