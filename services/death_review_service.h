// casework.v1.DeathReviewService: domestic homicide (domestic abuse related
// death) reviews over gRPC. Every read asks the workflow who may read a
// review: its readers get it whole, the rest of the partnership only a
// published review's summary.
#ifndef CASEWORK_SERVICES_DEATH_REVIEW_SERVICE_H_
#define CASEWORK_SERVICES_DEATH_REVIEW_SERVICE_H_

#include "casework/v1/death_reviews.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/death_reviews/commands.h"

namespace casework::services {

class DeathReviewService final : public v1::DeathReviewService::CallbackService {
 public:
  explicit DeathReviewService(const ServiceDeps& deps) : deps_(deps) {}

  CASEWORK_COMMAND_METHOD(workflow::death_reviews, NotifyDeath, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, RecordDecision, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, AppointChair, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, AddPanelMember, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, AgreeTermsOfReference,
                          v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, CompleteScoping, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, RequestAgencyReport, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, ReceiveAgencyReport, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, WaiveAgencyReport, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, RecordFamilyContact, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, RecordDraft, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, SignOffReview, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, SubmitToHomeOffice, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, RecordQaOutcome, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, PublishReview, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, AddActionPlanItem, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, LinkPlanAction, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, PlaceOnHold, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, ResumeReview, v1::DeathReviewResponse)
  CASEWORK_COMMAND_METHOD(workflow::death_reviews, CloseReview, v1::DeathReviewResponse)

  grpc::ServerUnaryReactor* GetDeathReview(grpc::CallbackServerContext* context,
                                           const v1::GetDeathReviewRequest* request,
                                           v1::DeathReview* response) override;
  grpc::ServerUnaryReactor* ListDeathReviews(grpc::CallbackServerContext* context,
                                             const v1::ListDeathReviewsRequest* request,
                                             v1::ListDeathReviewsResponse* response) override;
  grpc::ServerUnaryReactor* ListFamilyContacts(grpc::CallbackServerContext* context,
                                               const v1::ListFamilyContactsRequest* request,
                                               v1::ListFamilyContactsResponse* response) override;
  grpc::ServerUnaryReactor* GetDeathReviewFigures(grpc::CallbackServerContext* context,
                                                  const v1::GetDeathReviewFiguresRequest* request,
                                                  v1::DeathReviewFigures* response) override;

 private:
  absl::Status Get(const v1::Actor& actor, const v1::GetDeathReviewRequest& request,
                   v1::DeathReview* response) const;
  absl::Status List(const v1::Actor& actor, const v1::ListDeathReviewsRequest& request,
                    v1::ListDeathReviewsResponse* response) const;
  absl::Status Contacts(const v1::Actor& actor, const v1::ListFamilyContactsRequest& request,
                        v1::ListFamilyContactsResponse* response) const;
  absl::Status Figures(const v1::GetDeathReviewFiguresRequest& request,
                       v1::DeathReviewFigures* response) const;

  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::death_reviews::DeathReviewWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_DEATH_REVIEW_SERVICE_H_
