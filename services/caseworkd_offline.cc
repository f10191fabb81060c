// caseworkd's offline modes (services/caseworkd_offline.h).
#include "services/caseworkd_offline.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "casework/v1/errors.pb.h"
#include "privacy/cipher.h"
#include "privacy/key_store.h"
#include "privacy/sealer.h"
#include "storage/backup.h"
#include "storage/event_store.h"
#include "storage/rebuild.h"
#include "storage/transfer.h"
#include "workflow/common/status.h"

// Defined with the server's flags (caseworkd.cc).
ABSL_DECLARE_FLAG(std::string, master_key_file);
ABSL_DECLARE_FLAG(std::string, key_store);
ABSL_DECLARE_FLAG(int64_t, min_free_disk_mb);
ABSL_DECLARE_FLAG(int, backup_keep);

ABSL_FLAG(std::string, backup, "",
          "Do not serve: back up the (stopped) data directory into this directory, keeping "
          "--backup_keep, then exit. A running server is backed up with casectl backup.");

ABSL_FLAG(std::string, restore_from, "",
          "Do not serve: restore a backup from this backup directory into --data_dir, which must "
          "not exist or be empty, verify it (as --verify), then exit.");

ABSL_FLAG(int, backup_id, 0, "With --restore_from: the backup to restore; 0: the latest.");

ABSL_FLAG(std::string, rotate_master_key, "",
          "Do not serve: rewrap every key in the key store with the master key in this file "
          "(the old one is --master_key_file), then exit. Start with the new file afterwards.");

ABSL_FLAG(bool, compact, false,
          "Do not serve: flush and compact every table of the data directory, so that deleted "
          "and overwritten values (an erased person's index entries) leave its files, then "
          "exit. RocksDB does the same over time by itself.");

ABSL_FLAG(bool, verify, false,
          "Do not serve: fold the whole log and compare stream indexes, states, read-model rows "
          "and timers with what is stored; print the differences; exit 0 if there are none, 1 "
          "otherwise. Run it on a stopped server's data directory.");

ABSL_FLAG(bool, rebuild, false,
          "Do not serve: recompute states, read-model rows and timers from the log and replace "
          "the stored ones, then exit. Run it on a stopped server's data directory.");

ABSL_FLAG(std::string, export_partnership, "",
          "Do not serve: write this partnership's streams, sequences, idempotency records and "
          "audit log from the (stopped) data directory to --transfer_file, sealed with "
          "--transfer_key_file, then exit (docs/scaling.md, \"Moving a partnership\").");
ABSL_FLAG(std::string, import_partnership, "",
          "Do not serve: add this partnership from --transfer_file (sealed with "
          "--transfer_key_file) to the (stopped) data directory at its next positions, rebuild "
          "it, check it against the file, print where its positions went, then exit.");
ABSL_FLAG(std::string, transfer_file, "",
          "With --export_partnership or --import_partnership: the export file (never "
          "overwritten; mode 0600).");
ABSL_FLAG(std::string, transfer_key_file, "",
          "With --export_partnership or --import_partnership: the key the export is sealed "
          "with, 64 hex digits, mode 0600 (like --master_key_file; both instances' operators "
          "hold it, and it is destroyed after the move).");

namespace casework::caseworkd {

// The exit code for a failed start, from the error's reason.
int ExitCodeOf(const absl::Status& status) {
  std::string reason;
  if (auto payload = status.GetPayload(casework::TypeUrlOf(casework::v1::ErrorInfo()))) {
    casework::v1::ErrorInfo info;
    if (info.ParseFromString(std::string(*payload))) reason = info.reason();
  }
  if (reason == "DISK_SPACE_LOW") return kExitNoSpace;
  if (absl::StartsWith(reason, "DATA_DIR_") || absl::StartsWith(reason, "KEY_STORE_") ||
      absl::StartsWith(reason, "MASTER_KEY_") || absl::StartsWith(reason, "SEALED_DATA_")) {
    return kExitDataDir;
  }
  if (absl::StartsWith(reason, "LISTEN_") || reason == "METRICS_LISTEN_FAILED") return kExitListen;
  if (status.code() == absl::StatusCode::kInvalidArgument) return kExitUsage;
  return kExitOther;
}

// One line on stderr for a failed start; returns its exit code.
int StartFailed(const absl::Status& status) {
  std::fprintf(stderr, "caseworkd: cannot start: %s\n", std::string(status.message()).c_str());
  return ExitCodeOf(status);
}

uint64_t Mebibytes(int64_t mb) { return mb <= 0 ? 0 : static_cast<uint64_t>(mb) << 20; }

std::string KeyStorePath(const std::string& data_dir) {
  const std::string given = absl::GetFlag(FLAGS_key_store);
  return given.empty() ? privacy::DefaultKeyStorePath(data_dir) : given;
}

namespace {

bool LoadLondon(absl::TimeZone* london) {
  if (absl::LoadTimeZone("Europe/London", london)) return true;
  std::fprintf(stderr, "caseworkd: cannot load time zone Europe/London: install tzdata\n");
  return false;
}

// The data directory, with its key store when --master_key_file is given.
absl::StatusOr<std::unique_ptr<storage::EventStore>> OpenStore(const std::string& data_dir) {
  storage::StoreOptions options;
  options.path = data_dir;
  options.min_free_bytes = Mebibytes(absl::GetFlag(FLAGS_min_free_disk_mb));
  if (!absl::GetFlag(FLAGS_master_key_file).empty()) {
    ASSIGN_OR_RETURN(options.sealer, privacy::OpenSealer(absl::GetFlag(FLAGS_master_key_file),
                                                         KeyStorePath(data_dir)));
  }
  return storage::EventStore::Open(options);
}

// --rotate_master_key: rewraps the key store's keys, offline.
int RotateMasterKey(const std::string& data_dir) {
  if (absl::GetFlag(FLAGS_master_key_file).empty()) {
    std::fprintf(stderr, "caseworkd: --rotate_master_key needs the current key's file "
                         "(--master_key_file)\n");
    return kExitUsage;
  }
  absl::StatusOr<privacy::MasterKey> old =
      privacy::LoadMasterKey(absl::GetFlag(FLAGS_master_key_file));
  if (!old.ok()) return StartFailed(old.status());
  absl::StatusOr<privacy::MasterKey> next =
      privacy::LoadMasterKey(absl::GetFlag(FLAGS_rotate_master_key));
  if (!next.ok()) return StartFailed(next.status());
  absl::StatusOr<std::unique_ptr<privacy::KeyStore>> keys =
      privacy::KeyStore::Open(KeyStorePath(data_dir), *old);
  if (!keys.ok()) return StartFailed(keys.status());
  absl::StatusOr<int64_t> rotated = (*keys)->Rotate(*next);
  if (!rotated.ok()) return StartFailed(rotated.status());
  std::printf("rotated %lld keys from master key %s to %s; start with the new key's file\n",
              static_cast<long long>(*rotated), old->id.c_str(), next->id.c_str());
  return 0;
}

// --verify, --rebuild, --compact, --backup and --restore_from: offline
// maintenance of a data directory.
int Maintain(const std::string& data_dir, bool rebuild) {
  if (const std::string from = absl::GetFlag(FLAGS_restore_from); !from.empty()) {
    absl::StatusOr<storage::BackupReport> restored = storage::RestoreBackup(
        from, static_cast<uint32_t>(std::max(0, absl::GetFlag(FLAGS_backup_id))), data_dir);
    if (!restored.ok()) return StartFailed(restored.status());
    std::printf("restored backup %u (up to position %llu) into %s in %s; verifying\n",
                restored->id, static_cast<unsigned long long>(restored->last_position),
                data_dir.c_str(), absl::FormatDuration(restored->took).c_str());
    // The key store: the live one is kept (it holds every erasure); when
    // there is none, the newest key backup comes back (it is newer than
    // every data backup beside it).
    const std::string keys_from =
        (std::filesystem::path(from) / storage::kKeyStoreBackupFolder).string();
    const std::string keys_to = KeyStorePath(data_dir);
    std::error_code error;
    if (std::filesystem::is_directory(keys_from, error)) {
      if (std::filesystem::exists(keys_to, error) && !std::filesystem::is_empty(keys_to, error)) {
        std::printf("keeping the key store at %s (newer than any backup of it)\n",
                    keys_to.c_str());
      } else {
        absl::StatusOr<uint32_t> keys = privacy::RestoreKeyStoreBackup(keys_from, keys_to);
        if (!keys.ok()) return StartFailed(keys.status());
        std::printf("restored key store backup %u into %s\n", *keys, keys_to.c_str());
      }
    }
  }
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = OpenStore(data_dir);
  if (!store.ok()) return StartFailed(store.status());
  absl::TimeZone london;
  if (!LoadLondon(&london)) return kExitOther;
  if (const std::string to = absl::GetFlag(FLAGS_backup); !to.empty()) {
    absl::StatusOr<storage::BackupReport> taken =
        (*store)->Backup(to, std::max(0, absl::GetFlag(FLAGS_backup_keep)));
    if (!taken.ok()) {
      std::fprintf(stderr, "caseworkd: backup failed: %s\n",
                   std::string(taken.status().ToString()).c_str());
      return 1;
    }
    std::printf("backup %u of %s in %s: %llu bytes, up to position %llu, in %s\n", taken->id,
                data_dir.c_str(), to.c_str(), static_cast<unsigned long long>(taken->bytes),
                static_cast<unsigned long long>(taken->last_position),
                absl::FormatDuration(taken->took).c_str());
    if (taken->key_store_backup_id > 0) {
      std::printf("key store backup %u in %s/%s\n", taken->key_store_backup_id, to.c_str(),
                  storage::kKeyStoreBackupFolder);
    }
    return 0;
  }
  if (absl::GetFlag(FLAGS_compact)) {
    absl::Status compacted = (*store)->CompactAll();
    if (!compacted.ok()) {
      std::fprintf(stderr, "caseworkd: compaction failed: %s\n",
                   std::string(compacted.ToString()).c_str());
      return 1;
    }
    std::printf("compacted %s\n", data_dir.c_str());
    return 0;
  }
  if (rebuild) {
    absl::Status rebuilt = storage::RebuildDerived(**store, london);
    if (!rebuilt.ok()) {
      std::fprintf(stderr, "caseworkd: rebuild failed: %s\n", std::string(rebuilt.ToString()).c_str());
      return 1;
    }
  }
  absl::StatusOr<int> format = storage::DerivedFormat(**store);
  if (!format.ok()) return StartFailed(format.status());
  if (*format < storage::kDerivedFormat) {
    // Derived by an older build: only the log is checked; the derived data
    // is rebuilt when the server next starts.
    absl::StatusOr<storage::Derived> derived =
        storage::ComputeDerived(**store, london);
    if (!derived.ok()) {
      std::fprintf(stderr, "caseworkd: verify failed: %s\n",
                   std::string(derived.status().ToString()).c_str());
      return 1;
    }
    std::printf("derived data is of format %d; this build derives format %d and rebuilds it "
                "when it next starts (or run --rebuild)\n",
                *format, storage::kDerivedFormat);
    std::printf("events=%llu streams=%zu problems=0\n",
                static_cast<unsigned long long>(derived->events), derived->streams.size());
    return 0;
  }
  absl::StatusOr<storage::VerifyReport> report =
      storage::VerifyStore(**store, london);
  if (!report.ok()) {
    std::fprintf(stderr, "caseworkd: verify failed: %s\n", std::string(report.status().ToString()).c_str());
    return 1;
  }
  for (const std::string& problem : report->problems) std::printf("%s\n", problem.c_str());
  std::printf("events=%llu streams=%llu rows=%llu timers=%llu problems=%zu\n",
              static_cast<unsigned long long>(report->events),
              static_cast<unsigned long long>(report->streams),
              static_cast<unsigned long long>(report->rows),
              static_cast<unsigned long long>(report->timers), report->problems.size());
  return report->problems.empty() ? 0 : 1;
}

// --export_partnership and --import_partnership.
int Transfer(const std::string& data_dir) {
  const std::string exported = absl::GetFlag(FLAGS_export_partnership);
  const std::string imported = absl::GetFlag(FLAGS_import_partnership);
  const std::string file = absl::GetFlag(FLAGS_transfer_file);
  if (!exported.empty() && !imported.empty()) {
    std::fprintf(stderr, "caseworkd: --export_partnership and --import_partnership: one at a "
                         "time\n");
    return kExitUsage;
  }
  if (file.empty() || absl::GetFlag(FLAGS_transfer_key_file).empty()) {
    std::fprintf(stderr, "caseworkd: moving a partnership needs --transfer_file and "
                         "--transfer_key_file\n");
    return kExitUsage;
  }
  absl::StatusOr<privacy::MasterKey> key =
      privacy::LoadMasterKey(absl::GetFlag(FLAGS_transfer_key_file));
  if (!key.ok()) {
    std::fprintf(stderr, "caseworkd: --transfer_key_file: %s\n",
                 std::string(key.status().message()).c_str());
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = OpenStore(data_dir);
  if (!store.ok()) return StartFailed(store.status());
  if (!exported.empty()) {
    absl::StatusOr<storage::TransferReport> report =
        storage::ExportPartnership(**store, exported, key->key, file);
    if (!report.ok()) {
      std::fprintf(stderr, "caseworkd: export failed: %s\n",
                   std::string(report.status().message()).c_str());
      return kExitOther;
    }
    absl::PrintF("exported partnership %s to %s: %d events of %d streams (positions %d to %d "
                 "of %d), %d sequences, %d request records, %d audit rows, in %s\n",
                 exported, file, report->events, report->streams, report->source_first_position,
                 report->source_last_position, report->source_head, report->sequences,
                 report->requests, report->rows, absl::FormatDuration(report->took));
    return 0;
  }
  absl::TimeZone london;
  if (!LoadLondon(&london)) return kExitOther;
  // The file names its partnership; the command line must name the same.
  absl::StatusOr<storage::TransferReport> report =
      storage::ImportPartnership(**store, imported, key->key, file, london);
  if (!report.ok()) {
    std::fprintf(stderr, "caseworkd: import failed: %s\n",
                 std::string(report.status().message()).c_str());
    return kExitOther;
  }
  absl::PrintF("imported partnership %s from %s: %d events of %d streams, %d sequences, %d "
               "request records (%d left: the same key was already used here), %d audit rows, "
               "in %s; verified against the file\n",
               imported, file, report->events, report->streams, report->sequences,
               report->requests, report->requests_conflicting, report->rows,
               absl::FormatDuration(report->took));
  absl::PrintF("positions %d to %d at the source are %d to %d here: a feed subscriber of %s "
               "resumes here after position %d\n",
               report->source_first_position, report->source_last_position,
               report->first_position, report->last_position, imported, report->last_position);
  return 0;
}

}  // namespace

bool OfflineModeRequested() {
  return !absl::GetFlag(FLAGS_rotate_master_key).empty() || absl::GetFlag(FLAGS_verify) ||
         absl::GetFlag(FLAGS_rebuild) || absl::GetFlag(FLAGS_compact) ||
         !absl::GetFlag(FLAGS_backup).empty() || !absl::GetFlag(FLAGS_restore_from).empty() ||
         !absl::GetFlag(FLAGS_export_partnership).empty() ||
         !absl::GetFlag(FLAGS_import_partnership).empty();
}

int RunOffline(const std::string& data_dir) {
  if (!absl::GetFlag(FLAGS_rotate_master_key).empty()) return RotateMasterKey(data_dir);
  if (!absl::GetFlag(FLAGS_export_partnership).empty() ||
      !absl::GetFlag(FLAGS_import_partnership).empty()) {
    return Transfer(data_dir);
  }
  return Maintain(data_dir, absl::GetFlag(FLAGS_rebuild));
}

}  // namespace casework::caseworkd
