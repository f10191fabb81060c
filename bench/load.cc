// The closed-loop load generator; see load.h.
#include "bench/load.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace casework::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kErrorSamples = 5;

// `sorted_us` ascending, in microseconds.
LatencySummary Summarise(const std::vector<float>& sorted_us) {
  LatencySummary s;
  s.count = sorted_us.size();
  if (sorted_us.empty()) return s;
  auto at = [&](double q) {  // nearest rank
    size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted_us.size())));
    return sorted_us[std::clamp<size_t>(rank, 1, sorted_us.size()) - 1] / 1000.0;
  };
  s.p50_ms = at(0.50);
  s.p90_ms = at(0.90);
  s.p99_ms = at(0.99);
  s.p999_ms = at(0.999);
  s.max_ms = sorted_us.back() / 1000.0;
  return s;
}

class LevelRun {
 public:
  LevelRun(const std::vector<Operation>& mix, const LevelOptions& options)
      : mix_(mix), options_(options), slots_(static_cast<size_t>(options.in_flight)) {
    for (const Operation& op : mix_) total_weight_ += op.weight;
  }

  absl::StatusOr<LevelResult> Run() {
    start_ = SteadyClock::now();
    measure_start_ = start_ + absl::ToChronoNanoseconds(options_.warmup);
    end_ = measure_start_ + absl::ToChronoNanoseconds(options_.duration);
    active_slots_ = options_.in_flight;
    for (int i = 0; i < options_.completion_threads; ++i) {
      pollers_.emplace_back([this] { Poll(); });
    }
    for (int slot = 0; slot < options_.in_flight; ++slot) Next(slot);
    auto wait_until = [&](SteadyClock::time_point t) {  // true once every slot retired
      std::unique_lock<std::mutex> lock(mu_);
      return cv_.wait_until(lock, t, [&] { return active_slots_ == 0; });
    };
    if (!wait_until(measure_start_)) {  // else a call limit ended the level early
      if (options_.on_window) options_.on_window(true);
      wait_until(end_);
      if (options_.on_window) options_.on_window(false);
    }
    // Every call has a deadline, so the slots drain by then.
    if (!wait_until(end_ + absl::ToChronoNanoseconds(options_.call_deadline + absl::Seconds(30)))) {
      return absl::DeadlineExceededError("calls did not drain within their deadlines");
    }
    cq_.Shutdown();
    for (std::thread& t : pollers_) t.join();
    pollers_.clear();
    return Collect();
  }

 private:
  struct Sample {
    int operation;
    float latency_us;
  };
  struct Slot {
    absl::BitGen rng;
    std::vector<Sample> samples;
    std::vector<uint64_t> errors_by_operation;
    std::vector<std::string> error_samples;
  };

  // Starts the slot's next call, or retires the slot when the level is over.
  void Next(int slot_index) {
    Slot& slot = slots_[slot_index];
    const SteadyClock::time_point now = SteadyClock::now();
    const bool over = now >= end_ || (options_.max_errors > 0 && errors_ >= options_.max_errors) ||
                      (options_.max_calls > 0 && issued_.fetch_add(1) >= options_.max_calls);
    if (over) {
      std::lock_guard<std::mutex> lock(mu_);
      if (--active_slots_ == 0) cv_.notify_all();
      return;
    }
    int op = 0;
    for (int pick = absl::Uniform(slot.rng, 0, total_weight_); pick >= mix_[op].weight; ++op) {
      pick -= mix_[op].weight;
    }
    std::unique_ptr<Call> call = mix_[op].make(slot.rng, slot_index);
    call->slot = slot_index;
    call->operation = op;
    call->start = now;
    call->context.set_deadline(std::chrono::system_clock::now() +
                               absl::ToChronoNanoseconds(options_.call_deadline));
    call.release()->Start(&cq_);
  }

  void Poll() {
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
      Call* call = static_cast<Call*>(tag);
      if (call->Proceed(ok)) Finished(std::unique_ptr<Call>(call));
    }
  }

  // The slot's previous call is done, so nothing else touches the slot.
  void Finished(std::unique_ptr<Call> call) {
    call->OnFinished();
    const SteadyClock::time_point now = SteadyClock::now();
    Slot& slot = slots_[call->slot];
    if (!call->status.ok()) {
      ++errors_;
      if (slot.errors_by_operation.empty()) slot.errors_by_operation.resize(mix_.size());
      ++slot.errors_by_operation[call->operation];
      if (slot.error_samples.size() < kErrorSamples) {
        slot.error_samples.push_back(absl::StrCat(
            mix_[call->operation].name, ": ",
            absl::StatusCodeToString(static_cast<absl::StatusCode>(call->status.error_code())), " ",
            call->status.error_message()));
      }
    } else if (call->start >= measure_start_ && now <= end_) {
      const auto latency = std::chrono::duration<float, std::micro>(now - call->start);
      slot.samples.push_back({call->operation, latency.count()});
    }
    const int slot_index = call->slot;
    call.reset();
    Next(slot_index);
  }

  LevelResult Collect() {
    LevelResult r;
    r.in_flight = options_.in_flight;
    r.seconds =
        std::chrono::duration<double>(std::min(end_, SteadyClock::now()) - measure_start_).count();
    std::vector<float> all;
    std::vector<std::vector<float>> by_op(mix_.size());
    r.operations.resize(mix_.size());
    for (size_t i = 0; i < mix_.size(); ++i) {
      r.operations[i].name = mix_[i].name;
      r.operations[i].weight = mix_[i].weight;
    }
    for (Slot& slot : slots_) {
      for (const Sample& s : slot.samples) {
        all.push_back(s.latency_us);
        by_op[s.operation].push_back(s.latency_us);
      }
      for (size_t i = 0; i < slot.errors_by_operation.size(); ++i) {
        r.operations[i].errors += slot.errors_by_operation[i];
        r.errors += slot.errors_by_operation[i];
      }
      for (std::string& e : slot.error_samples) {
        if (r.error_samples.size() < kErrorSamples &&
            std::find(r.error_samples.begin(), r.error_samples.end(), e) == r.error_samples.end()) {
          r.error_samples.push_back(std::move(e));
        }
      }
    }
    std::sort(all.begin(), all.end());
    r.latency = Summarise(all);
    r.ok_calls = all.size();
    r.calls_per_s = r.seconds > 0 ? static_cast<double>(r.ok_calls) / r.seconds : 0;
    for (size_t i = 0; i < mix_.size(); ++i) {
      std::sort(by_op[i].begin(), by_op[i].end());
      r.operations[i].latency = Summarise(by_op[i]);
      r.operations[i].ok_calls = by_op[i].size();
    }
    return r;
  }

  const std::vector<Operation>& mix_;
  const LevelOptions options_;
  int total_weight_ = 0;
  std::vector<Slot> slots_;
  grpc::CompletionQueue cq_;
  std::vector<std::thread> pollers_;
  SteadyClock::time_point start_, measure_start_, end_;
  std::atomic<uint64_t> issued_{0};
  std::atomic<uint64_t> errors_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  int active_slots_ = 0;  // guarded by mu_
};

}  // namespace

absl::StatusOr<LevelResult> RunLevel(const std::vector<Operation>& mix,
                                     const LevelOptions& options) {
  if (mix.empty() || options.in_flight < 1 || options.completion_threads < 1) {
    return absl::InvalidArgumentError("empty mix, or no slot or completion thread");
  }
  for (const Operation& op : mix) {
    if (op.weight <= 0 || !op.make) {
      return absl::InvalidArgumentError(absl::StrCat("operation ", op.name, " has no weight"));
    }
  }
  auto run = std::make_unique<LevelRun>(mix, options);
  absl::StatusOr<LevelResult> result = run->Run();
  // Calls that outlived their deadlines still reference the run: leak it
  // rather than free memory gRPC may yet write to. The caller fails the run.
  if (!result.ok()) static_cast<void>(run.release());
  return result;
}

}  // namespace casework::bench
