#include "tests/support/engine_harness.h"

#include <condition_variable>
#include <mutex>

#include "workflow/actions/commands.h"

namespace casework::testing {
namespace {

storage::Command Prepare(const workflow::CommandType& type,
                         std::shared_ptr<const google::protobuf::Message> request,
                         const std::string& agency) {
  storage::Command c = storage::MakeCommand(type, std::move(request), TestCalendar());
  c.meta.actor.set_agency(agency);
  c.meta.actor.set_user("u-test");
  c.meta.actor.set_role("caseworker");
  return c;
}

const workflow::CommandType& ActionCommandFor(const google::protobuf::Message& request) {
  for (const workflow::CommandType* c : workflow::actions::ActionWorkflow().commands()) {
    if (c->request_type() == request.GetDescriptor()) return *c;
  }
  AbortWithMessage("no action command takes " + request.GetDescriptor()->full_name());
}

ActionOutcome ToAction(EngineOutcome outcome) {
  ActionOutcome out;
  out.replayed = outcome.replayed;
  if (!outcome.reply.ok()) {
    out.response = outcome.reply.status();
  } else {
    v1::ActionResponse response;
    response.ParseFromString(*outcome.reply);
    out.response = std::move(response);
  }
  return out;
}

}  // namespace

std::vector<EngineOutcome> RunCommands(
    storage::Engine& engine,
    std::vector<std::pair<const workflow::CommandType*,
                          std::shared_ptr<const google::protobuf::Message>>>
        commands) {
  std::vector<EngineOutcome> outcomes(commands.size());
  std::mutex mu;
  std::condition_variable cv;
  size_t remaining = commands.size();
  std::vector<storage::Command> prepared;
  for (size_t i = 0; i < commands.size(); ++i) {
    storage::Command c = Prepare(*commands[i].first, std::move(commands[i].second),
                                 "eastbrook-council");
    c.done = [&, i](absl::StatusOr<std::string> reply, bool replayed) {
      std::lock_guard<std::mutex> lock(mu);
      outcomes[i].reply = std::move(reply);
      outcomes[i].replayed = replayed;
      if (--remaining == 0) cv.notify_all();
    };
    prepared.push_back(std::move(c));
  }
  engine.SubmitAll(std::move(prepared));
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return remaining == 0; });
  return outcomes;
}

EngineOutcome RunCommand(storage::Engine& engine, const workflow::CommandType& type,
                         std::shared_ptr<const google::protobuf::Message> request,
                         const std::string& agency) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  EngineOutcome outcome;
  storage::Command c = Prepare(type, std::move(request), agency);
  c.done = [&](absl::StatusOr<std::string> reply, bool replayed) {
    std::lock_guard<std::mutex> lock(mu);
    outcome.reply = std::move(reply);
    outcome.replayed = replayed;
    done = true;
    cv.notify_all();
  };
  engine.Submit(std::move(c));
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  return outcome;
}

ActionOutcome RunAction(storage::Engine& engine, ActionRequest request, const std::string& agency) {
  const workflow::CommandType& type = ActionCommandFor(*request);
  return ToAction(RunCommand(engine, type, std::move(request), agency));
}

std::vector<ActionOutcome> RunActions(storage::Engine& engine, std::vector<ActionRequest> requests) {
  std::vector<std::pair<const workflow::CommandType*, std::shared_ptr<const google::protobuf::Message>>>
      commands;
  for (ActionRequest& r : requests) commands.emplace_back(&ActionCommandFor(*r), std::move(r));
  std::vector<ActionOutcome> out;
  for (EngineOutcome& o : RunCommands(engine, std::move(commands))) out.push_back(ToAction(std::move(o)));
  return out;
}

void EngineHarness::Open(std::shared_ptr<storage::FaultInjector> faults,
                         storage::EngineOptions engine_options) {
  storage::StoreOptions options;
  options.path = dir_.Sub("data");
  options.faults = std::move(faults);
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
  engine_ = std::make_unique<storage::Engine>(store_.get(), &clock_, engine_options);
}

void EngineHarness::Close() {
  engine_.reset();
  store_.reset();
}

void EngineHarness::Reopen() {
  Close();
  Open();
}

}  // namespace casework::testing
