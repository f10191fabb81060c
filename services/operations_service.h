// casework.v1.OperationsService: online backups of this process's data
// directory (storage/backup.h, docs/operations.md).
#ifndef CASEWORK_SERVICES_OPERATIONS_SERVICE_H_
#define CASEWORK_SERVICES_OPERATIONS_SERVICE_H_

#include "casework/v1/operations.grpc.pb.h"
#include "services/service_deps.h"

namespace casework::services {

class OperationsService final : public v1::OperationsService::CallbackService {
 public:
  explicit OperationsService(const ServiceDeps& deps) : deps_(deps) {}

  // Runs the backup in the call's handler: it holds one gRPC callback
  // thread (never the engine's writer) for as long as the copy takes. An
  // admin's call, one at a time.
  grpc::ServerUnaryReactor* CreateBackup(grpc::CallbackServerContext* context,
                                         const v1::CreateBackupRequest* request,
                                         v1::Backup* response) override;
  grpc::ServerUnaryReactor* ListBackups(grpc::CallbackServerContext* context,
                                        const v1::ListBackupsRequest* request,
                                        v1::ListBackupsResponse* response) override;

 private:
  const ServiceDeps deps_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_OPERATIONS_SERVICE_H_
