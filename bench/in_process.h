// A storage::Engine on a data directory of its own, inside casework-bench,
// for the figures that need one writer and exact writer holds: history
// growth, threshold evaluation, intake. Commands are built as the services
// build them (storage::MakeCommand) after the workflow validated them.
#ifndef CASEWORK_BENCH_IN_PROCESS_H_
#define CASEWORK_BENCH_IN_PROCESS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "privacy/sealer.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "workflow/kernel/workflow.h"
#include "workflow/time/calendar.h"

namespace casework::bench {

class InProcessEngine {
 public:
  // Opens (creating) the data directory `dir` with the WAL synced or not,
  // and starts an engine on it whose clock stands at `now` (London dates).
  // With `sealer`, personal fields are sealed (docs/data-protection.md).
  static absl::StatusOr<std::unique_ptr<InProcessEngine>> Open(
      const std::string& dir, bool sync, absl::Time now,
      std::shared_ptr<privacy::Sealer> sealer = nullptr);
  // Stops the engine and closes the store (which flushes its memtables).
  ~InProcessEngine();

  // Closes and opens the data directory again, with the WAL synced or not.
  // The engine starts with an empty state cache, the store with a cold block
  // cache and every write flushed to table files.
  absl::Status Reopen(bool sync);

  // The command for `request` of command `name` of `workflow`, acting as
  // `role` of `agency`; INVALID_ARGUMENT if the workflow's validation
  // refuses the request.
  template <typename Request>
  absl::StatusOr<storage::Command> Make(const workflow::Workflow& workflow,
                                        workflow::CommandName<Request> name, Request request,
                                        const char* role = "caseworker",
                                        const char* agency = "eastbrook-council") const {
    return MakeFor(workflow.Command(name), std::make_shared<const Request>(std::move(request)),
                   role, agency);
  }
  absl::StatusOr<storage::Command> MakeFor(const workflow::CommandType& type,
                                           std::shared_ptr<const google::protobuf::Message> request,
                                           const char* role, const char* agency) const;

  // Runs every command (queued EngineOptions::max_group_commands at a time,
  // as one group each) and waits for all; the replies in order, or the first
  // error.
  absl::StatusOr<std::vector<std::string>> RunAll(std::vector<storage::Command> commands);

  // One command alone: its reply, how long it held the writer (from
  // EngineStats::holds) and how long from Submit to its reply.
  struct Timed {
    std::string reply;
    absl::Duration hold;
    absl::Duration latency;
  };
  absl::StatusOr<Timed> RunTimed(storage::Command command);

  storage::Engine& engine() { return *engine_; }
  storage::EventStore& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  absl::CivilDay today() const;

 private:
  InProcessEngine(std::string dir, absl::Time now, absl::TimeZone zone,
                  std::shared_ptr<const workflow::Calendar> calendar);
  absl::Status Start(bool sync);
  void Stop();

  const std::string dir_;
  std::shared_ptr<privacy::Sealer> sealer_;
  const absl::TimeZone zone_;
  const std::shared_ptr<const workflow::Calendar> calendar_;
  ManualClock clock_;
  std::unique_ptr<storage::EventStore> store_;
  std::unique_ptr<storage::Engine> engine_;
};

// Bytes of the regular files under `dir`.
uint64_t DirectoryBytes(const std::string& dir);

// Writes a new random master key (64 hex digits, mode 0600) to `path`.
void WriteMasterKey(const std::string& path);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_IN_PROCESS_H_
