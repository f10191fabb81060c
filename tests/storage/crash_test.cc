// Kill -9 under load: a child process appends commands through the engine and
// is killed at random moments, several rounds on one data directory. After
// each kill the directory is reopened and must show every acknowledged
// command exactly once, no partial command, and derived data (stream index,
// states, read-model rows) equal to a fold of the log. Retries of acknowledged
// commands return their original positions.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "storage/rebuild.h"
#include "workflow/actions/commands.h"
#include "tests/storage/crash_commands.h"
#include "tests/support/engine_harness.h"
#include "tests/support/test_support.h"

namespace casework::storage {
namespace {

using ::casework::testing::ActionRequest;
using ::casework::testing::AsActionRequest;
using ::casework::testing::RunAction;
using ::casework::testing::TempDir;

struct Ack {
  char kind;  // 'C' or 'P'
  std::string request_id;
  std::string stream;
  uint64_t first = 0;
  uint64_t last = 0;
};

// Runs crash_child until `kill_after` acks were read, kills it with SIGKILL,
// and returns every ack it printed (including those still in the pipe).
std::vector<Ack> RunChildAndKill(const std::string& data_dir, int round, int kill_after) {
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(CRASH_CHILD_PATH, "crash_child", data_dir.c_str(), std::to_string(round).c_str(), "4",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::vector<Ack> acks;
  FILE* in = fdopen(out[0], "r");
  char line[512];
  bool killed = false;
  while (fgets(line, sizeof line, in) != nullptr) {
    std::istringstream fields(line);
    Ack ack;
    fields >> ack.kind >> ack.request_id >> ack.stream >> ack.first >> ack.last;
    if (!fields.fail()) acks.push_back(ack);
    if (!killed && static_cast<int>(acks.size()) >= kill_after) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  fclose(in);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child ended on its own with status " << status;
  return acks;
}

// Every stream of the log, once.
std::vector<std::string> Streams(const EventStore& store) {
  std::set<std::string> streams;
  EXPECT_TRUE(store.ScanLog(1, [&](const v1::EventEnvelope& e) {
    streams.insert(e.stream());
    return true;
  }).ok());
  return {streams.begin(), streams.end()};
}

TEST(CrashTest, AcknowledgedCommandsSurviveSigkillExactlyOnce) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  std::mt19937 random(20261121);
  std::vector<Ack> all_acks;
  int lagging = 0;  // loads that folded a tail after a state record
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    const int kill_after = std::uniform_int_distribution<int>(20, 600)(random);
    std::vector<Ack> acks = RunChildAndKill(data, round, kill_after);
    ASSERT_GE(static_cast<int>(acks.size()), kill_after) << "round " << round;
    all_acks.insert(all_acks.end(), acks.begin(), acks.end());

    StoreOptions options;
    options.path = data;
    std::unique_ptr<EventStore> store = *EventStore::Open(options);

    // Derived data equals a fold of the log; no gaps anywhere.
    absl::StatusOr<VerifyReport> report = VerifyStore(*store, absl::UTCTimeZone());
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_THAT(report->problems, ::testing::IsEmpty()) << "round " << round;

    // State records lag their streams (rewritten every 32 events) and the
    // kill came between rewrites: loading a state folds the short tail after
    // its record and equals the fold of the whole stream.
    for (const std::string& stream : Streams(*store)) {
      const workflow::Workflow& actions = workflow::actions::ActionWorkflow();
      uint64_t replayed = 0;
      absl::StatusOr<LoadedState> loaded = LoadState(*store, actions, stream, &replayed);
      ASSERT_TRUE(loaded.ok()) << loaded.status();
      EXPECT_LT(replayed, 32u) << stream;
      absl::StatusOr<std::shared_ptr<google::protobuf::Message>> folded =
          FoldStream(*store, actions, stream, loaded->version);
      ASSERT_TRUE(folded.ok()) << folded.status();
      EXPECT_EQ(loaded->state->SerializeAsString(), (*folded)->SerializeAsString()) << stream;
      lagging += replayed > 0 && loaded->version > 32 ? 1 : 0;
    }

    // Every event belongs to a recorded command (no half-written command),
    // and every acknowledged command's events are present exactly once.
    absl::flat_hash_map<std::string, int> events_by_request;
    ASSERT_TRUE(store->ScanLog(1, [&](const v1::EventEnvelope& e) {
      ++events_by_request[e.request_id()];
      return true;
    }).ok());
    for (const auto& [request_id, count] : events_by_request) {
      const char* method = request_id[0] == 'c' ? "casework.v1.ActionService/CreateAction"
                                                : "casework.v1.ActionService/RecordProgress";
      auto record = store->GetRequest(keys::RequestKey("eastbrook-council", request_id));
      ASSERT_TRUE(record.ok());
      ASSERT_TRUE(record->has_value()) << "events of " << request_id << " without its request record";
      EXPECT_EQ((*record)->method(), method) << request_id;
      EXPECT_EQ(static_cast<uint64_t>(count),
                (*record)->last_position() - (*record)->first_position() + 1)
          << request_id;
    }
    for (const Ack& ack : all_acks) {
      auto it = events_by_request.find(ack.request_id);
      ASSERT_NE(it, events_by_request.end()) << "acknowledged " << ack.request_id << " is lost";
      EXPECT_EQ(static_cast<uint64_t>(it->second), ack.last - ack.first + 1) << ack.request_id;
      std::vector<v1::EventEnvelope> at = *store->ReadLog(ack.first, 1);
      ASSERT_EQ(at.size(), 1u);
      EXPECT_EQ(at[0].request_id(), ack.request_id);
      EXPECT_EQ(at[0].stream(), ack.stream);
    }

    // Retries of acknowledged commands return the original positions.
    ManualClock clock(absl::Now());
    Engine engine(store.get(), &clock);
    for (size_t i = 0; i < acks.size(); i += std::max<size_t>(1, acks.size() / 10)) {
      const Ack& ack = acks[i];
      int thread = std::stoi(ack.request_id.substr(ack.request_id.find('-', 2) + 1));
      ActionRequest command;
      if (ack.kind == 'C') {
        command = AsActionRequest(casework::testing::CrashCreate(ack.request_id, thread));
      } else {
        command = AsActionRequest(casework::testing::CrashProgress(ack.request_id, ack.stream));
      }
      casework::testing::ActionOutcome retry = RunAction(engine, command);
      ASSERT_TRUE(retry.response.ok()) << retry.response.status();
      EXPECT_TRUE(retry.replayed) << ack.request_id;
      EXPECT_EQ(retry.response->commit().first_position(), ack.first) << ack.request_id;
      EXPECT_EQ(retry.response->commit().stream(), ack.stream);
    }
    engine.Stop();
    EXPECT_EQ(engine.stats().groups, 0u) << "a retry wrote something";
  }
  EXPECT_GT(lagging, 0) << "no stream had a state record behind its tail when killed";
  std::printf("crash rounds=%d acked=%zu lost=0 lagging_state_records=%d\n", kRounds,
              all_acks.size(), lagging);
}

}  // namespace
}  // namespace casework::storage

namespace casework::storage {
namespace {

// Starts caseworkd on `data_dir`; returns its pid and its stderr.
pid_t StartCaseworkd(const std::string& data_dir, FILE** err) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    std::string data = "--data_dir=" + data_dir;
    execl(CASEWORKD_PATH, "caseworkd", "--listen=127.0.0.1:0", data.c_str(),
          "--request_log=false", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[1]);
  *err = fdopen(pipe_fds[0], "r");
  return pid;
}

// Timers that are due when caseworkd starts fire before it serves. Killing
// it with SIGKILL while it fires them, then restarting it, fires every timer
// exactly once.
TEST(CrashTest, KilledWhileFiringTimersFiresEachExactlyOnce) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  constexpr int kActions = 1200;
  {
    StoreOptions options;
    options.path = data;
    options.sync = false;
    std::unique_ptr<EventStore> store = *EventStore::Open(options);
    SystemClock clock;
    EngineOptions engine_options;
    absl::LoadTimeZone("Europe/London", &engine_options.time_zone);
    Engine engine(store.get(), &clock, engine_options);
    std::vector<ActionRequest> creates;
    for (int i = 0; i < kActions; ++i) {
      v1::CreateActionRequest request = casework::testing::CreateRequest(absl::StrCat("old-", i));
      request.mutable_due_date()->set_year(2025);  // long past: due at start-up
      creates.push_back(AsActionRequest(std::move(request)));
    }
    for (const auto& out : casework::testing::RunActions(engine, std::move(creates))) {
      ASSERT_TRUE(out.response.ok()) << out.response.status();
    }
  }
  // Kill during firing (after the first batch reports) until a run gets to
  // serving; each round fires more.
  bool served = false;
  int rounds = 0;
  for (; rounds < 10 && !served; ++rounds) {
    FILE* err = nullptr;
    pid_t pid = StartCaseworkd(data, &err);
    char line[512];
    int batches = 0;
    while (fgets(line, sizeof line, err) != nullptr) {
      std::string s(line);
      if (s.find("serving on") != std::string::npos) served = true;
      if (s.find("timers:") != std::string::npos) ++batches;
      if (served || batches > rounds) break;  // kill later and later
    }
    kill(pid, SIGKILL);
    while (fgets(line, sizeof line, err) != nullptr) {}
    fclose(err);
    int status = 0;
    waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(served) << "caseworkd never finished firing in " << rounds << " rounds";

  StoreOptions options;
  options.path = data;
  std::unique_ptr<EventStore> store = *EventStore::Open(options);
  absl::flat_hash_map<std::string, int> misses;
  ASSERT_TRUE(store->ScanLog(1, [&](const v1::EventEnvelope& e) {
    if (absl::EndsWith(e.payload().type_url(), ".DeadlineMissed")) ++misses[e.stream()];
    return true;
  }).ok());
  EXPECT_EQ(misses.size(), static_cast<size_t>(kActions));
  for (const auto& [stream, count] : misses) EXPECT_EQ(count, 1) << stream;
  absl::TimeZone london;
  absl::LoadTimeZone("Europe/London", &london);
  absl::StatusOr<VerifyReport> report = VerifyStore(*store, london);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty());
  EXPECT_EQ(report->timers, 0u);
  std::printf("timer crash rounds=%d actions=%d fired_once=%zu\n", rounds, kActions, misses.size());
}

}  // namespace
}  // namespace casework::storage
