// An in-process engine for casework-bench; see in_process.h.
#include "bench/in_process.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "privacy/cipher.h"
#include "workflow/registry.h"

namespace casework::bench {

absl::StatusOr<std::unique_ptr<InProcessEngine>> InProcessEngine::Open(
    const std::string& dir, bool sync, absl::Time now, std::shared_ptr<privacy::Sealer> sealer) {
  absl::TimeZone london;
  if (!absl::LoadTimeZone("Europe/London", &london)) {
    return absl::FailedPreconditionError("cannot load time zone Europe/London (install tzdata)");
  }
  absl::StatusOr<workflow::Calendar> calendar =
      workflow::Calendar::FromBankHolidaysJson(workflow::BundledBankHolidaysJson(), 1);
  if (!calendar.ok()) return calendar.status();
  std::unique_ptr<InProcessEngine> engine(new InProcessEngine(
      dir, now, london, std::make_shared<const workflow::Calendar>(*std::move(calendar))));
  engine->sealer_ = std::move(sealer);
  if (absl::Status s = engine->Start(sync); !s.ok()) return s;
  return engine;
}

InProcessEngine::InProcessEngine(std::string dir, absl::Time now, absl::TimeZone zone,
                                 std::shared_ptr<const workflow::Calendar> calendar)
    : dir_(std::move(dir)), zone_(zone), calendar_(std::move(calendar)), clock_(now) {}

InProcessEngine::~InProcessEngine() { Stop(); }

absl::Status InProcessEngine::Start(bool sync) {
  storage::StoreOptions options;
  options.path = dir_;
  options.sync = sync;
  options.sealer = sealer_;
  absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
  if (!store.ok()) return store.status();
  store_ = *std::move(store);
  storage::EngineOptions engine_options;
  engine_options.time_zone = zone_;
  engine_ = std::make_unique<storage::Engine>(store_.get(), &clock_, engine_options);
  return absl::OkStatus();
}

void InProcessEngine::Stop() {
  if (engine_ != nullptr) engine_->Stop();
  engine_.reset();
  store_.reset();
}

absl::Status InProcessEngine::Reopen(bool sync) {
  Stop();
  return Start(sync);
}

absl::CivilDay InProcessEngine::today() const { return absl::ToCivilDay(clock_.Now(), zone_); }

absl::StatusOr<storage::Command> InProcessEngine::MakeFor(
    const workflow::CommandType& type, std::shared_ptr<const google::protobuf::Message> request,
    const char* role, const char* agency) const {
  workflow::ValidateContext validate;
  validate.today = today();
  validate.registry = &workflow::Workflows();
  if (absl::Status s = type.Validate(*request, validate); !s.ok()) return s;
  storage::Command command = storage::MakeCommand(type, std::move(request), calendar_);
  command.meta.actor.set_agency(agency);
  command.meta.actor.set_user("u-bench");
  command.meta.actor.set_role(role);
  return command;
}

absl::StatusOr<std::vector<std::string>> InProcessEngine::RunAll(
    std::vector<storage::Command> commands) {
  std::mutex mu;
  std::condition_variable cv;
  size_t remaining = commands.size();
  std::vector<std::string> replies(commands.size());
  absl::Status first_error;
  for (size_t i = 0; i < commands.size(); ++i) {
    commands[i].done = [&, i](absl::StatusOr<std::string> reply, bool) {
      std::lock_guard<std::mutex> lock(mu);
      if (reply.ok()) {
        replies[i] = *std::move(reply);
      } else if (first_error.ok()) {
        first_error = reply.status();
      }
      if (--remaining == 0) cv.notify_all();
    };
  }
  const size_t group = storage::EngineOptions().max_group_commands;
  for (size_t i = 0; i < commands.size(); i += group) {
    std::vector<storage::Command> part;
    for (size_t j = i; j < std::min(commands.size(), i + group); ++j) {
      part.push_back(std::move(commands[j]));
    }
    engine_->SubmitAll(std::move(part));
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return remaining == 0; });
  if (!first_error.ok()) return first_error;
  return replies;
}

absl::StatusOr<InProcessEngine::Timed> InProcessEngine::RunTimed(storage::Command command) {
  const std::string method = command.meta.method;
  auto hold_of = [&](const storage::EngineStats& stats) {
    auto it = stats.holds.find(method);
    return it == stats.holds.end() ? storage::WriterHold{} : it->second;
  };
  const storage::WriterHold before = hold_of(engine_->stats());
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  absl::StatusOr<std::string> reply;
  std::chrono::steady_clock::time_point finished;
  command.done = [&](absl::StatusOr<std::string> r, bool) {
    std::lock_guard<std::mutex> lock(mu);
    reply = std::move(r);
    finished = std::chrono::steady_clock::now();
    done = true;
    cv.notify_all();
  };
  const auto start = std::chrono::steady_clock::now();
  engine_->Submit(std::move(command));
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  }
  if (!reply.ok()) return reply.status();
  const storage::WriterHold after = hold_of(engine_->stats());
  if (after.commands != before.commands + 1) {
    return absl::InternalError(absl::StrCat("the engine counted ", after.commands - before.commands,
                                            " commands of ", method, " instead of one"));
  }
  Timed timed;
  timed.reply = *std::move(reply);
  timed.hold = after.total - before.total;
  timed.latency = absl::FromChrono(finished - start);
  return timed;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    std::error_code ignored;
    if (it->is_regular_file(ignored)) bytes += it->file_size(ignored);
  }
  return bytes;
}

void WriteMasterKey(const std::string& path) {
  {
    std::ofstream out(path);
    out << absl::BytesToHexString(privacy::Key256::Random().view()) << "\n";
  }
  chmod(path.c_str(), 0600);
}

}  // namespace casework::bench
