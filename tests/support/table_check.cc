#include "tests/support/table_check.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "casework/v1/errors.pb.h"
#include "tests/support/test_support.h"

namespace casework::testing {
namespace {

struct Runner {
  const workflow::Workflow& workflow;
  const workflow::Registry& registry;
  const WorkflowExamples& examples;
  std::vector<std::string>& problems;

  // The command a step names: the workflow's own, or for a step elsewhere
  // any registered workflow's.
  const workflow::CommandType* Find(const Step& step) const {
    if (const workflow::CommandType* own = workflow.FindCommand(step.command)) return own;
    if (!step.elsewhere) return nullptr;
    for (const workflow::Workflow* w : registry.workflows()) {
      if (const workflow::CommandType* other = w->FindCommand(step.command)) return other;
    }
    return nullptr;
  }

  // Runs `step` on `stream` (which becomes the stream it ran on).
  Outcome RunStep(World& world, const Step& step, std::string& stream) {
    const workflow::CommandType* type = Find(step);
    if (type == nullptr) {
      Outcome out;
      out.status = absl::NotFoundError(absl::StrCat("no command ", step.command));
      return out;
    }
    std::unique_ptr<google::protobuf::Message> request = step.request(stream);
    Outcome out = world.Run(*type, *request);
    if (!step.elsewhere && !out.stream.empty()) stream = out.stream;
    return out;
  }
};

}  // namespace

std::vector<std::string> CheckTable(const workflow::Workflow& workflow,
                                    const workflow::Registry& registry,
                                    const WorkflowExamples& examples, absl::Time now) {
  std::vector<std::string> problems;
  Runner runner{workflow, registry, examples, problems};
  const workflow::TransitionTable& table = workflow.transitions();
  std::set<std::tuple<std::string, std::string, std::string>> reached;

  for (const workflow::CommandType* command : workflow.commands()) {
    if (!examples.requests.count(std::string(command->name()))) {
      problems.push_back(absl::StrCat("no example request for command ", command->name()));
    }
  }
  if (!problems.empty()) return problems;

  // A world with a stream in `state`, reached by `path`; false (and a
  // problem) if the path fails or ends elsewhere.
  auto reach = [&](const std::string& state, const std::vector<Step>& path, World& world,
                   std::string& stream) {
    if (examples.setup) examples.setup(world);
    stream = examples.new_stream;
    for (const Step& step : path) {
      Outcome out = runner.RunStep(world, step, stream);
      if (!out.status.ok()) {
        problems.push_back(absl::StrCat("path to ", state, ": ", step.command,
                                        " failed: ", out.status.ToString()));
        return false;
      }
    }
    if (world.StateName(stream) != state) {
      problems.push_back(absl::StrCat("path to ", state, " ends in state ",
                                      world.StateName(stream)));
      return false;
    }
    return true;
  };

  // The states the table can reach, in the workflow's order.
  std::set<std::string> reachable = {std::string(workflow::kNewState)};
  for (const workflow::Transition& row : table.transitions()) {
    for (absl::string_view to : row.to) reachable.emplace(to);
  }
  for (const std::string& state : workflow.states()) {
    if (!reachable.count(state)) continue;
    World base(now, registry);
    std::string stream;
    auto path = examples.paths.find(state);
    if (state != workflow::kNewState && path == examples.paths.end()) {
      problems.push_back(absl::StrCat("no example path to state ", state));
      continue;
    }
    if (!reach(state, state == workflow::kNewState ? std::vector<Step>() : path->second, base,
               stream)) {
      continue;
    }

    for (const workflow::CommandType* command : workflow.commands()) {
      const std::string name(command->name());
      const workflow::Transition* row = table.Find(state, name);
      std::vector<WorkflowExamples::Case> cases;
      for (const WorkflowExamples::Case& c : examples.cases) {
        if (c.state == state && c.step.command == name) cases.push_back(c);
      }
      if (cases.empty()) cases.push_back({state, {}, {name, examples.requests.at(name)}});
      for (const WorkflowExamples::Case& c : cases) {
        World world = base;
        std::string target = stream;
        if (!c.path.empty()) {
          world = World(now, registry);
          if (!reach(state, c.path, world, target)) continue;
        }
        bool prelude_ok = true;
        for (const Step& step : c.prelude) {
          Outcome out = runner.RunStep(world, step, target);
          if (!out.status.ok() || world.StateName(target) != state) {
            problems.push_back(absl::StrCat(state, " ", name, ": prelude ", step.command,
                                            " failed or left the state: ", out.status.ToString()));
            prelude_ok = false;
            break;
          }
        }
        if (!prelude_ok) continue;
        const int64_t version_before = world.Version(target);
        const std::string in_state = target;
        Outcome out = runner.RunStep(world, c.step, target);
        if (command->target() == workflow::Target::kCreate && state != workflow::kNewState &&
            out.stream != in_state) {
          continue;  // it made another stream: not a command on this one
        }
        if (row != nullptr) {
          if (!out.status.ok()) {
            problems.push_back(absl::StrCat(state, " ", name, ": the table allows it but the example ",
                                            "was refused: ", out.status.ToString()));
            continue;
          }
          reached.emplace(state, name, world.StateName(target));
          continue;
        }
        // Not allowed: refused, nothing written.
        if (world.Version(target) != version_before || !out.events.empty()) {
          problems.push_back(absl::StrCat(state, " ", name, ": not in the table but wrote events"));
        }
        if (state == workflow::kNewState && command->target() == workflow::Target::kExisting) {
          if (out.status.code() != absl::StatusCode::kNotFound) {
            problems.push_back(absl::StrCat(state, " ", name, ": want NOT_FOUND on a stream with ",
                                            "no events, got ", out.status.ToString()));
          }
          continue;
        }
        std::optional<v1::IllegalTransition> detail = DetailOf<v1::IllegalTransition>(out.status);
        if (out.status.code() != absl::StatusCode::kFailedPrecondition || !detail.has_value()) {
          problems.push_back(absl::StrCat(state, " ", name, ": want FAILED_PRECONDITION with an ",
                                          "IllegalTransition, got ", out.status.ToString()));
          continue;
        }
        const std::vector<std::string> allowed(detail->allowed_commands().begin(),
                                               detail->allowed_commands().end());
        if (detail->current_state() != state || detail->command() != name ||
            allowed != table.Allowed(state)) {
          problems.push_back(absl::StrCat(
              state, " ", name, ": IllegalTransition says state ", detail->current_state(),
              ", command ", detail->command(), ", allowed [", absl::StrJoin(allowed, ", "),
              "]; want [", absl::StrJoin(table.Allowed(state), ", "), "]"));
        }
      }
    }
  }

  for (const workflow::Transition& row : table.transitions()) {
    for (absl::string_view to : row.to) {
      if (!reached.count({std::string(row.from), std::string(row.command), std::string(to)})) {
        problems.push_back(absl::StrCat(row.from, " ", row.command, " -> ", to,
                                        ": no example reaches it"));
      }
    }
  }
  return problems;
}

}  // namespace casework::testing
