// casework.v1.ActionService: the partnership action log over gRPC.
#ifndef CASEWORK_SERVICES_ACTION_SERVICE_H_
#define CASEWORK_SERVICES_ACTION_SERVICE_H_

#include "casework/v1/actions.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/actions/commands.h"

namespace casework::services {

class ActionService final : public v1::ActionService::CallbackService {
 public:
  explicit ActionService(const ServiceDeps& deps) : deps_(deps) {}

  CASEWORK_COMMAND_METHOD(workflow::actions, CreateAction, v1::ActionResponse)
  CASEWORK_COMMAND_METHOD(workflow::actions, RecordProgress, v1::ActionResponse)
  CASEWORK_COMMAND_METHOD(workflow::actions, ChangeDueDate, v1::ActionResponse)
  CASEWORK_COMMAND_METHOD(workflow::actions, CompleteAction, v1::ActionResponse)
  CASEWORK_COMMAND_METHOD(workflow::actions, CancelAction, v1::ActionResponse)
  CASEWORK_COMMAND_METHOD(workflow::actions, ReopenAction, v1::ActionResponse)
  CASEWORK_COMMAND_METHOD(workflow::actions, PutActionOnHold, v1::ActionResponse)
  CASEWORK_COMMAND_METHOD(workflow::actions, ResumeAction, v1::ActionResponse)

  grpc::ServerUnaryReactor* GetAction(grpc::CallbackServerContext* context,
                                      const v1::GetActionRequest* request,
                                      v1::Action* response) override;
  grpc::ServerUnaryReactor* ListActions(grpc::CallbackServerContext* context,
                                        const v1::ListActionsRequest* request,
                                        v1::ListActionsResponse* response) override;
  grpc::ServerUnaryReactor* ListActionNotes(grpc::CallbackServerContext* context,
                                            const v1::ListActionNotesRequest* request,
                                            v1::ListActionNotesResponse* response) override;

 private:
  absl::Status List(ReadFilter& filter, const v1::ListActionsRequest& request,
                    v1::ListActionsResponse* response) const;
  absl::Status ListNotes(ReadFilter& filter, const v1::ListActionNotesRequest& request,
                         v1::ListActionNotesResponse* response) const;

  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::actions::ActionWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_ACTION_SERVICE_H_
