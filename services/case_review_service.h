// casework.v1.CaseReviewService: the ASB case review over gRPC.
#ifndef CASEWORK_SERVICES_CASE_REVIEW_SERVICE_H_
#define CASEWORK_SERVICES_CASE_REVIEW_SERVICE_H_

#include "casework/v1/case_reviews.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/case_review/commands.h"

namespace casework::services {

class CaseReviewService final : public v1::CaseReviewService::CallbackService {
 public:
  explicit CaseReviewService(const ServiceDeps& deps) : deps_(deps) {}

#define CASEWORK_REVIEW_METHOD(Method) \
  CASEWORK_COMMAND_METHOD(workflow::case_review, Method, v1::CaseReviewResponse)
  CASEWORK_REVIEW_METHOD(ReceiveApplication)
  CASEWORK_REVIEW_METHOD(AcknowledgeApplication)
  CASEWORK_REVIEW_METHOD(OverrideThreshold)
  CASEWORK_REVIEW_METHOD(NotifyApplicant)
  CASEWORK_REVIEW_METHOD(AssignLeadOfficer)
  CASEWORK_REVIEW_METHOD(RequestAgencyInformation)
  CASEWORK_REVIEW_METHOD(RecordAgencyInformation)
  CASEWORK_REVIEW_METHOD(InviteVictim)
  CASEWORK_REVIEW_METHOD(RecordReviewMeeting)
  CASEWORK_REVIEW_METHOD(RecordOfficerHours)
  CASEWORK_REVIEW_METHOD(RecordOutcome)
  CASEWORK_REVIEW_METHOD(CommunicateOutcome)
  CASEWORK_REVIEW_METHOD(LodgeAppeal)
  CASEWORK_REVIEW_METHOD(SendAppealPapers)
  CASEWORK_REVIEW_METHOD(DecideAppeal)
  CASEWORK_REVIEW_METHOD(RecordRecommendationProgress)
  CASEWORK_REVIEW_METHOD(CloseCaseReview)
  CASEWORK_REVIEW_METHOD(ReferRecommendation)
  CASEWORK_REVIEW_METHOD(LinkPanelReferral)
  CASEWORK_REVIEW_METHOD(WithdrawApplication)
#undef CASEWORK_REVIEW_METHOD

  // Its reply carries the complaints weighed (the other commands' replies
  // leave them out, as the state does).
  grpc::ServerUnaryReactor* EvaluateThreshold(grpc::CallbackServerContext* context,
                                              const v1::CaseReviewCommand* request,
                                              v1::CaseReviewResponse* response) override;
  grpc::ServerUnaryReactor* GetCaseReview(grpc::CallbackServerContext* context,
                                          const v1::GetCaseReviewRequest* request,
                                          v1::CaseReview* response) override;
  grpc::ServerUnaryReactor* ListCaseReviews(grpc::CallbackServerContext* context,
                                            const v1::ListCaseReviewsRequest* request,
                                            v1::ListCaseReviewsResponse* response) override;
  grpc::ServerUnaryReactor* GetCaseReviewFigures(grpc::CallbackServerContext* context,
                                                 const v1::GetCaseReviewFiguresRequest* request,
                                                 v1::CaseReviewFigures* response) override;

 private:
  absl::Status List(ReadFilter& filter, const v1::ListCaseReviewsRequest& request,
                    v1::ListCaseReviewsResponse* response) const;
  absl::Status Figures(const v1::GetCaseReviewFiguresRequest& request,
                       v1::CaseReviewFigures* response) const;

  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::case_review::CaseReviewWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_CASE_REVIEW_SERVICE_H_
