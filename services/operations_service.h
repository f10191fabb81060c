// casework.v1.OperationsService: online backups of this process's data
// directory (storage/backup.h, docs/operations.md).
#ifndef CASEWORK_SERVICES_OPERATIONS_SERVICE_H_
#define CASEWORK_SERVICES_OPERATIONS_SERVICE_H_

#include <mutex>
#include <thread>

#include "casework/v1/operations.grpc.pb.h"
#include "services/service_deps.h"

namespace casework::services {

class OperationsService final : public v1::OperationsService::CallbackService {
 public:
  explicit OperationsService(const ServiceDeps& deps) : deps_(deps) {}
  // Waits for a backup being taken to end.
  ~OperationsService();

  // Takes the backup on a thread of its own (never a gRPC callback thread
  // or the engine's writer), answering when it is done. An admin's call,
  // one at a time: another while a backup is being taken gets ABORTED
  // (BACKUP_IN_PROGRESS).
  grpc::ServerUnaryReactor* CreateBackup(grpc::CallbackServerContext* context,
                                         const v1::CreateBackupRequest* request,
                                         v1::Backup* response) override;
  grpc::ServerUnaryReactor* ListBackups(grpc::CallbackServerContext* context,
                                        const v1::ListBackupsRequest* request,
                                        v1::ListBackupsResponse* response) override;

 private:
  const ServiceDeps deps_;
  std::mutex mu_;
  bool busy_ = false;    // a backup is being taken
  std::thread worker_;   // the last backup's thread
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_OPERATIONS_SERVICE_H_
