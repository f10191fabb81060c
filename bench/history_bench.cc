// History growth and the large-notes action; see history_bench.h.
#include "bench/history_bench.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/child_process.h"
#include "bench/in_process.h"
#include "casework/v1/actions.grpc.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/options_util.h"
#include "services/call_context.h"
#include "workflow/actions/commands.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::bench {
namespace {

using Steady = std::chrono::steady_clock;

// The levels of the growth figure: events per action, actions measured
// round-robin, commands measured per action (so that each level measures
// 100 commands while the streams stay close to their length).
struct Level {
  int events;
  int actions;
  int per_action;
};
constexpr Level kLevels[] = {{10, 20, 5}, {100, 20, 5}, {1000, 10, 10}, {10000, 4, 25}};
constexpr size_t kChunk = 8192;

constexpr int kNotes = 1100;
constexpr int kNoteChars = 4000;

double Seconds(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

v1::RecordProgressRequest Progress(const std::string& action, const std::string& id,
                                   std::string note) {
  v1::RecordProgressRequest r;
  r.set_name(action);
  r.set_request_id(id);
  r.set_note(std::move(note));
  return r;
}

// A note of exactly `chars` characters of words, different for each `seed`.
std::string LongNote(int seed, int chars) {
  static constexpr const char* kWords[] = {
      "visited",  "the",     "flats",    "with",      "housing", "officer",  "residents",
      "report",   "noise",   "late",     "at",        "night",   "agreed",   "joint",
      "patrol",   "police",  "council",  "landlord",  "letter",  "warning",  "issued",
      "tenancy",  "review",  "meeting",  "victim",    "support", "referral", "youth",
      "service",  "CCTV",    "footage",  "requested", "from",    "car",      "park",
      "incident", "logged",  "follow-up", "next",     "week",    "and",      "a"};
  absl::SeedSeq seq({static_cast<uint32_t>(seed)});
  absl::BitGen rng(seq);
  std::string note = absl::StrCat("Note ", seed, ": ");
  while (note.size() < static_cast<size_t>(chars)) {
    absl::StrAppend(&note, kWords[absl::Uniform<size_t>(rng, 0, std::size(kWords))]);
    note.push_back(absl::Bernoulli(rng, 0.08) ? '.' : ' ');
    if (note.back() == '.') note.push_back(' ');
  }
  note.resize(static_cast<size_t>(chars));
  return note;
}

// RocksDB diagnostics while compacting: none (no LOG file in the directory).
class QuietLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

// Compacts every column family of the RocksDB directory `dir` down to its
// last level, with the options it was last opened with (its OPTIONS file).
absl::Status CompactAll(const std::string& dir) {
  rocksdb::ConfigOptions config;
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  rocksdb::Status s = rocksdb::LoadLatestOptions(config, dir, &db_options, &families);
  if (!s.ok()) return absl::InternalError(absl::StrCat("loading the options: ", s.ToString()));
  db_options.info_log = std::make_shared<QuietLogger>();
  db_options.create_if_missing = false;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  s = rocksdb::DB::Open(db_options, dir, families, &handles, &db);
  if (!s.ok()) return absl::InternalError(absl::StrCat("opening for compaction: ", s.ToString()));
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    if (s.ok()) s = db->CompactRange(compact, h, nullptr, nullptr);
  }
  for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  rocksdb::Status closed = db->Close();
  delete db;
  if (!s.ok()) return absl::InternalError(absl::StrCat("compacting: ", s.ToString()));
  if (!closed.ok()) return absl::InternalError(absl::StrCat("closing: ", closed.ToString()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GrowthFigures> MeasureGrowth(const std::string& dir) {
  absl::TimeZone london;
  if (!absl::LoadTimeZone("Europe/London", &london)) {
    return absl::FailedPreconditionError("cannot load time zone Europe/London (install tzdata)");
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<InProcessEngine> engine,
      InProcessEngine::Open(dir, /*sync=*/false,
                            absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0), london)));
  const absl::CivilDay today = engine->today();
  const workflow::Workflow& actions = workflow::actions::ActionWorkflow();
  GrowthFigures f;
  uint64_t next_id = 0;
  auto id = [&] { return absl::StrCat("growth-", next_id++); };
  auto note = [&](uint64_t n) {
    static constexpr const char* kNotes[] = {
        "Visited with housing officer; residents report less noise since the last meeting",
        "Data shared with licensing; awaiting their review at the next panel",
        "Landlord replied, clearance booked for next week",
        "Spoke to the youth service, two sessions offered on Friday evenings",
    };
    return std::string(kNotes[n % std::size(kNotes)]);
  };
  // Every level is filled first, then the levels are measured in turns:
  // one command at each level, then the next. Measured one
  // level after the other, the largest level was always measured right
  // after its 40,000 fill commands, while RocksDB flushed and compacted
  // them, and time-bound noise on a two-core machine fell on one level.
  const Steady::time_point setup = Steady::now();
  std::vector<std::vector<std::string>> names(std::size(kLevels));
  for (size_t l = 0; l < std::size(kLevels); ++l) {
    const Level& level = kLevels[l];
    // The actions, and their versions.
    std::vector<storage::Command> creates;
    for (int a = 0; a < level.actions; ++a) {
      v1::CreateActionRequest r;
      r.set_parent("partnerships/bench");
      r.set_request_id(id());
      r.set_title("Arrange joint visit to the flats with housing and neighbourhood police");
      r.set_owner_agency("eastbrook-council");
      *r.mutable_due_date() = workflow::ToCivilDate(today + 60);
      ASSIGN_OR_RETURN(storage::Command c, engine->Make(actions, workflow::actions::kCreateAction, r));
      creates.push_back(std::move(c));
    }
    ASSIGN_OR_RETURN(std::vector<std::string> created, engine->RunAll(std::move(creates)));
    std::vector<int64_t> versions;
    for (const std::string& reply : created) {
      v1::ActionResponse response;
      response.ParseFromString(reply);
      names[l].push_back(response.action().name());
      versions.push_back(response.action().version());
    }
    // Filled to the level, kChunk commands at a time across the actions.
    std::vector<storage::Command> fill;
    auto flush = [&]() -> absl::Status {
      if (fill.empty()) return absl::OkStatus();
      absl::Status s = engine->RunAll(std::move(fill)).status();
      fill.clear();
      return s;
    };
    for (int a = 0; a < level.actions; ++a) {
      for (int64_t v = versions[a]; v < level.events; ++v) {
        ASSIGN_OR_RETURN(storage::Command c,
                         engine->Make(actions, workflow::actions::kRecordProgress,
                                      Progress(names[l][a], id(), note(next_id))));
        fill.push_back(std::move(c));
        if (fill.size() >= kChunk) RETURN_IF_ERROR(flush());
      }
    }
    RETURN_IF_ERROR(flush());
  }
  const double setup_s = Seconds(setup);

  // Measured: one command at a time; at each step one command at each
  // level, on its actions in turn.
  struct Samples {
    std::vector<double> holds, replies;
    double events = 0;
  };
  std::vector<Samples> samples(std::size(kLevels));
  int steps = 0;
  for (const Level& level : kLevels) steps = std::max(steps, level.actions * level.per_action);
  for (int step = 0; step < steps; ++step) {
    for (size_t l = 0; l < std::size(kLevels); ++l) {
      const Level& level = kLevels[l];
      if (step >= level.actions * level.per_action) continue;
      ASSIGN_OR_RETURN(storage::Command c,
                       engine->Make(actions, workflow::actions::kRecordProgress,
                                    Progress(names[l][step % level.actions], id(), note(next_id))));
      ASSIGN_OR_RETURN(InProcessEngine::Timed timed, engine->RunTimed(std::move(c)));
      v1::ActionResponse response;
      response.ParseFromString(timed.reply);
      samples[l].events += static_cast<double>(response.commit().first_version() - 1);
      samples[l].holds.push_back(absl::ToDoubleMicroseconds(timed.hold));
      samples[l].replies.push_back(absl::ToDoubleMicroseconds(timed.latency));
    }
  }
  for (size_t l = 0; l < std::size(kLevels); ++l) {
    std::vector<double>& holds = samples[l].holds;
    std::vector<double>& replies = samples[l].replies;
    GrowthPoint point;
    point.target_events = kLevels[l].events;
    point.actions = kLevels[l].actions;
    point.measured = static_cast<int>(holds.size());
    point.mean_events = samples[l].events / point.measured;
    double sum = 0;
    for (double h : holds) sum += h;
    point.hold_mean_us = sum / point.measured;
    std::sort(holds.begin(), holds.end());
    std::sort(replies.begin(), replies.end());
    point.hold_median_us = holds[holds.size() / 2];
    point.hold_max_us = holds.back();
    point.reply_median_us = replies[replies.size() / 2];
    f.points.push_back(point);
  }
  f.setup_s = setup_s;
  const double first = f.points.front().hold_mean_us;
  f.growth_ratio = first > 0 ? f.points.back().hold_mean_us / first : 0;
  return f;
}

absl::StatusOr<NotesFigures> MeasureNotes(const std::string& caseworkd, const std::string& dir,
                                          bool sync) {
  NotesFigures f;
  f.notes = kNotes;
  f.note_chars = kNoteChars;
  {
    ASSIGN_OR_RETURN(ServerProcess server,
                     StartServer({caseworkd, "--listen=127.0.0.1:0",
                                  absl::StrCat("--data_dir=", dir), sync ? "--sync" : "--nosync",
                                  "--norequest_log", "--rate_limit_per_second=0"},
                                 absl::Minutes(2)));
    auto stub = v1::ActionService::NewStub(
        grpc::CreateChannel(server.address, grpc::InsecureChannelCredentials()));
    auto call = [&](auto method, const auto& request, auto* reply) -> absl::Status {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      context.set_wait_for_ready(true);
      context.AddMetadata(services::kAgencyHeader, "eastbrook-council");
      context.AddMetadata(services::kUserHeader, "u-bench");
      context.AddMetadata(services::kRoleHeader, "caseworker");
      context.AddMetadata(services::kPurposeHeader, "bench");
      grpc::Status status = ((*stub).*method)(&context, request, reply);
      if (!status.ok()) {
        return absl::InternalError(absl::StrCat(request.GetTypeName(), ": ", status.error_message()));
      }
      return absl::OkStatus();
    };
    const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
    v1::CreateActionRequest create;
    create.set_parent("partnerships/eastbrook");
    create.set_request_id(absl::StrCat("notes-", run, "-create"));
    create.set_title("Review CCTV coverage on the canal towpath after recent incidents");
    create.set_owner_agency("eastbrook-council");
    *create.mutable_due_date() = workflow::ToCivilDate(
        absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + 60);
    v1::ActionResponse created;
    RETURN_IF_ERROR(call(&v1::ActionService::Stub::CreateAction, create, &created));
    const std::string action = created.action().name();

    const Steady::time_point start = Steady::now();
    v1::ActionResponse progressed;
    for (int n = 0; n < kNotes; ++n) {
      RETURN_IF_ERROR(call(&v1::ActionService::Stub::RecordProgress,
                           Progress(action, absl::StrCat("notes-", run, "-", n),
                                    LongNote(n, kNoteChars)),
                           &progressed));
    }
    f.record_s = Seconds(start);
    f.progress_reply_bytes = progressed.ByteSizeLong();

    v1::GetActionRequest get;
    get.set_name(action);
    v1::Action got;
    RETURN_IF_ERROR(call(&v1::ActionService::Stub::GetAction, get, &got));
    f.get_reply_bytes = got.ByteSizeLong();
    if (got.note_count() != kNotes) {
      return absl::InternalError(
          absl::StrCat("GetAction counts ", got.note_count(), " notes, expected ", kNotes));
    }
    v1::ListActionNotesRequest list;
    list.set_name(action);
    v1::ListActionNotesResponse page;
    RETURN_IF_ERROR(call(&v1::ActionService::Stub::ListActionNotes, list, &page));
    f.notes_page_bytes = page.ByteSizeLong();
    f.notes_page_size = page.notes_size();

    stub.reset();
    RETURN_IF_ERROR(server.process->Stop(absl::Seconds(30)));
  }
  f.stopped_bytes = DirectoryBytes(dir);
  const Steady::time_point start = Steady::now();
  RETURN_IF_ERROR(CompactAll(dir));
  f.compact_s = Seconds(start);
  f.compacted_bytes = DirectoryBytes(dir);
  return f;
}

}  // namespace casework::bench
