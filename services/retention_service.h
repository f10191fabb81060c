// casework.v1.RetentionService: the partnership's retention schedule — which
// closed cases are due for review, and the decisions on them
// (docs/data-protection.md, docs/workflows/retention-reviews.md).
#ifndef CASEWORK_SERVICES_RETENTION_SERVICE_H_
#define CASEWORK_SERVICES_RETENTION_SERVICE_H_

#include "casework/v1/retention.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/retention/commands.h"

namespace casework::services {

class RetentionService final : public v1::RetentionService::CallbackService {
 public:
  explicit RetentionService(const ServiceDeps& deps) : deps_(deps) {}

  // Reads the kit's index of closed cases (workflow/kernel/workflow.h,
  // Definition::Retention) and each candidate's latest review, off the
  // writer thread.
  grpc::ServerUnaryReactor* ListDueForReview(grpc::CallbackServerContext* context,
                                             const v1::ListDueForReviewRequest* request,
                                             v1::ListDueForReviewResponse* response) override;
  CASEWORK_COMMAND_METHOD(workflow::retention, DecideRetention, v1::RetentionReview)
  grpc::ServerUnaryReactor* GetRetentionReview(grpc::CallbackServerContext* context,
                                               const v1::GetRetentionReviewRequest* request,
                                               v1::RetentionReview* response) override;
  grpc::ServerUnaryReactor* ListRetentionReviews(
      grpc::CallbackServerContext* context, const v1::ListRetentionReviewsRequest* request,
      v1::ListRetentionReviewsResponse* response) override;

 private:
  // The latest review of case `stream`, if any.
  absl::StatusOr<std::optional<v1::RetentionReview>> LatestReviewOf(absl::string_view partnership,
                                                                  absl::string_view stream) const;

  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::retention::RetentionReviewWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_RETENTION_SERVICE_H_
