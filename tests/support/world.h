// An in-memory stand-in for the engine and its store, for pure workflow tests:
// streams, their states and the read-model rows they imply, with commands run
// exactly as the engine runs them (numbering, natural keys, expected
// versions, the transition table, appliers, the landing check and the row
// namespace check) but nothing written to disk and no threads.
//
// Events render as one readable line each (RenderEvent), the way leveldb's
// tests render writes, so a test states what it expects as text:
//
//   World world;
//   world.Given(PolicyStream("eastbrook"), PolicyPublished(...));
//   Outcome out = world.When(kReceiveApplication, request);
//   EXPECT_THAT(out.events, ElementsAre("ApplicationReceived{...}", ...));
#ifndef CASEWORK_TESTS_SUPPORT_WORLD_H_
#define CASEWORK_TESTS_SUPPORT_WORLD_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "casework/v1/common.pb.h"
#include "casework/v1/events.pb.h"
#include "google/protobuf/message.h"
#include "workflow/kernel/registry.h"
#include "workflow/kernel/workflow.h"
#include "workflow/time/calendar.h"

namespace casework::testing {

// "Type{field: value ...}": the event's short type name and its fields on one
// line.
std::string RenderEvent(const google::protobuf::Message& event);

// What one command did in a World.
struct Outcome {
  // OK, or the error the command was refused with (nothing was recorded).
  absl::Status status;
  // The stream it ran on.
  std::string stream;
  // The events it recorded, rendered.
  std::vector<std::string> events;
  // The serialised reply, when OK.
  std::string reply;
};

class World {
 public:
  // Runs `registry`'s workflows; the clock starts at `now` (Europe/London
  // dates), the calendar is the bundled England and Wales one.
  explicit World(absl::Time now, const workflow::Registry& registry);
  World(const World&) = default;
  World& operator=(const World&) = default;

  void SetNow(absl::Time now) { now_ = now; }
  absl::Time now() const { return now_; }
  // Who runs the commands (default: eastbrook-council/u-test/caseworker).
  void SetActor(const std::string& agency, const std::string& user, const std::string& role);

  // Appends events to `stream` as if a command had recorded them.
  void Given(const std::string& stream, workflow::Events events);

  // Runs `type` with `request` like the engine: see the top of this file.
  Outcome Run(const workflow::CommandType& type, const google::protobuf::Message& request);
  template <typename Request>
  Outcome When(workflow::CommandName<Request> name, const Request& request) {
    return Run(CommandOf(name), request);
  }
  // Fires timer `name` of `stream` (the built-in timer command).
  Outcome FireTimer(const std::string& stream, const std::string& name);

  // The command `name` of the registry's workflows (aborts if none).
  template <typename Request>
  const workflow::CommandType& CommandOf(workflow::CommandName<Request> name) const {
    for (const workflow::Workflow* w : registry_->workflows()) {
      if (const workflow::CommandType* c = w->FindCommand(name.name);
          c != nullptr && c->request_type() == Request::descriptor()) {
        return *c;
      }
    }
    AbortWithMessage(std::string("no registered command ") + std::string(name.name));
  }

  // The state of `stream` (an empty state for an unknown stream of a
  // registered workflow; null for a stream no workflow owns).
  std::shared_ptr<const google::protobuf::Message> State(const std::string& stream) const;
  template <typename T>
  const T& StateAs(const std::string& stream) {
    held_.push_back(State(stream));
    return workflow::kernel_internal::As<T>(*held_.back());
  }
  std::string StateName(const std::string& stream) const;
  int64_t Version(const std::string& stream) const;
  // Every event of `stream`, rendered.
  std::vector<std::string> Events(const std::string& stream) const;
  // Every row, by key.
  const std::map<std::string, std::string>& rows() const { return rows_; }
  // How many rows decisions have read through scan_range and scan_rows.
  int64_t rows_scanned() const { return rows_scanned_; }

  // A decision context on `stream` over this world (for calling pure
  // functions directly).
  workflow::DecideContext Context(const std::string& stream);

 private:
  struct Stream {
    const workflow::Workflow* workflow = nullptr;
    std::shared_ptr<google::protobuf::Message> state;
    int64_t version = 0;
    std::vector<v1::EventEnvelope> events;
  };
  Stream& StreamOf(const std::string& stream);
  absl::Status Append(const std::string& stream, const workflow::CommandType* type,
                      workflow::Events events);

  const workflow::Registry* registry_;
  absl::Time now_;
  absl::TimeZone london_;
  std::shared_ptr<const workflow::Calendar> calendar_;
  v1::Actor actor_;
  uint64_t position_ = 0;
  std::map<std::string, Stream> streams_;
  std::map<std::string, int64_t> sequences_;
  std::map<std::string, std::string> rows_;
  int64_t rows_scanned_ = 0;
  std::vector<std::shared_ptr<const google::protobuf::Message>> held_;
};

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_SUPPORT_WORLD_H_
