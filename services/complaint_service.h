// casework.v1.ComplaintService: the complaint ledger the case review
// threshold is evaluated from, with its proactive notices.
#ifndef CASEWORK_SERVICES_COMPLAINT_SERVICE_H_
#define CASEWORK_SERVICES_COMPLAINT_SERVICE_H_

#include "casework/v1/complaints.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/case_review/complaints.h"

namespace casework::services {

class ComplaintService final : public v1::ComplaintService::CallbackService {
 public:
  explicit ComplaintService(const ServiceDeps& deps) : deps_(deps) {}

  CASEWORK_COMMAND_METHOD(workflow::case_review, RecordComplaint, v1::RecordComplaintResponse)
  CASEWORK_COMMAND_METHOD(workflow::case_review, AcknowledgeNotice, v1::RecordComplaintResponse)

  // Client-streaming intake: each complaint runs as RecordComplaint.
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

 private:
  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::case_review::ComplaintWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_COMPLAINT_SERVICE_H_
