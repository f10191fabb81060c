// A real engine on a real RocksDB directory, for tests of the engine and the
// workflows below the gRPC layer: commands are submitted as the services
// submit them and the test waits for their outcome.
#ifndef CASEWORK_TESTS_SUPPORT_ENGINE_HARNESS_H_
#define CASEWORK_TESTS_SUPPORT_ENGINE_HARNESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "casework/v1/actions.pb.h"
#include "gtest/gtest.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "tests/support/test_support.h"
#include "workflow/kernel/workflow.h"

namespace casework::testing {

// What one command returned through an engine.
struct EngineOutcome {
  absl::StatusOr<std::string> reply;
  bool replayed = false;
};

// Submits `request` of command `type` (as a service would, acting for
// `agency`) and waits for its outcome.
EngineOutcome RunCommand(storage::Engine& engine, const workflow::CommandType& type,
                         std::shared_ptr<const google::protobuf::Message> request,
                         const std::string& agency = "eastbrook-council");

// Submits every command together (Engine::SubmitAll: one group when they
// fit) and waits for all outcomes, returned in submission order.
std::vector<EngineOutcome> RunCommands(
    storage::Engine& engine,
    std::vector<std::pair<const workflow::CommandType*,
                          std::shared_ptr<const google::protobuf::Message>>>
        commands);

// An action command's outcome.
struct ActionOutcome {
  absl::StatusOr<v1::ActionResponse> response;
  bool replayed = false;
};
// A request of any action command.
using ActionRequest = std::shared_ptr<const google::protobuf::Message>;
template <typename Request>
ActionRequest AsActionRequest(Request request) {
  return std::make_shared<const Request>(std::move(request));
}

// Runs the action command that takes `request`'s type.
ActionOutcome RunAction(storage::Engine& engine, ActionRequest request,
                        const std::string& agency = "eastbrook-council");
template <typename Request>
ActionOutcome RunAction(storage::Engine& engine, const Request& request,
                        const std::string& agency = "eastbrook-council") {
  return RunAction(engine, AsActionRequest(request), agency);
}
// Runs every action command at once.
std::vector<ActionOutcome> RunActions(storage::Engine& engine, std::vector<ActionRequest> requests);

// A store and an engine in a temporary directory, with a manual clock.
class EngineHarness : public ::testing::Test {
 protected:
  explicit EngineHarness(absl::Time start) : clock_(start) {}
  void SetUp() override { Open(); }
  void TearDown() override { Close(); }

  void Open(std::shared_ptr<storage::FaultInjector> faults = nullptr,
            storage::EngineOptions engine_options = {});
  void Close();
  void Reopen();

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<storage::EventStore> store_;
  std::unique_ptr<storage::Engine> engine_;
};

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_SUPPORT_ENGINE_HARNESS_H_
