// Log generation, replay and restart figures; see storage_bench.h.
#include "bench/storage_bench.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/child_process.h"
#include "casework/v1/actions.grpc.pb.h"
#include "services/calendar_provider.h"
#include "services/call_context.h"
#include "privacy/cipher.h"
#include "storage/backup.h"
#include "storage/clock.h"
#include "storage/event_store.h"
#include "storage/rebuild.h"
#include "storage/transfer.h"
#include "workflow/actions/commands.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Commands queued in the engine at most; the engine takes up to 512 a group.
constexpr int64_t kMaxOutstanding = 8192;
constexpr const char* kPartnerships[] = {"eastbrook", "westmere", "northfield", "southwick"};

double MillisSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

// Counts commands queued in the engine and remembers the first failure.
class Outstanding {
 public:
  // Counts one more command, first waiting while kMaxOutstanding are queued;
  // false after `timeout`.
  bool Acquire(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                      [&] { return count_ < kMaxOutstanding; })) {
      return false;
    }
    ++count_;
    return true;
  }
  void Add(int64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    count_ += n;
  }
  void Release(const absl::Status& outcome) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!outcome.ok() && error_.ok()) error_ = outcome;
    // Wake the submitter once half the queue has drained (and WaitIdle at 0).
    if (--count_ < kMaxOutstanding / 2) cv_.notify_all();
  }
  bool WaitIdle(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] { return count_ == 0; });
  }
  absl::Status error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t count_ = 0;   // guarded by mu_
  absl::Status error_;  // guarded by mu_
};

// The zone caseworkd runs its engine in (timers, due dates).
absl::StatusOr<absl::TimeZone> London() {
  absl::TimeZone london;
  if (!absl::LoadTimeZone("Europe/London", &london)) {
    return absl::FailedPreconditionError("cannot load time zone Europe/London (install tzdata)");
  }
  return london;
}

// One action command: what to run and its request.
struct ActionCall {
  const workflow::CommandType* type;
  std::shared_ptr<const google::protobuf::Message> request;
};
template <typename Request>
ActionCall Action(workflow::CommandName<Request> name, Request request) {
  return {&workflow::actions::ActionWorkflow().Command(name),
          std::make_shared<const Request>(std::move(request))};
}

storage::Command ToCommand(ActionCall call,
                           const std::shared_ptr<const workflow::Calendar>& calendar,
                           std::function<void(absl::StatusOr<std::string>)> done) {
  storage::Command command =
      storage::MakeCommand(*call.type, std::move(call.request), calendar);
  command.meta.actor.set_agency("eastbrook-council");
  command.meta.actor.set_user("u-bench");
  command.meta.actor.set_role("caseworker");
  command.done = [done = std::move(done)](absl::StatusOr<std::string> reply, bool) {
    done(std::move(reply));
  };
  return command;
}

// The follow-up commands of new action number `n`: progress, progress, a
// due date two weeks later, progress.
std::vector<ActionCall> FollowUps(const v1::Action& action, uint64_t n) {
  auto progress = [&](int k) {
    v1::RecordProgressRequest r;
    r.set_name(action.name());
    r.set_request_id(absl::StrCat("gen-", n, "-", k));
    r.set_note("Visited with housing officer; residents report less noise");
    return r;
  };
  v1::ChangeDueDateRequest due;
  due.set_name(action.name());
  due.set_request_id(absl::StrCat("gen-", n, "-3"));
  *due.mutable_due_date() = workflow::ToCivilDate(workflow::ToCivilDay(action.due_date()) + 14);
  due.set_reason("Partner agency needs more time; agreed at the tasking meeting");
  return {Action(workflow::actions::kRecordProgress, progress(1)),
          Action(workflow::actions::kRecordProgress, progress(2)),
          Action(workflow::actions::kChangeDueDate, due),
          Action(workflow::actions::kRecordProgress, progress(4))};
}

}  // namespace

absl::StatusOr<GeneratedLog> GenerateLog(const std::string& dir, uint64_t min_events) {
  storage::StoreOptions options;
  options.path = dir;
  options.sync = false;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  absl::StatusOr<absl::TimeZone> london = London();
  if (!london.ok()) return london.status();
  // Derived as this build derives, as caseworkd records in a directory it
  // creates: a restart must not take it for an older one and rebuild it.
  if (absl::Status s = storage::RecordDerivedFormat(**store); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<services::CalendarProvider>> calendars =
      services::CalendarProvider::Load(**store);
  if (!calendars.ok()) return calendars.status();
  const std::shared_ptr<const workflow::Calendar> calendar = (*calendars)->Current();
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), *london);
  SystemClock clock;
  storage::EngineOptions engine_options;
  engine_options.time_zone = *london;

  GeneratedLog log;
  log.sample_action = "partnerships/eastbrook/actions/1";  // the first command's
  const SteadyClock::time_point start = SteadyClock::now();
  Outstanding outstanding;  // outlives the engine, whose Stop() runs every `done`
  {
    storage::Engine engine(store->get(), &clock, engine_options);
    storage::Engine* engine_ptr = &engine;
    // Creates action `n`; its `done` queues the follow-ups. `done` runs on
    // the engine's writer thread, which never holds the queue lock while
    // calling it: submitting from there is safe.
    auto submit_action = [&](uint64_t n) {
      v1::CreateActionRequest create;
      const char* partnership = kPartnerships[n % std::size(kPartnerships)];
      create.set_parent(absl::StrCat("partnerships/", partnership));
      create.set_request_id(absl::StrCat("gen-", n, "-0"));
      create.set_title("Arrange joint visit to the flats with housing and neighbourhood police");
      create.set_owner_agency("eastbrook-homes");
      *create.mutable_due_date() = workflow::ToCivilDate(today + 7 + static_cast<int>(n % 120));
      create.set_source(absl::StrCat("partnerships/", partnership, "/meetings/2026-11"));
      engine.Submit(ToCommand(
          Action(workflow::actions::kCreateAction, create), calendar,
          [&outstanding, engine_ptr, calendar, n](absl::StatusOr<std::string> reply) {
            v1::ActionResponse response;
            if (reply.ok() && !response.ParseFromString(*reply)) {
              reply = absl::DataLossError("CreateAction reply does not parse");
            }
            if (reply.ok()) {
              std::vector<ActionCall> follow_ups = FollowUps(response.action(), n);
              outstanding.Add(static_cast<int64_t>(follow_ups.size()));
              for (ActionCall& c : follow_ups) {
                engine_ptr->Submit(ToCommand(std::move(c), calendar, [&outstanding](auto r) {
                  outstanding.Release(r.status());
                }));
              }
            }
            outstanding.Release(reply.status());
          }));
    };
    // How many events an action makes is the workflow's business: a first
    // round of 1000 actions tells, the next rounds make up the rest.
    for (int round = 0; round < 4 && (*store)->LastPosition() < min_events; ++round) {
      const uint64_t have = (*store)->LastPosition();
      const uint64_t more =
          round == 0 ? std::min<uint64_t>(1000, (min_events + 4) / 5)
                     : (min_events - have) * log.actions / std::max<uint64_t>(have, 1) + 1;
      for (uint64_t n = log.actions; n < log.actions + more; ++n) {
        if (!outstanding.Acquire(absl::Minutes(2))) {
          return absl::DeadlineExceededError("the engine stopped taking commands");
        }
        submit_action(n);
      }
      log.actions += more;
      if (!outstanding.WaitIdle(absl::Minutes(10))) {
        return absl::DeadlineExceededError("generated commands did not finish within 10 minutes");
      }
      if (!outstanding.error().ok()) return outstanding.error();
    }
    log.stats = engine.stats();
  }
  log.seconds = MillisSince(start) / 1000.0;
  log.events = (*store)->LastPosition();
  if (log.events < min_events) {
    return absl::InternalError(
        absl::StrCat("generated ", log.events, " of ", min_events, " events"));
  }
  return log;
}

absl::StatusOr<ReplayResult> MeasureReplay(const std::string& dir) {
  ReplayResult result;
  SteadyClock::time_point start = SteadyClock::now();
  storage::StoreOptions options;
  options.path = dir;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  result.open_ms = MillisSince(start);
  absl::StatusOr<absl::TimeZone> london = London();
  if (!london.ok()) return london.status();
  start = SteadyClock::now();
  absl::StatusOr<storage::Derived> derived = storage::ComputeDerived(**store, *london);
  result.seconds = MillisSince(start) / 1000.0;
  if (!derived.ok()) return derived.status();
  if (derived->events != (*store)->LastPosition()) {
    return absl::DataLossError(absl::StrCat("replay folded ", derived->events,
                                            " events, the log has ", (*store)->LastPosition()));
  }
  result.events = derived->events;
  result.streams = derived->streams.size();
  result.rows = derived->rows.size();
  result.events_per_s =
      result.seconds > 0 ? static_cast<double>(result.events) / result.seconds : 0;
  return result;
}

absl::StatusOr<RebuildResult> MeasureRebuild(const std::string& dir) {
  RebuildResult result;
  storage::StoreOptions options;
  options.path = dir;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  absl::StatusOr<absl::TimeZone> london = London();
  if (!london.ok()) return london.status();
  result.events = (*store)->LastPosition();
  // As after an upgrade that derives every row anew: a rebuild writes only
  // the rows that differ from those stored, so the stored ones go first.
  for (absl::string_view prefix : workflow::Workflows().row_prefixes()) {
    if (absl::Status s = (*store)->ReplaceRows(prefix, {}); !s.ok()) return s;
  }
  const SteadyClock::time_point start = SteadyClock::now();
  if (absl::Status s = storage::RebuildDerived(**store, *london); !s.ok()) return s;
  result.seconds = MillisSince(start) / 1000.0;
  result.events_per_s =
      result.seconds > 0 ? static_cast<double>(result.events) / result.seconds : 0;
  return result;
}

absl::StatusOr<BackupResult> MeasureBackup(const std::string& dir, const std::string& backups,
                                           const std::string& restored) {
  BackupResult result;
  storage::StoreOptions options;
  options.path = dir;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  SteadyClock::time_point start = SteadyClock::now();
  absl::StatusOr<storage::BackupReport> taken = (*store)->Backup(backups, 1);
  if (!taken.ok()) return taken.status();
  result.backup_seconds = MillisSince(start) / 1000.0;
  store->reset();
  start = SteadyClock::now();
  absl::StatusOr<storage::BackupReport> back = storage::RestoreBackup(backups, 0, restored);
  if (!back.ok()) return back.status();
  result.restore_seconds = MillisSince(start) / 1000.0;
  result.mb = static_cast<double>(taken->bytes) / (1 << 20);
  const double gb = static_cast<double>(taken->bytes) / (1 << 30);
  result.backup_s_per_gb = gb > 0 ? result.backup_seconds / gb : 0;
  result.restore_s_per_gb = gb > 0 ? result.restore_seconds / gb : 0;
  return result;
}

absl::StatusOr<TransferResult> MeasureTransfer(const std::string& dir,
                                               const std::string& partnership,
                                               const std::string& file,
                                               const std::string& target) {
  TransferResult result;
  const privacy::Key256 key = privacy::Key256::Random();
  storage::StoreOptions options;
  options.path = dir;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  SteadyClock::time_point start = SteadyClock::now();
  absl::StatusOr<storage::TransferReport> exported =
      storage::ExportPartnership(**store, partnership, key, file);
  if (!exported.ok()) return exported.status();
  result.export_seconds = MillisSince(start) / 1000.0;
  result.events = exported->events;
  result.file_mb = static_cast<double>(std::filesystem::file_size(file)) / (1 << 20);
  store->reset();
  options.path = target;
  store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  absl::StatusOr<absl::TimeZone> london = London();
  if (!london.ok()) return london.status();
  start = SteadyClock::now();
  absl::StatusOr<storage::TransferReport> imported =
      storage::ImportPartnership(**store, partnership, key, file, *london);
  if (!imported.ok()) return imported.status();
  result.import_seconds = MillisSince(start) / 1000.0;
  result.import_events_per_s =
      result.import_seconds > 0 ? static_cast<double>(result.events) / result.import_seconds : 0;
  return result;
}

absl::StatusOr<RestartResult> MeasureRestart(const std::string& caseworkd, const std::string& dir,
                                             const std::string& action, bool sync) {
  RestartResult result;
  const SteadyClock::time_point start = SteadyClock::now();
  absl::StatusOr<ServerProcess> server =
      StartServer({caseworkd, "--listen=127.0.0.1:0", absl::StrCat("--data_dir=", dir),
                   sync ? "--sync" : "--nosync", "--norequest_log",
                   "--rate_limit_per_second=0"},
                  absl::Minutes(5));
  if (!server.ok()) return server.status();
  result.serving_ms = MillisSince(start);
  if (!server->process->LinesContaining("rebuilt derived data").empty()) {
    return absl::InternalError(
        "caseworkd rebuilt the derived data before serving: the generated directory did not "
        "record its derived format, and the restart figure would include a rebuild");
  }

  {
    // Gone before the stop: a graceful stop waits for connected clients.
    auto stub = v1::ActionService::NewStub(
        grpc::CreateChannel(server->address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    context.set_wait_for_ready(true);
    context.AddMetadata(services::kAgencyHeader, "eastbrook-council");
    context.AddMetadata(services::kUserHeader, "u-bench");
    context.AddMetadata(services::kRoleHeader, "caseworker");
    context.AddMetadata(services::kPurposeHeader, "bench");
    v1::GetActionRequest request;
    request.set_name(action);
    v1::Action reply;
    const grpc::Status status = stub->GetAction(&context, request, &reply);
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("GetAction ", action, " after restart: ", status.error_message()));
    }
    result.first_get_ms = MillisSince(start);
  }
  absl::Status stopped = server->process->Stop(absl::Seconds(30));
  if (!stopped.ok()) return stopped;
  return result;
}

}  // namespace casework::bench
