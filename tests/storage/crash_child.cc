// Child process of crash_test: appends action commands under load through the
// engine and prints one line per acknowledged command, until it is killed.
//
//   crash_child DATA_DIR ROUND THREADS
//
// Lines (written whole, after the command is durable):
//   C <request_id> <stream> <first_position> <last_position>    CreateAction
//   P <request_id> <stream> <first_position> <last_position>    RecordProgress
//
// Each thread also keeps adding notes to its first action, which grows long.
#include <unistd.h>

#include <cstdio>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/engine.h"
#include "tests/storage/crash_commands.h"
#include "workflow/actions/commands.h"
#include "workflow/time/calendar.h"

namespace {

std::mutex out_mu;

void Emit(const std::string& line) {
  std::lock_guard<std::mutex> lock(out_mu);
  // A killed child may leave a line unwritten; a written line was acknowledged.
  if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) _exit(3);
}

const std::shared_ptr<const casework::workflow::Calendar> calendar =
    std::make_shared<const casework::workflow::Calendar>(
        *casework::workflow::Calendar::FromBankHolidaysJson(
            casework::workflow::BundledBankHolidaysJson(), 1));

// Runs action command `name` with `request`, as ActionService would.
template <typename Request>
absl::StatusOr<casework::v1::ActionResponse> Run(casework::storage::Engine& engine,
                                                 casework::workflow::CommandName<Request> name,
                                                 const Request& request) {
  casework::storage::Command c = casework::storage::MakeCommand(
      casework::workflow::actions::ActionWorkflow().Command(name),
      std::make_shared<const Request>(request), calendar);
  c.meta.actor.set_agency("eastbrook-council");
  c.meta.actor.set_user("crash-child");
  c.meta.actor.set_role("system");
  std::promise<absl::StatusOr<casework::v1::ActionResponse>> promise;
  c.done = [&promise](absl::StatusOr<std::string> reply, bool) {
    if (!reply.ok()) return promise.set_value(reply.status());
    casework::v1::ActionResponse response;
    response.ParseFromString(*reply);
    promise.set_value(response);
  };
  auto future = promise.get_future();
  engine.Submit(std::move(c));
  return future.get();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: crash_child DATA_DIR ROUND THREADS\n");
    return 2;
  }
  casework::storage::StoreOptions options;
  options.path = argv[1];
  const std::string round = argv[2];
  const int threads = std::stoi(argv[3]);
  auto store = casework::storage::EventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(store.status().ToString()).c_str());
    return 1;
  }
  casework::SystemClock clock;
  casework::storage::Engine engine(store->get(), &clock);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        const std::string id = absl::StrCat(round, "-", t, "-", i);
        auto created = Run(engine, casework::workflow::actions::kCreateAction,
                           casework::testing::CrashCreate("c-" + id, t));
        if (!created.ok()) _exit(4);
        const auto& commit = created->commit();
        Emit(absl::StrCat("C c-", id, " ", commit.stream(), " ", commit.first_position(), " ",
                          commit.last_position(), "\n"));
        auto noted = Run(engine, casework::workflow::actions::kRecordProgress,
                         casework::testing::CrashProgress("p-" + id, commit.stream()));
        if (!noted.ok()) _exit(5);
        Emit(absl::StrCat("P p-", id, " ", noted->commit().stream(), " ",
                          noted->commit().first_position(), " ", noted->commit().last_position(),
                          "\n"));
        // Each thread's first action grows long, so its state record lags its
        // tail when the kill comes.
        const std::string first = absl::StrCat("partnerships/crash", t, "/actions/1");
        auto long_note = Run(engine, casework::workflow::actions::kRecordProgress,
                             casework::testing::CrashProgress("q-" + id, first));
        if (!long_note.ok()) _exit(6);
        Emit(absl::StrCat("P q-", id, " ", long_note->commit().stream(), " ",
                          long_note->commit().first_position(), " ",
                          long_note->commit().last_position(), "\n"));
      }
    });
  }
  for (std::thread& w : workers) w.join();
  return 0;
}
