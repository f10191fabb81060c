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
// figures), and, from caseworkd's own report at its clean stop, how long
// each kind of command held the writer thread. Then it generates a large
// event log and times the read-model replay (storage::ComputeDerived) and a
// caseworkd restart on it, and measures through in-process engines what a
// long history costs: RecordProgress on streams of 10 to 10,000 events,
// threshold evaluation and intake for a complainant with 10,000 complaints,
// a community-rule evaluation over 100,000 complaints, and an action with
// 1,100 long notes (data directory and reply sizes).
//
// Output: tables on stdout, then one `key=value ...` summary as the last
// line. Exit status 1 if any call failed or anything could not be measured.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <map>
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
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bench/child_process.h"
#include "bench/history_bench.h"
#include "bench/in_process.h"
#include "bench/load.h"
#include "bench/machine.h"
#include "bench/storage_bench.h"
#include "bench/threshold_bench.h"
#include "bench/report.h"
#include "bench/security_bench.h"
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
ABSL_FLAG(bool, seal, true,
          "Run caseworkd sealing personal data with a master key, as deployed "
          "(docs/data-protection.md); --noseal measures it without.");
ABSL_FLAG(bool, storage, true, "Measure replay and restart (--nostorage skips them).");
ABSL_FLAG(bool, security, true,
          "Measure audited against unaudited reads, and mutual TLS against plaintext "
          "(--nosecurity skips them).");
ABSL_FLAG(bool, feed, true,
          "Measure writers with and without a stalled event feed subscriber (--nofeed skips it).");
ABSL_FLAG(uint64_t, feed_calls, 0,
          "CreateAction calls in each feed run (two events each); 0: the mode's (100,000 full: "
          "200,000 events, 20,000 quick).");
ABSL_FLAG(bool, outbox, true,
          "Measure an outbox delivery (a recommendation referred to a panel) in-process and "
          "over gRPC to a panels server (--nooutbox skips it).");
ABSL_FLAG(int, outbox_messages, 0,
          "Deliveries in each outbox run; 0: the mode's (500 full, 100 quick).");
ABSL_FLAG(bool, inprocess, true,
          "Measure history growth, the complaint ledger figures and the large-notes action "
          "(--noinprocess skips them).");
ABSL_FLAG(uint64_t, seed_complaints, 0,
          "Complaints recorded (over the last three years) before the first level; 0: the "
          "mode's (10,000 quick, 20,000 full).");
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

// Actions created before the first level, for the rest of the mix to use,
// and case reviews received and acknowledged, waiting for their evaluation.
constexpr uint64_t kSeedActions = 1000;
constexpr uint64_t kSeedCaseReviews = 300;
// Connections to each server: caseworkd serves at most 32 calls at once on
// one connection (--max_streams_per_connection); slots are spread over them.
constexpr int kConnections = 4;
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kStopGrace = absl::Seconds(30);

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
  s.seed_complaints = absl::GetFlag(FLAGS_seed_complaints);
  if (s.seed_complaints == 0) s.seed_complaints = full ? 20000 : 10000;
  s.sync = absl::GetFlag(FLAGS_sync);
  s.seal = absl::GetFlag(FLAGS_seal);
  s.target = absl::GetFlag(FLAGS_target);
  s.mix = absl::GetFlag(FLAGS_mix);
  if (!s.target.empty() && !services::IsLoopbackListen(s.target)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--target must be a loopback HOST:PORT, got ", s.target));
  }
  return s;
}

// Opens kConnections separate connections (gRPC would otherwise share one
// between channels to the same address).
absl::Status Connect(Server& server, const std::string& address) {
  server.channels.clear();
  for (int i = 0; i < kConnections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("casework.bench.connection", i);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", server.name, " at ", address));
    }
    server.channels.push_back(std::move(channel));
  }
  return absl::OkStatus();
}

absl::Status StartChild(Server& server, std::vector<std::string> argv) {
  absl::StatusOr<ServerProcess> started =
      StartServer(std::move(argv), kStartTimeout, {kWriterHoldLine});
  if (!started.ok()) return started.status();
  server.process = std::move(started->process);
  return Connect(server, started->address);
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
  std::vector<std::string> engine_args = {
      absl::GetFlag(FLAGS_caseworkd), "--listen=127.0.0.1:0",
      absl::StrCat("--data_dir=", scratch.Sub("engine")), sync_flag,
      absl::GetFlag(FLAGS_server_request_log) ? "--request_log" : "--norequest_log"};
  if (settings.seal) {
    WriteMasterKey(scratch.Sub("engine.master.key"));
    engine_args.push_back(absl::StrCat("--master_key_file=", scratch.Sub("engine.master.key")));
  }
  absl::Status engine_started = settings.target.empty() ? StartChild(engine, engine_args)
                                                        : Connect(engine, settings.target);
  if (!engine_started.ok()) return engine_started;

  auto engine_workload = std::make_unique<EngineWorkload>(engine.channels);
  const size_t payload_bytes = engine_workload->SampleCreateRequest().ByteSizeLong();
  EchoWorkload echo_workload(echo.channels, payload_bytes);
  EchoWorkload batched_workload(batched.channels, payload_bytes);
  echo.mix = echo_workload.Mix();
  batched.mix = batched_workload.Mix();
  engine.mix = engine_workload->Mix();
  if (absl::Status s = OverrideWeights(absl::GetFlag(FLAGS_mix), engine.mix); !s.ok()) return s;

  report.Progress("publishing policies; seeding %d actions, %d complaints, %d case reviews",
                  kSeedActions, settings.seed_complaints, kSeedCaseReviews);
  absl::Status seeded = engine_workload->PublishPolicies();
  if (seeded.ok()) seeded = engine_workload->SeedActions(kSeedActions);
  if (seeded.ok()) seeded = engine_workload->SeedComplaints(settings.seed_complaints);
  if (seeded.ok()) seeded = engine_workload->SeedCaseReviews(kSeedCaseReviews);
  if (!seeded.ok()) {
    return absl::Status(seeded.code(), absl::StrCat("seeding: ", seeded.message()));
  }
  if (engine_workload->known_actions() < kSeedActions) {
    return absl::InternalError(absl::StrCat("seeding failed: ", engine_workload->known_actions(),
                                            " of ", kSeedActions, " actions created"));
  }
  // What the mix did besides its calls, for the report.
  struct Tally {
    Report& report;
    EngineWorkload& workload;
    ~Tally() {
      report.fallbacks = workload.fallbacks();
      report.reviews_received = workload.reviews_received();
      report.reviews_finished = workload.reviews_finished();
      report.complaints_sent = workload.complaints_sent();
    }
  } tally{report, *engine_workload};

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
  report.Progress("rebuilding the derived records of %d events", log->events);
  absl::StatusOr<RebuildResult> rebuild = MeasureRebuild(dir);
  if (rebuild.ok()) {
    figures.rebuild = *rebuild;
  } else {
    report.failures.push_back(absl::StrCat("rebuild: ", rebuild.status().ToString()));
  }
  report.Progress("backing up and restoring %d events", log->events);
  absl::StatusOr<BackupResult> backup =
      MeasureBackup(dir, scratch.Sub("backups"), scratch.Sub("restored"));
  if (backup.ok()) {
    figures.backup = *backup;
  } else {
    report.failures.push_back(absl::StrCat("backup: ", backup.status().ToString()));
  }
  report.Progress("moving one partnership of %d events to an empty directory", log->events);
  absl::StatusOr<TransferResult> transfer = MeasureTransfer(
      dir, "eastbrook", scratch.Sub("eastbrook.export"), scratch.Sub("moved"));
  if (transfer.ok()) {
    figures.transfer = *transfer;
  } else {
    report.failures.push_back(absl::StrCat("transfer: ", transfer.status().ToString()));
  }
  report.storage = figures;
  return absl::OkStatus();
}

// The in-process figures, each in a directory of its own under `scratch`.
void MeasureInProcess(Report& report, const ScratchDir& scratch) {
  report.Progress("history growth: RecordProgress at 10 to 10,000 events");
  absl::StatusOr<GrowthFigures> growth = MeasureGrowth(scratch.Sub("growth"));
  if (growth.ok()) {
    report.growth = *std::move(growth);
  } else {
    report.failures.push_back(absl::StrCat("history growth: ", growth.status().ToString()));
  }
  report.Progress("complaint ledger: 110,000 complaints, evaluations and intake");
  absl::StatusOr<LedgerFigures> ledger = MeasureLedger(scratch.Sub("ledger"), report.settings.sync);
  if (ledger.ok()) {
    report.ledger = *std::move(ledger);
  } else {
    report.failures.push_back(absl::StrCat("complaint ledger: ", ledger.status().ToString()));
  }
  report.Progress("sealing personal data: 20,000 complaints sealed and not");
  absl::StatusOr<SealingFigures> sealing = MeasureSealing(scratch.Sub("sealing"), report.settings.sync);
  if (sealing.ok()) {
    report.sealing = *std::move(sealing);
  } else {
    report.failures.push_back(absl::StrCat("sealing: ", sealing.status().ToString()));
  }
  report.Progress("an action with 1,100 notes of 4,000 characters");
  absl::StatusOr<NotesFigures> notes =
      MeasureNotes(absl::GetFlag(FLAGS_caseworkd), scratch.Sub("notes"), report.settings.sync);
  if (notes.ok()) {
    report.notes = *std::move(notes);
  } else {
    report.failures.push_back(absl::StrCat("large notes: ", notes.status().ToString()));
  }
}

int Main() {
  absl::StatusOr<Settings> settings = ReadSettings();
  if (!settings.ok()) {
    std::fprintf(stderr, "casework-bench: %s\n", std::string(settings.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<ScratchDir>> scratch = ScratchDir::Create(absl::GetFlag(FLAGS_tmp_dir));
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
  if (absl::GetFlag(FLAGS_security) && settings->target.empty() && report.servers.size() == 3 &&
      !report.engine().channels.empty()) {
    report.Progress("security: audited and unaudited reads, then mutual TLS");
    SecurityBenchOptions options;
    options.plaintext = report.engine().channels;
    options.caseworkd = absl::GetFlag(FLAGS_caseworkd);
    options.ca_script = CASEWORK_CA_SCRIPT;
    options.scratch = (*scratch)->Sub("security");
    options.sync_flag = settings->sync ? "--sync" : "--nosync";
    options.connections = kConnections;
    options.level.in_flight = settings->in_flight.back();
    options.level.warmup = settings->warmup;
    options.level.duration = settings->duration;
    absl::StatusOr<SecurityFigures> security = MeasureSecurity(options);
    if (security.ok()) {
      report.security = *std::move(security);
    } else {
      report.failures.push_back(absl::StrCat("security: ", security.status().ToString()));
    }
  }
  // Stop the servers (they must exit cleanly) before the disk-heavy part.
  // Close the connections first: a graceful stop waits for clients to go
  // away, and nothing polls an idle client channel to see the GOAWAY.
  for (Server& server : report.servers) {
    server.mix.clear();
    server.channels.clear();
    if (server.process != nullptr) {
      report.Progress("stopping %s", server.name);
      if (absl::Status s = server.process->Stop(kStopGrace); !s.ok()) {
        report.failures.push_back(std::string(s.message()));
      }
    }
  }
  if (report.servers.size() == 3 && report.engine().process != nullptr) {
    std::vector<MethodHold> holds =
        ParseWriterHolds(report.engine().process->LinesContaining(kWriterHoldLine));
    if (!holds.empty()) report.holds = std::move(holds);
  }
  if (absl::GetFlag(FLAGS_storage)) {
    if (absl::Status s = MeasureStorage(report, **scratch); !s.ok()) {
      report.failures.push_back(absl::StrCat("storage: ", s.ToString()));
    }
  }
  if (absl::GetFlag(FLAGS_feed) && settings->target.empty()) {
    uint64_t calls = absl::GetFlag(FLAGS_feed_calls);
    if (calls == 0) calls = settings->mode == "full" ? 100000 : 20000;
    report.Progress("event feed: %d writes alone, with a stalled subscriber, alone", calls);
    absl::StatusOr<FeedFigures> feed = MeasureFeed(absl::GetFlag(FLAGS_caseworkd),
                                                   (*scratch)->Sub("feed"), settings->sync, calls);
    if (feed.ok()) {
      report.feed = *std::move(feed);
    } else {
      report.failures.push_back(absl::StrCat("event feed: ", feed.status().ToString()));
    }
  }
  if (absl::GetFlag(FLAGS_outbox)) {
    int messages = absl::GetFlag(FLAGS_outbox_messages);
    if (messages <= 0) messages = settings->mode == "full" ? 500 : 100;
    report.Progress("outbox: %d deliveries in-process, then over gRPC", messages);
    absl::StatusOr<OutboxFigures> outbox =
        MeasureOutbox((*scratch)->Sub("outbox"), settings->sync, messages);
    if (outbox.ok() && outbox->all_linked) {
      report.outbox = *std::move(outbox);
    } else {
      report.failures.push_back(absl::StrCat(
          "outbox: ", outbox.ok() ? "not every message linked once" : outbox.status().ToString()));
    }
  }
  if (absl::GetFlag(FLAGS_inprocess)) MeasureInProcess(report, **scratch);
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
