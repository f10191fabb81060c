#include "services/timer_worker.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/registry.h"

namespace casework::services {
namespace {

constexpr int kBatch = 256;

}  // namespace

TimerWorker::TimerWorker(const storage::EventStore* store, storage::Engine* engine,
                         const Clock* clock, const CalendarProvider* calendars,
                         const workflow::Registry* registry,
                         std::function<bool(absl::string_view service)> hosted,
                         std::shared_ptr<const Placement> placement)
    : store_(store),
      engine_(engine),
      clock_(clock),
      calendars_(calendars),
      registry_(registry),
      hosted_(std::move(hosted)),
      placement_(std::move(placement)) {}

TimerWorker::~TimerWorker() { Stop(); }

absl::StatusOr<int> TimerWorker::FireDue() {
  const int64_t now = absl::ToUnixSeconds(clock_->Now());
  int total = 0;
  std::string after;
  for (;;) {
    absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> due =
        store_->DueTimers(now, kBatch, after);
    if (!due.ok()) return due.status();
    if (due->empty()) return total;
    const bool full = static_cast<int>(due->size()) == kBatch;
    after = due->back().first;
    // Timers of workflows served elsewhere, or of partnerships held
    // elsewhere, are passed over.
    if (hosted_ || placement_ != nullptr) {
      due->erase(std::remove_if(due->begin(), due->end(),
                                [&](const auto& entry) {
                                  const std::string& stream = entry.second.stream();
                                  const workflow::Workflow* w = registry_->ForStream(stream);
                                  if (hosted_ && w != nullptr && !hosted_(w->service())) {
                                    return true;
                                  }
                                  const absl::string_view partnership =
                                      workflow::PartnershipOfStream(stream);
                                  return placement_ != nullptr && !partnership.empty() &&
                                         !placement_->Owns(partnership);
                                }),
                 due->end());
    }
    absl::StatusOr<int> fired = FireBatch(*due);
    if (!fired.ok()) return fired.status();
    if (*fired > 0) std::fprintf(stderr, "caseworkd: timers: %d fired\n", *fired);
    fired_total_ += static_cast<uint64_t>(*fired);
    total += *fired;
    // A full batch may have more behind it (read after its last key).
    if (!full) return total;
  }
}

absl::StatusOr<int> TimerWorker::FireBatch(
    const std::vector<std::pair<std::string, internal::TimerRecord>>& due) {
  std::mutex mu;
  std::condition_variable cv;
  size_t remaining = due.size();
  int fired = 0;
  absl::Status first_error;
  for (const auto& [key, timer] : due) {
    if (registry_->ForStream(timer.stream()) == nullptr) {
      return absl::DataLossError(absl::StrCat("timer on unknown stream ", timer.stream()));
    }
  }
  for (const auto& [key, timer] : due) {
    auto request = std::make_shared<internal::FireTimerRequest>();
    request->set_request_id(
        absl::StrCat("timer:", timer.stream(), "#", timer.name(), "@", timer.generation()));
    request->set_stream(timer.stream());
    request->set_name(timer.name());
    request->set_generation(timer.generation());
    storage::Command c =
        storage::MakeCommand(registry_->ForStream(timer.stream())->timer_command(),
                             std::move(request), calendars_->Current());
    c.meta.causation_id = c.meta.request_id;
    c.meta.actor = workflow::EngineActor("timer");
    c.done = [&](absl::StatusOr<std::string> reply, bool replayed) {
      std::lock_guard<std::mutex> lock(mu);
      if (!reply.ok()) {
        if (first_error.ok()) first_error = reply.status();
      } else if (!replayed) {
        v1::CommitInfo commit;
        commit.ParseFromString(*reply);
        if (commit.first_position() != 0) ++fired;
      }
      if (--remaining == 0) cv.notify_all();
    };
    engine_->Submit(std::move(c));
  }
  if (due.empty()) return 0;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return remaining == 0; });
  if (!first_error.ok()) return first_error;
  return fired;
}

void TimerWorker::Start(absl::Duration poll) {
  thread_ = std::thread([this, poll] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, absl::ToChronoNanoseconds(poll), [this] { return stopping_; })) {
      lock.unlock();
      absl::StatusOr<int> fired = FireDue();
      if (!fired.ok()) {
        std::fprintf(stderr, "caseworkd: firing timers failed: %s\n",
                     std::string(fired.status().ToString()).c_str());
      }
      lock.lock();
    }
  });
}

void TimerWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace casework::services
