// Fires durable timers. Every timer whose time has come is turned into the
// built-in command of its workflow that fires it ("casework.internal.Timers/Fire",
// Workflow::timer_command) through the normal engine pipeline. The command's request_id is the timer's identity
// (stream, name, generation), so a timer fires exactly once even if it is
// picked up twice or the process dies half-way; and the state change it
// records removes the timer in the same atomic write.
#ifndef CASEWORK_SERVICES_TIMER_WORKER_H_
#define CASEWORK_SERVICES_TIMER_WORKER_H_

#include <functional>
#include <memory>
#include <vector>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/calendar_provider.h"
#include "services/placement.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "workflow/kernel/registry.h"

namespace casework::services {

class TimerWorker {
 public:
  // All pointers must outlive the worker. With `hosted`, only the timers of
  // workflows whose gRPC service it accepts fire (a split deployment's
  // process, on a copy of a data directory that held every workflow, leaves
  // the others' timers alone: their records are served elsewhere). With
  // `placement`, only the timers of the partnerships it holds fire (and
  // those of no partnership, as a calendar's): a partnership placed
  // elsewhere, or nowhere while it moves, changes nowhere but where it is.
  TimerWorker(const storage::EventStore* store, storage::Engine* engine, const Clock* clock,
              const CalendarProvider* calendars, const workflow::Registry* registry,
              std::function<bool(absl::string_view service)> hosted = nullptr,
              std::shared_ptr<const Placement> placement = nullptr);
  ~TimerWorker();

  // Fires every timer due at clock->Now() and waits until each fire command
  // has completed. Returns how many timers recorded an event.
  absl::StatusOr<int> FireDue();

  // Starts a thread that calls FireDue every `poll` (real time) until Stop().
  // The server calls FireDue once itself before it starts serving, so timers
  // that fell due while it was down fire at start-up.
  void Start(absl::Duration poll);
  void Stop();

  // Timers that recorded an event since the worker was made.
  uint64_t fired_total() const { return fired_total_.load(); }

 private:
  absl::StatusOr<int> FireBatch(
      const std::vector<std::pair<std::string, internal::TimerRecord>>& due);

  const storage::EventStore* store_;
  storage::Engine* engine_;
  const Clock* clock_;
  const CalendarProvider* calendars_;
  const workflow::Registry* registry_;
  const std::function<bool(absl::string_view service)> hosted_;
  const std::shared_ptr<const Placement> placement_;

  std::atomic<uint64_t> fired_total_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_TIMER_WORKER_H_
