// A closed-loop gRPC load generator on the async CompletionQueue API.
//
// `in_flight` slots each keep exactly one call outstanding: when a call
// finishes, its slot picks the next operation from a weighted mix and starts
// it at once. A level runs a warm-up, then a measured window; calls that both
// start and finish inside the window make the throughput and latency figures.
// Every non-OK reply counts as an error, warm-up included.
#ifndef CASEWORK_BENCH_LOAD_H_
#define CASEWORK_BENCH_LOAD_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace casework::bench {

// One call. Built by an Operation, then owned by the load generator.
class Call {
 public:
  virtual ~Call() = default;
  // Starts the call on `cq` with the call itself as its tag.
  virtual void Start(grpc::CompletionQueue* cq) = 0;
  // Runs on a completion thread once `status` is known.
  virtual void OnFinished() = 0;

  grpc::ClientContext context;
  grpc::Status status;
  // Set by the load generator.
  int slot = 0;
  int operation = 0;
  std::chrono::steady_clock::time_point start;
};

// A unary call of `Stub`: `prepare` is the stub's PrepareAsync<Method>.
template <typename Stub, typename Request, typename Response>
class UnaryCall final : public Call {
 public:
  using Prepare = std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> (Stub::*)(
      grpc::ClientContext*, const Request&, grpc::CompletionQueue*);

  UnaryCall(Stub* stub, Prepare prepare, Request request,
            std::function<void(const Response&)> on_ok)
      : stub_(stub), prepare_(prepare), request_(std::move(request)), on_ok_(std::move(on_ok)) {}

  void Start(grpc::CompletionQueue* cq) override {
    reader_ = (stub_->*prepare_)(&context, request_, cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status, this);  // may complete (and delete us) at once
  }
  void OnFinished() override {
    if (status.ok() && on_ok_) on_ok_(response_);
  }

 private:
  Stub* const stub_;
  const Prepare prepare_;
  const Request request_;
  const std::function<void(const Response&)> on_ok_;
  Response response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader_;
};

template <typename T>
struct NonDeduced {
  using type = T;
};

// Deduces the template arguments of UnaryCall from `prepare`. `on_ok`
// (optional) sees the response of a successful call.
template <typename Stub, typename Request, typename Response>
std::unique_ptr<Call> MakeCall(
    Stub* stub,
    std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> (Stub::*prepare)(
        grpc::ClientContext*, const Request&, grpc::CompletionQueue*),
    typename NonDeduced<Request>::type request,
    std::function<void(const typename NonDeduced<Response>::type&)> on_ok = nullptr) {
  return std::make_unique<UnaryCall<Stub, Request, Response>>(stub, prepare, std::move(request),
                                                              std::move(on_ok));
}

// One row of an operation mix.
struct Operation {
  std::string name;
  // Relative weight in the mix.
  int weight = 1;
  // Builds the next call of this kind with the calling slot's generator.
  // Runs on the main or a completion thread; must be thread-safe.
  std::function<std::unique_ptr<Call>(absl::BitGen& rng)> make;
};

struct LevelOptions {
  int in_flight = 1;
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(5);
  // Stop starting calls after this many in all (0: no limit).
  uint64_t max_calls = 0;
  // Stop starting calls once this many failed (0: no limit), so that a dead
  // server fails a level fast.
  uint64_t max_errors = 1000;
  // Deadline of every call.
  absl::Duration call_deadline = absl::Seconds(10);
  // Threads draining the completion queue.
  int completion_threads = 2;
  // Called (on the calling thread) as the measured window opens (true) and
  // closes (false), e.g. to sample CPU counters. Optional.
  std::function<void(bool opens)> on_window;
};

struct LatencySummary {
  uint64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};

struct OperationResult {
  std::string name;
  int weight = 0;
  uint64_t ok_calls = 0;  // in the window
  uint64_t errors = 0;    // warm-up included
  LatencySummary latency;
};

struct LevelResult {
  int in_flight = 0;
  double seconds = 0;                       // length of the measured window
  uint64_t ok_calls = 0;                    // successful calls inside the window
  double calls_per_s = 0;                   // ok_calls / seconds
  uint64_t errors = 0;                      // non-OK replies, warm-up included
  LatencySummary latency;                   // successful calls inside the window
  std::vector<OperationResult> operations;  // in mix order
  std::vector<std::string> error_samples;   // a few, "Operation: CODE message"
};

// Runs `mix` as described above. Errors in replies are counted, not
// returned; the status is an error only for a bad mix or if calls fail to
// drain within their deadlines.
absl::StatusOr<LevelResult> RunLevel(const std::vector<Operation>& mix,
                                     const LevelOptions& options);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_LOAD_H_
