// Online backups of a data directory and restoring them (RocksDB's
// BackupEngine; docs/operations.md, "Backup and restore").
//
// A backup is taken while commands keep flowing: RocksDB stops deleting
// files, copies the live table files and the write-ahead log (so every
// command acknowledged before the backup began is in it, and the column
// families agree), then lets compaction go on. Backups in one directory
// share their table files, so the second and later copy only what changed;
// the oldest beyond the number kept are deleted. Each backup records the
// log's last position in its metadata.
//
// When the store seals personal data, the key store is backed up right
// after the data directory, into the backup directory's "keys" folder (its
// own chain, kept alike): it then holds every key the data backup needs.
// Restore the data from any backup and the key store from the newest key
// backup, or keep the live key store: either holds every erasure made before
// it was taken, and a restored data directory started with it re-applies
// every erasure made since (docs/data-protection.md).
#ifndef CASEWORK_STORAGE_BACKUP_H_
#define CASEWORK_STORAGE_BACKUP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace casework::storage {

struct BackupReport {
  uint32_t id = 0;
  absl::Time created;
  uint64_t bytes = 0;          // the backup's files (some shared with others)
  uint32_t files = 0;
  // The log's last position when the backup began: it holds every event
  // up to it, and those committed while it was copied.
  uint64_t last_position = 0;
  absl::Duration took;         // taking it (Backup) or restoring it (Restore)
  // The key store's backup taken with it, in the "keys" folder (Backup
  // only); 0 when the store seals nothing.
  uint32_t key_store_backup_id = 0;
};

// The folder of a backup directory that holds the key store's backups.
inline constexpr char kKeyStoreBackupFolder[] = "keys";

// The backups in `dir`, oldest first. NOT_FOUND if `dir` holds none.
absl::StatusOr<std::vector<BackupReport>> ListBackups(const std::string& dir);

// Checks backup `id` of `dir` (0: the latest): every file is there with the
// size and checksum recorded. DATA_LOSS naming the problem otherwise.
absl::Status VerifyBackup(const std::string& dir, uint32_t id);

// Restores backup `id` of `dir` (0: the latest) into `data_dir`, which must
// not exist or be empty (FAILED_PRECONDITION, reason RESTORE_TARGET_NOT_EMPTY,
// otherwise: a restore never overwrites data).
absl::StatusOr<BackupReport> RestoreBackup(const std::string& dir, uint32_t id,
                                           const std::string& data_dir);

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_BACKUP_H_
