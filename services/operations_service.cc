#include "services/operations_service.h"

#include "services/call_context.h"
#include "services/command_runner.h"
#include "services/grpc_status.h"
#include "storage/backup.h"
#include "workflow/common/status.h"

namespace casework::services {
namespace {

void ToProto(const storage::BackupReport& report, v1::Backup* out) {
  out->set_id(report.id);
  out->mutable_create_time()->set_seconds(absl::ToUnixSeconds(report.created));
  out->set_bytes(report.bytes);
  out->set_files(report.files);
  out->set_last_position(report.last_position);
  out->set_key_store_backup_id(report.key_store_backup_id);
  if (report.took > absl::ZeroDuration()) {
    const int64_t nanos = absl::ToInt64Nanoseconds(report.took);
    out->mutable_took()->set_seconds(nanos / 1000000000);
    out->mutable_took()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  }
}

absl::Status NotConfigured() {
  return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "BACKUPS_NOT_CONFIGURED",
                         "this server has no backup directory: start caseworkd with "
                         "--backup_dir (and --backup_keep)");
}

}  // namespace

OperationsService::~OperationsService() {
  std::thread worker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    worker = std::move(worker_);
  }
  if (worker.joinable()) worker.join();
}

grpc::ServerUnaryReactor* OperationsService::CreateBackup(grpc::CallbackServerContext* context,
                                                          const v1::CreateBackupRequest*,
                                                          v1::Backup* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  if (deps_.backup_dir.empty()) return FinishNow(context, NotConfigured());
  std::lock_guard<std::mutex> lock(mu_);
  if (busy_) {
    return FinishNow(context, ErrorWithReason(absl::StatusCode::kAborted, "BACKUP_IN_PROGRESS",
                                              "a backup is being taken; retry once it is done"));
  }
  busy_ = true;
  if (worker_.joinable()) worker_.join();  // the previous backup's, done
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  worker_ = std::thread([this, reactor, response] {
    absl::StatusOr<storage::BackupReport> report =
        deps_.store->Backup(deps_.backup_dir, deps_.backup_keep);
    if (report.ok()) {
      std::fprintf(stderr,
                   "caseworkd: backup %u taken: %llu bytes, up to position %llu, key store "
                   "backup %u, in %s\n",
                   report->id, static_cast<unsigned long long>(report->bytes),
                   static_cast<unsigned long long>(report->last_position),
                   report->key_store_backup_id, absl::FormatDuration(report->took).c_str());
      ToProto(*report, response);
    }
    {
      std::lock_guard<std::mutex> done(mu_);
      busy_ = false;
    }
    reactor->Finish(ToGrpcStatus(report.status()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* OperationsService::ListBackups(grpc::CallbackServerContext* context,
                                                         const v1::ListBackupsRequest*,
                                                         v1::ListBackupsResponse* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  if (deps_.backup_dir.empty()) return FinishNow(context, NotConfigured());
  absl::StatusOr<std::vector<storage::BackupReport>> reports =
      storage::ListBackups(deps_.backup_dir);
  if (!reports.ok() && reports.status().code() != absl::StatusCode::kNotFound) {
    return FinishNow(context, reports.status());
  }
  if (reports.ok()) {
    for (const storage::BackupReport& r : *reports) ToProto(r, response->add_backups());
  }
  return FinishNow(context, absl::OkStatus());
}

}  // namespace casework::services
