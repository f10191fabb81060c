// casework.v1.AuditService: auditors read the audit log (who read which
// record's detail, when and why). It has no method that writes: entries are
// written by the server alone (services/audit_log.h).
#ifndef CASEWORK_SERVICES_AUDIT_SERVICE_H_
#define CASEWORK_SERVICES_AUDIT_SERVICE_H_

#include "casework/v1/audit.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"

namespace casework::services {

class AuditService final : public v1::AuditService::CallbackService {
 public:
  explicit AuditService(const ServiceDeps& deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* ListAuditEntries(grpc::CallbackServerContext* context,
                                             const v1::ListAuditEntriesRequest* request,
                                             v1::ListAuditEntriesResponse* response) override;

 private:
  absl::Status List(const v1::ListAuditEntriesRequest& request,
                    v1::ListAuditEntriesResponse* response) const;

  const ServiceDeps deps_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_AUDIT_SERVICE_H_
