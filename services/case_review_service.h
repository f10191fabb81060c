// casework.v1.CaseReviewService, casework.v1.ComplaintService and
// casework.v1.PolicyService: the ASB case review over gRPC.
#ifndef CASEWORK_SERVICES_CASE_REVIEW_SERVICE_H_
#define CASEWORK_SERVICES_CASE_REVIEW_SERVICE_H_

#include "absl/time/time.h"
#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "services/calendar_provider.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "workflow/case_reviews.h"

namespace casework::services {

// Everything the case review services share. Pointers outlive the services.
struct CaseReviewDeps {
  const storage::EventStore* store;
  storage::Engine* engine;
  const Clock* clock;
  const CalendarProvider* calendars;
  absl::TimeZone london;
};

// The engine command for a case review command (see BuildActionCommand).
storage::Command BuildCaseReviewCommand(workflow::CaseReviewCommandSpec spec,
                                        std::shared_ptr<const workflow::Calendar> calendar);
// The engine command recording a complaint, de-duplicated by its source.
storage::Command BuildRecordComplaintCommand(const v1::RecordComplaintRequest& request,
                                             std::shared_ptr<const workflow::Calendar> calendar);
// The engine command publishing a policy.
storage::Command BuildPublishPolicyCommand(const v1::PublishPolicyRequest& request);

class CaseReviewService final : public v1::CaseReviewService::CallbackService {
 public:
  explicit CaseReviewService(CaseReviewDeps deps) : deps_(deps) {}

#define CASEWORK_REVIEW_RPC(Method, Request)                                              \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context,                 \
                                   const v1::Request* request,                           \
                                   v1::CaseReviewResponse* response) override {          \
    return Mutate(context, workflow::ReviewCommand::k##Method, *request, response);      \
  }
  CASEWORK_REVIEW_RPC(ReceiveApplication, ReceiveApplicationRequest)
  CASEWORK_REVIEW_RPC(AcknowledgeApplication, CaseReviewCommand)
  CASEWORK_REVIEW_RPC(EvaluateThreshold, CaseReviewCommand)
  CASEWORK_REVIEW_RPC(OverrideThreshold, OverrideThresholdRequest)
  CASEWORK_REVIEW_RPC(NotifyApplicant, NotifyApplicantRequest)
  CASEWORK_REVIEW_RPC(AssignLeadOfficer, AssignLeadOfficerRequest)
  CASEWORK_REVIEW_RPC(RequestAgencyInformation, AgencyInformationRequest)
  CASEWORK_REVIEW_RPC(RecordAgencyInformation, AgencyInformationRequest)
  CASEWORK_REVIEW_RPC(InviteVictim, CaseReviewCommand)
  CASEWORK_REVIEW_RPC(RecordReviewMeeting, RecordReviewMeetingRequest)
  CASEWORK_REVIEW_RPC(RecordOfficerHours, RecordOfficerHoursRequest)
  CASEWORK_REVIEW_RPC(RecordOutcome, RecordOutcomeRequest)
  CASEWORK_REVIEW_RPC(CommunicateOutcome, CaseReviewCommand)
  CASEWORK_REVIEW_RPC(LodgeAppeal, LodgeAppealRequest)
  CASEWORK_REVIEW_RPC(SendAppealPapers, SendAppealPapersRequest)
  CASEWORK_REVIEW_RPC(DecideAppeal, DecideAppealRequest)
  CASEWORK_REVIEW_RPC(RecordRecommendationProgress, RecommendationProgressRequest)
  CASEWORK_REVIEW_RPC(CloseCaseReview, CloseCaseReviewRequest)
  CASEWORK_REVIEW_RPC(WithdrawApplication, WithdrawApplicationRequest)
#undef CASEWORK_REVIEW_RPC

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
  template <typename Request>
  grpc::ServerUnaryReactor* Mutate(grpc::CallbackServerContext* context,
                                   workflow::ReviewCommand kind, const Request& request,
                                   v1::CaseReviewResponse* response);
  absl::Status List(const v1::ListCaseReviewsRequest& request,
                    v1::ListCaseReviewsResponse* response) const;
  absl::Status Figures(const v1::GetCaseReviewFiguresRequest& request,
                       v1::CaseReviewFigures* response) const;

  CaseReviewDeps deps_;
};

class ComplaintService final : public v1::ComplaintService::CallbackService {
 public:
  explicit ComplaintService(CaseReviewDeps deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* RecordComplaint(grpc::CallbackServerContext* context,
                                            const v1::RecordComplaintRequest* request,
                                            v1::RecordComplaintResponse* response) override;
  grpc::ServerReadReactor<v1::RecordComplaintRequest>* StreamComplaints(
      grpc::CallbackServerContext* context, v1::StreamComplaintsResponse* response) override;
  grpc::ServerUnaryReactor* GetComplaint(grpc::CallbackServerContext* context,
                                         const v1::GetComplaintRequest* request,
                                         v1::Complaint* response) override;
  grpc::ServerUnaryReactor* ListComplaints(grpc::CallbackServerContext* context,
                                           const v1::ListComplaintsRequest* request,
                                           v1::ListComplaintsResponse* response) override;
  grpc::ServerUnaryReactor* ListNotices(grpc::CallbackServerContext* context,
                                        const v1::ListNoticesRequest* request,
                                        v1::ListNoticesResponse* response) override;
  grpc::ServerUnaryReactor* AcknowledgeNotice(grpc::CallbackServerContext* context,
                                              const v1::AcknowledgeNoticeRequest* request,
                                              v1::RecordComplaintResponse* response) override;

 private:
  CaseReviewDeps deps_;
};

class PolicyService final : public v1::PolicyService::CallbackService {
 public:
  explicit PolicyService(CaseReviewDeps deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* PublishPolicy(grpc::CallbackServerContext* context,
                                          const v1::PublishPolicyRequest* request,
                                          v1::Policy* response) override;
  grpc::ServerUnaryReactor* GetPolicy(grpc::CallbackServerContext* context,
                                      const v1::GetPolicyRequest* request,
                                      v1::Policy* response) override;

 private:
  CaseReviewDeps deps_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_CASE_REVIEW_SERVICE_H_
