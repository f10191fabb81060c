// casework.v1.DataProtectionService: erasure of a data subject's personal
// data, and the erasure log (docs/data-protection.md).
#ifndef CASEWORK_SERVICES_DATA_PROTECTION_SERVICE_H_
#define CASEWORK_SERVICES_DATA_PROTECTION_SERVICE_H_

#include "casework/v1/data_protection.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/erasures/commands.h"

namespace casework::services {

// OK if this server seals personal data and one of the keys `names` is
// live; otherwise FAILED_PRECONDITION (SEALING_NOT_CONFIGURED), or
// NOT_FOUND (NO_PERSONAL_DATA) with `nothing_held` as its message.
absl::Status CheckSomethingHeld(const ServiceDeps& deps, const std::vector<std::string>& names,
                                const std::string& nothing_held);

// The partnership of a new data protection command: nullopt for a retry
// (the caller's agency used `request_id` before; the engine answers it from
// its record) and for a request the command's validation refuses anyway
// (no request_id, a bad parent).
absl::StatusOr<std::optional<std::string>> NewCommandPartnership(
    const ServiceDeps& deps, const grpc::ServerContextBase& context, absl::string_view parent,
    const std::string& request_id);

class DataProtectionService final : public v1::DataProtectionService::CallbackService {
 public:
  explicit DataProtectionService(const ServiceDeps& deps) : deps_(deps) {}

  // Refused unless something is held for the person or record (CheckSomethingHeld):
  // the keys the erasure would destroy must be live.
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
  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::erasures::ErasureWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_DATA_PROTECTION_SERVICE_H_
