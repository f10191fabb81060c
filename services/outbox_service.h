// casework.v1.OutboxService: operators see the messages between workflows
// waiting in this process and retry parked ones (services/outbox.h).
#ifndef CASEWORK_SERVICES_OUTBOX_SERVICE_H_
#define CASEWORK_SERVICES_OUTBOX_SERVICE_H_

#include "casework/v1/outbox.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"

namespace casework::services {

class OutboxService final : public v1::OutboxService::CallbackService {
 public:
  explicit OutboxService(const ServiceDeps& deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* ListOutboxMessages(grpc::CallbackServerContext* context,
                                               const v1::ListOutboxMessagesRequest* request,
                                               v1::ListOutboxMessagesResponse* response) override;
  grpc::ServerUnaryReactor* RetryOutboxMessage(grpc::CallbackServerContext* context,
                                               const v1::RetryOutboxMessageRequest* request,
                                               v1::OutboxMessage* response) override;

 private:
  absl::Status List(const v1::ListOutboxMessagesRequest& request,
                    v1::ListOutboxMessagesResponse* response) const;
  absl::Status Retry(const v1::RetryOutboxMessageRequest& request,
                     v1::OutboxMessage* response) const;

  const ServiceDeps deps_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_OUTBOX_SERVICE_H_
