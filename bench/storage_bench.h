// casework-bench's data-directory figures: generating a large event log,
// folding the read models from it (replay), rebuilding them (replay plus the
// writes) and restarting caseworkd on it.
#ifndef CASEWORK_BENCH_STORAGE_BENCH_H_
#define CASEWORK_BENCH_STORAGE_BENCH_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "storage/engine.h"

namespace casework::bench {

struct GeneratedLog {
  uint64_t events = 0;
  uint64_t actions = 0;
  double seconds = 0;
  storage::EngineStats stats;
  // An action that exists, for the first GetAction after a restart.
  std::string sample_action;
};

// Fills the fresh data directory `dir` with at least `min_events` events
// through an in-process storage::Engine with the WAL not synced, thousands of
// commands queued at once: per action, CreateAction, RecordProgress twice,
// ChangeDueDate, RecordProgress (whatever events the workflow makes of them),
// across four partnerships.
absl::StatusOr<GeneratedLog> GenerateLog(const std::string& dir, uint64_t min_events);

struct ReplayResult {
  uint64_t events = 0;
  uint64_t streams = 0;
  uint64_t rows = 0;
  double open_ms = 0;  // opening the data directory
  double seconds = 0;  // storage::ComputeDerived alone
  double events_per_s = 0;
};

// Opens `dir` and times storage::ComputeDerived, the fold of the whole log
// into every stream's state and every read-model row.
absl::StatusOr<ReplayResult> MeasureReplay(const std::string& dir);

struct RebuildResult {
  uint64_t events = 0;
  double seconds = 0;  // storage::RebuildDerived: the fold, then every derived record written
  double events_per_s = 0;
};

// Opens `dir`, deletes its read-model rows (untimed) and times
// storage::RebuildDerived (what `caseworkd --rebuild` and an upgrade of the
// derived format run), which then writes every row, state record and timer.
absl::StatusOr<RebuildResult> MeasureRebuild(const std::string& dir);

struct BackupResult {
  double mb = 0;                // the backup's files
  double backup_seconds = 0;    // EventStore::Backup into an empty directory
  double restore_seconds = 0;   // storage::RestoreBackup into an empty directory
  double backup_s_per_gb = 0;
  double restore_s_per_gb = 0;
};

// Backs `dir` up into `backups` (what OperationsService.CreateBackup runs)
// and restores it into `restored`, timing both.
absl::StatusOr<BackupResult> MeasureBackup(const std::string& dir, const std::string& backups,
                                           const std::string& restored);

struct TransferResult {
  uint64_t events = 0;          // the partnership's
  double file_mb = 0;           // the export file
  double export_seconds = 0;    // storage::ExportPartnership (a scan of the whole log)
  double import_seconds = 0;    // storage::ImportPartnership into an empty directory:
                                // the write, the rebuild and the check against the file
  double import_events_per_s = 0;
};

// Exports `partnership` of `dir` and imports it into `target` (empty),
// timing both (what moving a partnership between instances runs).
absl::StatusOr<TransferResult> MeasureTransfer(const std::string& dir,
                                               const std::string& partnership,
                                               const std::string& file,
                                               const std::string& target);

struct RestartResult {
  double serving_ms = 0;    // spawn -> "serving on" line
  double first_get_ms = 0;  // spawn -> first successful GetAction
};

// Starts `caseworkd` on `dir` (listening on 127.0.0.1, port 0), reads
// `action` with GetAction, then stops it with SIGTERM.
absl::StatusOr<RestartResult> MeasureRestart(const std::string& caseworkd, const std::string& dir,
                                             const std::string& action, bool sync);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_STORAGE_BENCH_H_
