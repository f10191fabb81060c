// casework-bench: measures caseworkd against two baselines on the same
// machine, in the same run, with the same closed-loop gRPC load generator.
//
//   echo            bench-echo-server: a bare gRPC callback server
//   batched-write   bench-batched-write-server: Echo behind a group commit of
//                   synced RocksDB writes (the engine's I/O pattern, no work)
//   engine          caseworkd with the operation mix of workloads.cc
//
// At every in-flight level it reports throughput, latency percentiles and
// the servers' peak RSS, and the engine's throughput as a ratio of each
// baseline (ratios survive noisy shared machines better than absolute
// figures). Then it generates a large event log and times the read-model
// replay (storage::ComputeDerived) and a caseworkd restart on it.
//
// Output: tables on stdout, then one `key=value ...` summary as the last
// line. Exit status 1 if any call failed or anything could not be measured.
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/threshold_bench.h"
#include "bench/child_process.h"
#include "bench/load.h"
#include "bench/storage_bench.h"
#include "bench/workloads.h"
#include "services/call_context.h"

ABSL_FLAG(std::string, mode, "quick",
          "quick: 5 s per level, 1 s warm-up, 200,000 replay events (under 2 minutes); "
          "full: 20 s per level, 3 s warm-up, 1,000,000 replay events.");
ABSL_FLAG(std::string, in_flight, "1,8,64",
          "Comma-separated numbers of calls kept in flight; the last one is the headline.");
ABSL_FLAG(double, duration, 0, "Seconds measured per server and level; 0: the mode's.");
ABSL_FLAG(double, warmup, -1, "Seconds of warm-up before each measurement; < 0: the mode's.");
ABSL_FLAG(std::string, target, "",
          "HOST:PORT of a running caseworkd (loopback only) to measure instead of starting "
          "one; its peak RSS is then not reported. Baselines still run as children.");
ABSL_FLAG(bool, sync, true,
          "Sync the WAL in caseworkd and the batched-write baseline. --nosync measures both "
          "acknowledging from the page cache.");
ABSL_FLAG(std::string, mix, "",
          "Weights replacing the engine's operation mix, e.g. CreateAction=1,GetAction=1 "
          "(operations not named are left out). Default: the mix of workloads.cc.");
ABSL_FLAG(uint64_t, replay_events, 0,
          "Events generated for the replay and restart figures; 0: the mode's.");
ABSL_FLAG(bool, storage, true, "Measure replay and restart (--nostorage skips them).");
ABSL_FLAG(bool, server_request_log, false,
          "Run caseworkd with its one-line-per-call stderr log (off by default: the "
          "baselines log nothing).");
ABSL_FLAG(std::string, tmp_dir, "",
          "Parent of the temporary data directories; default $TMPDIR, else /tmp. Put it on "
          "the disk to be measured: fsync is free on tmpfs.");
ABSL_FLAG(std::string, caseworkd, CASEWORKD_PATH, "The caseworkd binary.");
ABSL_FLAG(std::string, echo_server, ECHO_SERVER_PATH, "The bench-echo-server binary.");
ABSL_FLAG(std::string, batched_write_server, BATCHED_WRITE_SERVER_PATH,
          "The bench-batched-write-server binary.");

namespace casework::bench {
namespace {

// Actions created before the first level, for the rest of the mix to use.
constexpr uint64_t kSeedActions = 1000;
// The design target at the highest in-flight level (README.md).
constexpr double kTargetRatioVsBatchedWrite = 0.7;
constexpr double kTargetP99Ms = 5.0;
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kStopGrace = absl::Seconds(30);

struct Settings {
  std::string mode;
  std::vector<int> in_flight;
  absl::Duration duration;
  absl::Duration warmup;
  uint64_t replay_events = 0;
  bool sync = true;
  std::string target;
};

absl::StatusOr<Settings> ReadSettings() {
  Settings s;
  s.mode = absl::GetFlag(FLAGS_mode);
  const bool full = s.mode == "full";
  if (!full && s.mode != "quick") {
    return absl::InvalidArgumentError(absl::StrCat("--mode must be quick or full, got ", s.mode));
  }
  for (absl::string_view part : absl::StrSplit(absl::GetFlag(FLAGS_in_flight), ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &n) || n < 1 || n > 4096) {
      return absl::InvalidArgumentError(
          absl::StrCat("--in_flight: \"", part, "\" is not a number between 1 and 4096"));
    }
    s.in_flight.push_back(n);
  }
  const double duration = absl::GetFlag(FLAGS_duration);
  const double warmup = absl::GetFlag(FLAGS_warmup);
  if (duration < 0 || duration > 3600 || warmup > 600) {
    return absl::InvalidArgumentError("--duration must be 0-3600 s and --warmup at most 600 s");
  }
  s.duration = absl::Seconds(duration > 0 ? duration : (full ? 20 : 5));
  s.warmup = absl::Seconds(warmup >= 0 ? warmup : (full ? 3 : 1));
  s.replay_events = absl::GetFlag(FLAGS_replay_events);
  if (s.replay_events == 0) s.replay_events = full ? 1000000 : 200000;
  s.sync = absl::GetFlag(FLAGS_sync);
  s.target = absl::GetFlag(FLAGS_target);
  if (!s.target.empty() && !services::IsLoopbackListen(s.target)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--target must be a loopback HOST:PORT, got ", s.target));
  }
  return s;
}

// A fresh directory, removed with its contents when the object dies.
class ScratchDir {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchDir>> Create() {
    std::string parent = absl::GetFlag(FLAGS_tmp_dir);
    if (parent.empty()) {
      const char* env = std::getenv("TMPDIR");
      parent = env != nullptr && *env != '\0' ? env : "/tmp";
    }
    std::string pattern = parent + "/casework-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::UnavailableError(absl::StrCat("cannot create a directory in ", parent));
    }
    return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string Sub(absl::string_view name) const { return absl::StrCat(path_, "/", name); }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  const std::string path_;
};

// "2 CPUs, <model>, 23.5 GiB RAM, kernel 6.1.0; data on ext4".
std::string DescribeMachine(const std::string& data_dir) {
  std::string cpu = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (absl::StartsWith(line, "model name")) {
      cpu = std::string(absl::StripAsciiWhitespace(line.substr(line.find(':') + 1)));
      break;
    }
  }
  double mem_gib = 0;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "MemTotal:")) {
      rest = absl::StripAsciiWhitespace(rest);
      absl::ConsumeSuffix(&rest, " kB");
      double kib = 0;
      if (absl::SimpleAtod(rest, &kib)) mem_gib = kib / (1024.0 * 1024.0);
    }
  }
  utsname uts{};
  uname(&uts);
  struct Filesystem {
    unsigned long magic;  // statfs f_type
    const char* name;
  };
  static constexpr Filesystem kFilesystems[] = {
      {0xEF53, "ext4"},
      {0x58465342, "xfs"},
      {0x9123683E, "btrfs"},
      {0x794C7630, "overlayfs"},
      {0x01021994, "tmpfs (fsync is free: not representative)"},
  };
  std::string fs = "an unknown filesystem";
  struct statfs st {};
  if (statfs(data_dir.c_str(), &st) == 0) {
    fs = absl::StrFormat("filesystem 0x%x", static_cast<unsigned long>(st.f_type));
    for (const Filesystem& f : kFilesystems) {
      if (f.magic == static_cast<unsigned long>(st.f_type)) fs = f.name;
    }
  }
  return absl::StrFormat("%d CPUs, %s, %.1f GiB RAM, kernel %s; data on %s",
                         static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)), cpu, mem_gib, uts.release,
                         fs);
}

// What the processes used during one measured window.
struct ProcessFigures {
  std::optional<double> peak_rss_mb;   // the server's; na for --target
  std::optional<double> server_cores;  // the server's CPU seconds per second
  std::optional<double> client_cores;  // casework-bench's own
  std::optional<double> other_cores;   // everything else on the machine
};

// CPU seconds per second of a CPU-time counter between Start() and Cores().
class CpuMeter {
 public:
  explicit CpuMeter(std::function<absl::StatusOr<double>()> read) : read_(std::move(read)) {}
  void Start() {
    start_cpu_ = read_();
    start_ = absl::Now();
  }
  std::optional<double> Cores() const {
    absl::StatusOr<double> now = read_();
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    if (!now.ok() || !start_cpu_.ok() || seconds <= 0) return std::nullopt;
    return (*now - *start_cpu_) / seconds;
  }

 private:
  const std::function<absl::StatusOr<double>()> read_;
  absl::StatusOr<double> start_cpu_ = absl::UnavailableError("not started");
  absl::Time start_;
};

// One server measured at every level.
struct Server {
  std::string name;
  std::unique_ptr<ChildProcess> process;  // null for --target
  std::shared_ptr<grpc::Channel> channel;
  std::vector<Operation> mix;  // calls into workloads that live in MeasureLoad
  std::vector<LevelResult> levels;
  std::vector<ProcessFigures> figures;  // per level
};

absl::Status Connect(Server& server, const std::string& address) {
  server.channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  if (!server.channel->WaitForConnected(std::chrono::system_clock::now() +
                                        std::chrono::seconds(10))) {
    return absl::UnavailableError(absl::StrCat("cannot connect to ", server.name, " at ", address));
  }
  return absl::OkStatus();
}

absl::Status StartChild(Server& server, std::vector<std::string> argv) {
  absl::StatusOr<ServerProcess> started = StartServer(std::move(argv), kStartTimeout);
  if (!started.ok()) return started.status();
  server.process = std::move(started->process);
  return Connect(server, started->address);
}

struct StorageFigures {
  GeneratedLog log;
  ReplayResult replay;
  RestartResult restart;
};

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
  std::optional<double> threshold_eval_ms;
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

// Threshold evaluation for one applicant with 10,000 complaints on record
// (bench/threshold_bench.h): the median of five EvaluateThreshold commands
// through an in-process engine, ledger scan and write included.
std::optional<double> MeasureThresholdEvaluation() {
  absl::StatusOr<ThresholdFigures> figures = MeasureThreshold(10000, 5);
  if (!figures.ok()) {
    absl::FPrintF(stderr, "threshold evaluation failed: %s\n", figures.status().ToString());
    return std::nullopt;
  }
  return figures->median_ms;
}

// Applies --mix ("Name=weight,...") to `mix`.
absl::Status OverrideWeights(const std::string& weights, std::vector<Operation>& mix) {
  if (weights.empty()) return absl::OkStatus();
  std::vector<Operation> chosen;
  for (absl::string_view item : absl::StrSplit(weights, ',')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    int weight = 0;
    auto op = std::find_if(mix.begin(), mix.end(),
                           [&](const Operation& o) { return o.name == kv.first; });
    if (op == mix.end() || !absl::SimpleAtoi(kv.second, &weight) || weight <= 0) {
      std::vector<std::string> names;
      for (const Operation& o : mix) names.push_back(o.name);
      return absl::InvalidArgumentError(absl::StrCat("--mix: \"", item,
                                                     "\" is not NAME=WEIGHT>0 with NAME one of ",
                                                     absl::StrJoin(names, ", ")));
    }
    chosen.push_back(*op);
    chosen.back().weight = weight;
  }
  mix = std::move(chosen);
  return absl::OkStatus();
}

absl::Status MeasureLoad(Report& report, const ScratchDir& scratch) {
  const Settings& settings = report.settings;
  const std::string sync_flag = settings.sync ? "--sync" : "--nosync";
  report.servers.resize(3);
  Server& echo = report.servers[0];
  Server& batched = report.servers[1];
  Server& engine = report.servers[2];
  echo.name = "echo";
  batched.name = "batched-write";
  engine.name = "engine";

  report.Progress("starting servers");
  if (absl::Status s = StartChild(echo, {absl::GetFlag(FLAGS_echo_server), "--listen=127.0.0.1:0"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          StartChild(batched, {absl::GetFlag(FLAGS_batched_write_server), "--listen=127.0.0.1:0",
                               absl::StrCat("--data_dir=", scratch.Sub("batched")), sync_flag});
      !s.ok()) {
    return s;
  }
  absl::Status engine_started =
      settings.target.empty()
          ? StartChild(engine, {absl::GetFlag(FLAGS_caseworkd), "--listen=127.0.0.1:0",
                                absl::StrCat("--data_dir=", scratch.Sub("engine")), sync_flag,
                                absl::GetFlag(FLAGS_server_request_log) ? "--request_log"
                                                                        : "--norequest_log"})
          : Connect(engine, settings.target);
  if (!engine_started.ok()) return engine_started;

  EngineWorkload engine_workload(engine.channel);
  const size_t payload_bytes = engine_workload.SampleCreateRequest().ByteSizeLong();
  EchoWorkload echo_workload(echo.channel, payload_bytes);
  EchoWorkload batched_workload(batched.channel, payload_bytes);
  echo.mix = echo_workload.Mix();
  batched.mix = batched_workload.Mix();
  engine.mix = engine_workload.Mix();
  if (absl::Status s = OverrideWeights(absl::GetFlag(FLAGS_mix), engine.mix); !s.ok()) return s;

  report.Progress("seeding %d actions", kSeedActions);
  LevelOptions seed;
  seed.in_flight = 32;
  seed.warmup = absl::ZeroDuration();
  seed.duration = absl::Minutes(2);
  seed.max_calls = kSeedActions;
  absl::StatusOr<LevelResult> seeded = RunLevel(engine_workload.SeedMix(), seed);
  if (!seeded.ok()) return seeded.status();
  if (seeded->errors > 0 || engine_workload.known_actions() < kSeedActions) {
    return absl::InternalError(absl::StrCat(
        "seeding failed: ", engine_workload.known_actions(), " of ", kSeedActions,
        " actions created; ", seeded->error_samples.empty() ? "" : seeded->error_samples.front()));
  }

  for (int in_flight : settings.in_flight) {
    for (Server& server : report.servers) {
      report.Progress("%s at %d in flight", server.name, in_flight);
      if (server.process != nullptr && !server.process->ResetPeakRss().ok()) {
        report.rss_per_level = false;
      }
      ProcessFigures figures;
      CpuMeter client_cpu([] { return ProcessCpuSeconds(0); });
      CpuMeter machine_cpu(MachineCpuSeconds);
      std::optional<CpuMeter> server_cpu;
      if (server.process != nullptr) {
        server_cpu.emplace([pid = server.process->pid()] { return ProcessCpuSeconds(pid); });
      }
      LevelOptions options;
      options.in_flight = in_flight;
      options.warmup = settings.warmup;
      options.duration = settings.duration;
      options.on_window = [&](bool opens) {
        if (opens) {
          client_cpu.Start();
          machine_cpu.Start();
          if (server_cpu) server_cpu->Start();
          return;
        }
        figures.client_cores = client_cpu.Cores();
        if (server_cpu) figures.server_cores = server_cpu->Cores();
        std::optional<double> machine = machine_cpu.Cores();
        if (machine && figures.client_cores) {
          figures.other_cores =
              std::max(0.0, *machine - *figures.client_cores - figures.server_cores.value_or(0.0));
        }
      };
      absl::StatusOr<LevelResult> level = RunLevel(server.mix, options);
      if (!level.ok()) return level.status();
      if (server.process != nullptr) {
        absl::StatusOr<double> mb = server.process->PeakRssMb();
        if (mb.ok()) figures.peak_rss_mb = *mb;
      }
      server.levels.push_back(*std::move(level));
      server.figures.push_back(figures);
      if (server.process != nullptr && server.process->Exited()) {
        return absl::UnavailableError(
            absl::StrCat(server.name, " exited during the level at ", in_flight, " in flight"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status MeasureStorage(Report& report, const ScratchDir& scratch) {
  StorageFigures figures;
  const std::string dir = scratch.Sub("replay");
  report.Progress("generating %d events", report.settings.replay_events);
  absl::StatusOr<GeneratedLog> log = GenerateLog(dir, report.settings.replay_events);
  if (!log.ok()) return log.status();
  figures.log = *log;
  // Restart first: like caseworkd after a clean stop, the data directory
  // still has its unflushed write-ahead log to recover.
  report.Progress("restarting caseworkd on %d events", log->events);
  absl::StatusOr<RestartResult> restart =
      MeasureRestart(absl::GetFlag(FLAGS_caseworkd), dir, log->sample_action, report.settings.sync);
  if (!restart.ok()) return restart.status();
  figures.restart = *restart;
  report.Progress("replaying %d events", log->events);
  absl::StatusOr<ReplayResult> replay = MeasureReplay(dir);
  if (!replay.ok()) return replay.status();
  figures.replay = *replay;
  report.storage = figures;
  return absl::OkStatus();
}

std::string Fixed(double v, int decimals) { return absl::StrFormat("%.*f", decimals, v); }
std::string OrNa(const std::optional<double>& v, int decimals) {
  return v.has_value() ? Fixed(*v, decimals) : "na";
}
double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

void PrintReport(const Report& report) {
  const Settings& s = report.settings;
  absl::PrintF(
      "casework-bench mode=%s sync=%s duration=%s warmup=%s in_flight=%s%s%s\n", s.mode,
      s.sync ? "on" : "off", absl::FormatDuration(s.duration), absl::FormatDuration(s.warmup),
      absl::StrJoin(s.in_flight, ","), s.target.empty() ? "" : absl::StrCat(" target=", s.target),
      absl::GetFlag(FLAGS_mix).empty() ? "" : absl::StrCat(" mix=", absl::GetFlag(FLAGS_mix)));
  absl::PrintF("machine: %s\n\n", report.machine);

  // Levels measured on all three servers (fewer than asked if one failed).
  size_t complete = report.servers.size() == 3 ? s.in_flight.size() : 0;
  for (const Server& server : report.servers) complete = std::min(complete, server.levels.size());
  const bool loaded = complete == s.in_flight.size() && complete > 0;
  if (!report.servers.empty()) {
    absl::PrintF("Closed-loop load: same client and levels for every server (latency in ms)\n");
    absl::PrintF("%-14s %9s %9s %7s %7s %7s %7s %6s %8s %8s %9s %8s %9s\n", "server", "in_flight",
                 "ops/s", "p50", "p90", "p99", "p99.9", "errors",
                 report.rss_per_level ? "peak_rss" : "rss_hwm", "srv_cpu", "srv_us/op", "cli_cpu",
                 "other_cpu");
    for (size_t i = 0; i < s.in_flight.size(); ++i) {
      for (const Server& server : report.servers) {
        if (i >= server.levels.size()) continue;
        const LevelResult& l = server.levels[i];
        const ProcessFigures& f = server.figures[i];
        std::optional<double> us_per_op;
        if (f.server_cores && l.calls_per_s > 0) us_per_op = *f.server_cores / l.calls_per_s * 1e6;
        absl::PrintF("%-14s %9d %9.0f %7.2f %7.2f %7.2f %7.2f %6d %8s %8s %9s %8s %9s\n",
                     server.name, l.in_flight, l.calls_per_s, l.latency.p50_ms, l.latency.p90_ms,
                     l.latency.p99_ms, l.latency.p999_ms, l.errors, OrNa(f.peak_rss_mb, 1),
                     OrNa(f.server_cores, 2), OrNa(us_per_op, 0), OrNa(f.client_cores, 2),
                     OrNa(f.other_cores, 2));
      }
    }
    absl::PrintF(
        "(peak_rss in MB; srv_cpu, cli_cpu, other_cpu: CPU seconds per second used by the "
        "server,\n this client and every other process of the machine; srv_us/op: server CPU "
        "microseconds per call)\n");
    for (const Server& server : report.servers) {
      for (const LevelResult& l : server.levels) {
        for (const std::string& e : l.error_samples) {
          absl::PrintF("error: %s at %d in flight: %s\n", server.name, l.in_flight, e);
        }
      }
    }
  }
  if (complete > 0) {
    absl::PrintF("\nEngine throughput as a ratio of each baseline at the same level\n");
    absl::PrintF("%9s %9s %17s\n", "in_flight", "vs_echo", "vs_batched_write");
    for (size_t i = 0; i < complete; ++i) {
      const double engine = report.engine().levels[i].calls_per_s;
      absl::PrintF("%9d %9.3f %17.3f\n", s.in_flight[i],
                   Ratio(engine, report.echo().levels[i].calls_per_s),
                   Ratio(engine, report.batched_write().levels[i].calls_per_s));
    }
    const LevelResult& top = report.engine().levels[complete - 1];
    absl::PrintF("\nEngine operations at %d in flight (latency in ms)\n", top.in_flight);
    absl::PrintF("%-16s %6s %9s %8s %8s %8s %7s\n", "operation", "weight", "ops/s", "p50", "p99",
                 "max", "errors");
    for (const OperationResult& op : top.operations) {
      absl::PrintF("%-16s %6d %9.0f %8.2f %8.2f %8.2f %7d\n", op.name, op.weight,
                   top.seconds > 0 ? static_cast<double>(op.ok_calls) / top.seconds : 0,
                   op.latency.p50_ms, op.latency.p99_ms, op.latency.max_ms, op.errors);
    }
  }

  if (report.storage.has_value()) {
    const StorageFigures& f = *report.storage;
    absl::PrintF("\nData directory: %d events in %d streams\n", f.replay.events, f.replay.streams);
    absl::PrintF(
        "generate  %.1f s, %.0f events/s (in-process engine, WAL not synced; %d commands in %d "
        "groups, %.1f per group)\n",
        f.log.seconds, Ratio(static_cast<double>(f.log.events), f.log.seconds),
        f.log.stats.commands, f.log.stats.groups,
        Ratio(static_cast<double>(f.log.stats.commands), static_cast<double>(f.log.stats.groups)));
    absl::PrintF(
        "replay    ComputeDerived %.2f s = %.0f events/s (%d read-model rows; open %.0f ms)\n",
        f.replay.seconds, f.replay.events_per_s, f.replay.rows, f.replay.open_ms);
    absl::PrintF("restart   caseworkd serving after %.0f ms, first GetAction after %.0f ms\n",
                 f.restart.serving_ms, f.restart.first_get_ms);
  }
  absl::PrintF("threshold evaluation, one applicant with 10,000 complaints: %s\n",
               report.threshold_eval_ms.has_value()
                   ? absl::StrCat(Fixed(*report.threshold_eval_ms, 1), " ms")
                   : "na (failed)");
  for (const std::string& failure : report.failures) absl::PrintF("FAILED: %s\n", failure);

  // The summary, always the last line, always with every key ("na" when a
  // figure could not be measured).
  std::optional<double> engine, p50, p99, p999, echo, batched, ratio_echo, ratio_batched, rss;
  std::string in_flight = absl::StrCat(s.in_flight.back()), target_met = "na";
  if (loaded) {
    const LevelResult& e = report.engine().levels.back();
    engine = e.calls_per_s;
    p50 = e.latency.p50_ms;
    p99 = e.latency.p99_ms;
    p999 = e.latency.p999_ms;
    echo = report.echo().levels.back().calls_per_s;
    batched = report.batched_write().levels.back().calls_per_s;
    ratio_echo = Ratio(*engine, *echo);
    ratio_batched = Ratio(*engine, *batched);
    rss = report.engine().figures.back().peak_rss_mb;
    const bool met = *ratio_batched >= kTargetRatioVsBatchedWrite && *p99 < kTargetP99Ms;
    target_met = met ? "yes" : "no";
    absl::PrintF(
        "\nDESIGN TARGET at %s in flight: ratio_vs_batched_write >= %.1f and p99 < %.0f ms: %s "
        "(%.3f, %.2f ms)\n",
        in_flight, kTargetRatioVsBatchedWrite, kTargetP99Ms, met ? "MET" : "MISSED", *ratio_batched,
        *p99);
  }
  const std::optional<StorageFigures>& f = report.storage;
  std::optional<double> replay_events, replay_rate, restart_serving, restart;
  if (f) {
    replay_events = static_cast<double>(f->replay.events);
    replay_rate = f->replay.events_per_s;
    restart_serving = f->restart.serving_ms;
    restart = f->restart.first_get_ms;
  }
  const std::vector<std::pair<std::string, std::string>> kv = {
      {"mode", s.mode},
      {"in_flight", in_flight},
      {"engine_ops_per_s", OrNa(engine, 0)},
      {"p50_ms", OrNa(p50, 2)},
      {"p99_ms", OrNa(p99, 2)},
      {"p999_ms", OrNa(p999, 2)},
      {"echo_ops_per_s", OrNa(echo, 0)},
      {"batched_write_ops_per_s", OrNa(batched, 0)},
      {"ratio_vs_echo", OrNa(ratio_echo, 3)},
      {"ratio_vs_batched_write", OrNa(ratio_batched, 3)},
      {"rss_mb", OrNa(rss, 1)},
      {"target_met", target_met},
      {"replay_events", OrNa(replay_events, 0)},
      {"replay_events_per_s", OrNa(replay_rate, 0)},
      {"restart_serving_ms", OrNa(restart_serving, 0)},
      {"restart_ms", OrNa(restart, 0)},
      {"threshold_eval_ms", OrNa(report.threshold_eval_ms, 1)},
      {"sync", s.sync ? "on" : "off"},
      {"errors", absl::StrCat(report.errors())},
      {"failures", absl::StrCat(report.failures.size())},
  };
  absl::PrintF("%s\n", absl::StrJoin(kv, " ", absl::PairFormatter("=")));
}

int Main() {
  absl::StatusOr<Settings> settings = ReadSettings();
  if (!settings.ok()) {
    std::fprintf(stderr, "casework-bench: %s\n", std::string(settings.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<ScratchDir>> scratch = ScratchDir::Create();
  if (!scratch.ok()) {
    std::fprintf(stderr, "casework-bench: %s\n", std::string(scratch.status().message()).c_str());
    return 1;
  }
  Report report;
  report.settings = *settings;
  report.machine = DescribeMachine((*scratch)->path());
  if (absl::Status s = MeasureLoad(report, **scratch); !s.ok()) {
    report.failures.push_back(absl::StrCat("load: ", s.ToString()));
  }
  // Stop the servers (they must exit cleanly) before the disk-heavy part.
  // Close the connections first: a graceful stop waits for clients to go
  // away, and nothing polls an idle client channel to see the GOAWAY.
  for (Server& server : report.servers) {
    server.mix.clear();
    server.channel.reset();
    if (server.process != nullptr) {
      report.Progress("stopping %s", server.name);
      if (absl::Status s = server.process->Stop(kStopGrace); !s.ok()) {
        report.failures.push_back(std::string(s.message()));
      }
    }
  }
  if (absl::GetFlag(FLAGS_storage)) {
    if (absl::Status s = MeasureStorage(report, **scratch); !s.ok()) {
      report.failures.push_back(absl::StrCat("storage: ", s.ToString()));
    }
  }
  report.threshold_eval_ms = MeasureThresholdEvaluation();
  report.Progress("done");
  PrintReport(report);
  return report.failures.empty() && report.errors() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace casework::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Measures caseworkd against a bare gRPC echo server and a batched synced-write server.\n"
      "Usage: casework-bench [--mode=quick|full] [--in_flight=1,8,64] [--target=HOST:PORT]");
  absl::ParseCommandLine(argc, argv);
  return casework::bench::Main();
}
