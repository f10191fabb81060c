// What casework-bench measured, and how it prints it: the tables on stdout
// and the one-line `key=value` summary (casework_bench.cc measures).
#ifndef CASEWORK_BENCH_REPORT_H_
#define CASEWORK_BENCH_REPORT_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/child_process.h"
#include "bench/history_bench.h"
#include "bench/privacy_bench.h"
#include "bench/load.h"
#include "bench/feed_bench.h"
#include "bench/outbox_bench.h"
#include "bench/security_bench.h"
#include "bench/storage_bench.h"
#include "bench/threshold_bench.h"
#include "grpcpp/grpcpp.h"

namespace casework::bench {

// The design target at the highest in-flight level (README.md).
inline constexpr double kTargetRatioVsBatchedWrite = 0.7;
inline constexpr double kTargetP99Ms = 5.0;
// The other targets (README.md).
inline constexpr double kTargetP50AtOneMs = 0.5;
inline constexpr double kTargetGrowthRatio = 1.5;
inline constexpr double kTargetThresholdEvalMs = 1.0;
inline constexpr double kTargetCommunityEvalMs = 50.0;
inline constexpr double kTargetIntakeUs = 500.0;
inline constexpr double kTargetNotesDirMb = 300.0;
inline constexpr double kTargetReplyKb = 256.0;
inline constexpr double kTargetReplayEventsPerS = 1000000.0;
inline constexpr double kTargetRestartServingMs = 1000.0;
inline constexpr double kTargetRssMb = 256.0;
// The event feed: writers with a stalled subscriber at this share of their
// throughput without one at least, and caseworkd's peak RSS at most this
// much above.
inline constexpr double kTargetFeedRatio = 0.9;
inline constexpr double kTargetFeedRssGrowthMb = 32.0;
// caseworkd's report of writer holds at a clean stop (one line per method).
inline constexpr char kWriterHoldLine[] = "caseworkd: writer hold ";

struct Settings {
  std::string mode;
  std::vector<int> in_flight;
  absl::Duration duration;
  absl::Duration warmup;
  uint64_t replay_events = 0;
  uint64_t seed_complaints = 0;
  bool sync = true;
  bool seal = true;  // caseworkd seals personal data (--master_key_file)
  std::string target;
  std::string mix;  // --mix, "" for the default
};

// What the processes used during one measured window.
struct ProcessFigures {
  std::optional<double> peak_rss_mb;   // the server's; na for --target
  std::optional<double> server_cores;  // the server's CPU seconds per second
  std::optional<double> client_cores;  // casework-bench's own
  std::optional<double> other_cores;   // everything else on the machine
};

// One server measured at every level.
struct Server {
  std::string name;
  std::unique_ptr<ChildProcess> process;  // null for --target
  std::vector<std::shared_ptr<grpc::Channel>> channels;  // kConnections connections
  std::vector<Operation> mix;  // calls into workloads that live in MeasureLoad
  std::vector<LevelResult> levels;
  std::vector<ProcessFigures> figures;  // per level
};

struct StorageFigures {
  GeneratedLog log;
  ReplayResult replay;
  std::optional<RebuildResult> rebuild;
  std::optional<BackupResult> backup;
  std::optional<TransferResult> transfer;
  RestartResult restart;
};

// One line of caseworkd's writer-hold report.
struct MethodHold {
  std::string method;
  uint64_t commands = 0;
  double mean_us = 0;
  double max_us = 0;
};

// The writer-hold lines of caseworkd's stderr ("caseworkd: writer hold
// method=M commands=N mean_us=X max_us=Y"), longest hold first. Lines that
// do not parse are skipped.
std::vector<MethodHold> ParseWriterHolds(const std::vector<std::string>& lines);

struct Report {
  // One progress line on stderr, stamped with the seconds since `start`.
  template <typename... Args>
  void Progress(const absl::FormatSpec<Args...>& format, const Args&... args) const {
    absl::FPrintF(stderr, "casework-bench [%5.1fs] %s\n",
                  absl::ToDoubleSeconds(absl::Now() - start), absl::StrFormat(format, args...));
  }

  absl::Time start = absl::Now();
  Settings settings;
  std::string machine;
  std::vector<Server> servers;  // echo, batched-write, engine
  bool rss_per_level = true;    // false: peak RSS since the server started
  std::optional<StorageFigures> storage;
  std::optional<LedgerFigures> ledger;
  std::optional<GrowthFigures> growth;
  std::optional<NotesFigures> notes;
  std::optional<SecurityFigures> security;
  std::optional<FeedFigures> feed;
  std::optional<OutboxFigures> outbox;
  std::optional<SealingFigures> sealing;
  // caseworkd's writer holds; unset if it was not stopped by the bench
  // (--target) or printed none (an older caseworkd).
  std::optional<std::vector<MethodHold>> holds;
  std::map<std::string, uint64_t> fallbacks;
  uint64_t reviews_received = 0, reviews_finished = 0, complaints_sent = 0;
  std::vector<std::string> failures;

  const Server& echo() const { return servers[0]; }
  const Server& batched_write() const { return servers[1]; }
  const Server& engine() const { return servers[2]; }
  uint64_t errors() const {
    uint64_t n = 0;
    for (const Server& s : servers) {
      for (const LevelResult& l : s.levels) n += l.errors;
    }
    return n;
  }
};

// Prints the tables, the targets and the summary line on stdout.
void PrintReport(const Report& report);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_REPORT_H_
