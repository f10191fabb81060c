// casework.v1.DataProtectionService: erasure of a data subject's personal
// data, and the erasure log (docs/data-protection.md).
#ifndef CASEWORK_SERVICES_DATA_PROTECTION_SERVICE_H_
#define CASEWORK_SERVICES_DATA_PROTECTION_SERVICE_H_

#include "casework/v1/data_protection.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/erasures/commands.h"

namespace casework::services {

class DataProtectionService final : public v1::DataProtectionService::CallbackService {
 public:
  explicit DataProtectionService(const ServiceDeps& deps) : deps_(deps) {}

  // Refused unless something is held for the person or record: the keys
  // the erasure would destroy must be live.
  grpc::ServerUnaryReactor* EraseSubject(grpc::CallbackServerContext* context,
                                         const v1::EraseSubjectRequest* request,
                                         v1::Erasure* response) override;
  CASEWORK_COMMAND_METHOD(workflow::erasures, ReapplyErasure, v1::Erasure)

  grpc::ServerUnaryReactor* GetErasure(grpc::CallbackServerContext* context,
                                       const v1::GetErasureRequest* request,
                                       v1::Erasure* response) override;
  grpc::ServerUnaryReactor* ListErasures(grpc::CallbackServerContext* context,
                                         const v1::ListErasuresRequest* request,
                                         v1::ListErasuresResponse* response) override;

 private:
  // OK if the erasure `request` asks for would destroy a live key.
  absl::Status CheckSomethingHeld(const v1::EraseSubjectRequest& request) const;

  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::erasures::ErasureWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_DATA_PROTECTION_SERVICE_H_
