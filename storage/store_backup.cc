// EventStore::Backup and the backup directory's other operations
// (storage/backup.h).
#include <chrono>
#include <filesystem>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"
#include "storage/backup.h"
#include "storage/store_internal.h"
#include "workflow/common/status.h"

namespace casework::storage {

namespace {

constexpr char kMetadataPrefix[] = "casework last_position=";

BackupReport ReportOf(const rocksdb::BackupInfo& info) {
  BackupReport r;
  r.id = info.backup_id;
  r.created = absl::FromUnixSeconds(info.timestamp);
  r.bytes = info.size;
  r.files = info.number_files;
  absl::string_view metadata = info.app_metadata;
  if (absl::ConsumePrefix(&metadata, kMetadataPrefix)) {
    (void)absl::SimpleAtoi(metadata, &r.last_position);
  }
  return r;
}

absl::Status BackupError(const rocksdb::Status& s, absl::string_view what, absl::string_view dir) {
  return ErrorWithReason(s.IsCorruption() ? absl::StatusCode::kDataLoss
                                          : absl::StatusCode::kUnavailable,
                         "BACKUP_FAILED", absl::StrCat(what, " ", dir, ": ", s.ToString()));
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReadOnly(
    const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    return ErrorWithReason(absl::StatusCode::kNotFound, "NO_BACKUP",
                           absl::StrCat("no backups in ", dir, ": it is not a directory"));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(rocksdb::BackupEngineOptions(dir),
                                                            rocksdb::Env::Default(), &raw);
  if (!s.ok()) return BackupError(s, "cannot read the backups in", dir);
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

// The backup `id` (0: the latest) of `engine`.
absl::StatusOr<rocksdb::BackupInfo> Find(rocksdb::BackupEngineReadOnly& engine, uint32_t id,
                                         const std::string& dir) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  if (infos.empty()) {
    return ErrorWithReason(absl::StatusCode::kNotFound, "NO_BACKUP",
                           absl::StrCat("no backups in ", dir));
  }
  if (id == 0) return infos.back();
  for (const rocksdb::BackupInfo& info : infos) {
    if (info.backup_id == id) return info;
  }
  return ErrorWithReason(absl::StatusCode::kNotFound, "NO_BACKUP",
                         absl::StrCat("no backup ", id, " in ", dir, " (the latest is ",
                                      infos.back().backup_id, ")"));
}

}  // namespace

absl::StatusOr<BackupReport> EventStore::Backup(const std::string& dir, int keep) {
  absl::MutexLock serial(&backup_mu_);
  const auto started = std::chrono::steady_clock::now();
  std::error_code made;
  std::filesystem::create_directories(dir, made);
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::IOStatus s =
      rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(dir), rocksdb::Env::Default(), &raw);
  if (!s.ok()) return BackupError(s, "cannot open the backup directory", dir);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::BackupID id = 0;
  {
    absl::ReaderMutexLock lock(&db_mu_);
    if (h_ == nullptr || h_->db == nullptr) {
      return ErrorWithReason(absl::StatusCode::kUnavailable, "BACKUP_FAILED",
                             "the data directory is not open");
    }
    // The write-ahead log is copied, not flushed into tables first: the
    // column families then restore to one point, with every synced write.
    rocksdb::CreateBackupOptions options;
    options.flush_before_backup = false;
    const std::string metadata = absl::StrCat(kMetadataPrefix, LastPosition());
    s = engine->CreateNewBackupWithMetadata(options, h_->db, metadata, &id);
  }
  if (!s.ok()) return BackupError(s, "cannot back up to", dir);
  if (keep > 0) {
    s = engine->PurgeOldBackups(static_cast<uint32_t>(keep));
    if (!s.ok()) return BackupError(s, "cannot delete old backups in", dir);
  }
  rocksdb::BackupInfo info;
  if (rocksdb::Status got = engine->GetBackupInfo(id, &info); !got.ok()) {
    return BackupError(got, "cannot read the new backup in", dir);
  }
  BackupReport report = ReportOf(info);
  // The keys the data backup needs: all were persisted before the commands
  // that sealed with them, so a key backup taken after it holds them all.
  if (privacy::Sealer* sealer = this->sealer()) {
    ASSIGN_OR_RETURN(report.key_store_backup_id,
                     sealer->keys().Backup(
                         (std::filesystem::path(dir) / kKeyStoreBackupFolder).string(), keep));
  }
  report.took = absl::FromChrono(std::chrono::steady_clock::now() - started);
  return report;
}

absl::StatusOr<std::vector<BackupReport>> ListBackups(const std::string& dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine, OpenReadOnly(dir));
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  if (infos.empty()) {
    return ErrorWithReason(absl::StatusCode::kNotFound, "NO_BACKUP",
                           absl::StrCat("no backups in ", dir));
  }
  std::vector<BackupReport> reports;
  for (const rocksdb::BackupInfo& info : infos) reports.push_back(ReportOf(info));
  return reports;
}

absl::Status VerifyBackup(const std::string& dir, uint32_t id) {
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine, OpenReadOnly(dir));
  ASSIGN_OR_RETURN(rocksdb::BackupInfo info, Find(*engine, id, dir));
  rocksdb::IOStatus s = engine->VerifyBackup(info.backup_id, /*verify_with_checksum=*/true);
  if (!s.ok()) {
    return ErrorWithReason(absl::StatusCode::kDataLoss, "BACKUP_DAMAGED",
                           absl::StrCat("backup ", info.backup_id, " in ", dir,
                                        " is damaged: ", s.ToString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<BackupReport> RestoreBackup(const std::string& dir, uint32_t id,
                                           const std::string& data_dir) {
  std::error_code error;
  if (std::filesystem::exists(data_dir, error) &&
      !std::filesystem::is_empty(data_dir, error)) {
    return ErrorWithReason(absl::StatusCode::kFailedPrecondition, "RESTORE_TARGET_NOT_EMPTY",
                           absl::StrCat("refusing to restore into ", data_dir,
                                        ": it is not empty (a restore never overwrites data; "
                                        "restore into a new directory)"));
  }
  const auto started = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine, OpenReadOnly(dir));
  ASSIGN_OR_RETURN(rocksdb::BackupInfo info, Find(*engine, id, dir));
  rocksdb::IOStatus s = engine->RestoreDBFromBackup(info.backup_id, data_dir, data_dir);
  if (!s.ok()) return BackupError(s, "cannot restore from", dir);
  BackupReport report = ReportOf(info);
  report.took = absl::FromChrono(std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace casework::storage
