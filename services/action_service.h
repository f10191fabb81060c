// casework.v1.ActionService: the partnership action log over gRPC.
#ifndef CASEWORK_SERVICES_ACTION_SERVICE_H_
#define CASEWORK_SERVICES_ACTION_SERVICE_H_

#include "absl/time/time.h"
#include "casework/v1/actions.grpc.pb.h"
#include "services/calendar_provider.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "workflow/actions.h"

namespace casework::services {

// The engine command for one action command: target stream (a new numbered
// stream for CreateAction), request_id, fingerprint, expected version, the
// decision and the ActionResponse reply. `done` and the actor are left to the
// caller. The command must be valid (workflow::ValidateActionCommand).
storage::Command BuildActionCommand(workflow::ActionCommand command,
                                    std::shared_ptr<const workflow::Calendar> calendar);

class ActionService final : public v1::ActionService::CallbackService {
 public:
  // All pointers must outlive the service.
  ActionService(const storage::EventStore* store, storage::Engine* engine, const Clock* clock,
                const CalendarProvider* calendars, absl::TimeZone london);

  grpc::ServerUnaryReactor* CreateAction(grpc::CallbackServerContext* context,
                                         const v1::CreateActionRequest* request,
                                         v1::ActionResponse* response) override;
  grpc::ServerUnaryReactor* RecordProgress(grpc::CallbackServerContext* context,
                                           const v1::RecordProgressRequest* request,
                                           v1::ActionResponse* response) override;
  grpc::ServerUnaryReactor* ChangeDueDate(grpc::CallbackServerContext* context,
                                          const v1::ChangeDueDateRequest* request,
                                          v1::ActionResponse* response) override;
  grpc::ServerUnaryReactor* CompleteAction(grpc::CallbackServerContext* context,
                                           const v1::CompleteActionRequest* request,
                                           v1::ActionResponse* response) override;
  grpc::ServerUnaryReactor* CancelAction(grpc::CallbackServerContext* context,
                                         const v1::CancelActionRequest* request,
                                         v1::ActionResponse* response) override;
  grpc::ServerUnaryReactor* ReopenAction(grpc::CallbackServerContext* context,
                                         const v1::ReopenActionRequest* request,
                                         v1::ActionResponse* response) override;
  grpc::ServerUnaryReactor* PutActionOnHold(grpc::CallbackServerContext* context,
                                            const v1::PutActionOnHoldRequest* request,
                                            v1::ActionResponse* response) override;
  grpc::ServerUnaryReactor* ResumeAction(grpc::CallbackServerContext* context,
                                         const v1::ResumeActionRequest* request,
                                         v1::ActionResponse* response) override;
  grpc::ServerUnaryReactor* GetAction(grpc::CallbackServerContext* context,
                                      const v1::GetActionRequest* request,
                                      v1::Action* response) override;
  grpc::ServerUnaryReactor* ListActions(grpc::CallbackServerContext* context,
                                        const v1::ListActionsRequest* request,
                                        v1::ListActionsResponse* response) override;

 private:
  template <typename Request>
  grpc::ServerUnaryReactor* Mutate(grpc::CallbackServerContext* context, const Request& request,
                                   v1::ActionResponse* response);
  absl::Status List(const v1::ListActionsRequest& request, v1::ListActionsResponse* response) const;

  const storage::EventStore* store_;
  storage::Engine* engine_;
  const Clock* clock_;
  const CalendarProvider* calendars_;
  absl::TimeZone london_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_ACTION_SERVICE_H_
