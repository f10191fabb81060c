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
//
// The load generator drains a completion queue whose tags are calls: every
// event of a call's tag is handed to Proceed(), and the call is finished
// (OnFinished, then deleted) once Proceed returns true. A unary call has one
// event (its Finish); a client-streaming call one per step.
class Call {
 public:
  virtual ~Call() = default;
  // Starts the call on `cq` with the call itself as its tag.
  virtual void Start(grpc::CompletionQueue* cq) = 0;
  // One event of the call's tag; `ok` as the completion queue reported it.
  // True once `status` is final.
  virtual bool Proceed(bool ok) = 0;
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
  bool Proceed(bool) override { return true; }
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

// A client-streaming call of `Stub`: `prepare` is the stub's
// PrepareAsync<Method>. Writes `requests` one after the other (the last with
// WriteLast), then finishes. `check` (optional) may turn an OK reply into an
// error, e.g. when items of the stream failed; `on_ok` then sees the reply.
template <typename Stub, typename Request, typename Response>
class ClientStreamCall final : public Call {
 public:
  using Prepare = std::unique_ptr<grpc::ClientAsyncWriter<Request>> (Stub::*)(
      grpc::ClientContext*, Response*, grpc::CompletionQueue*);

  ClientStreamCall(Stub* stub, Prepare prepare, std::vector<Request> requests,
                   std::function<grpc::Status(const Response&)> check,
                   std::function<void(const Response&)> on_ok)
      : stub_(stub),
        prepare_(prepare),
        requests_(std::move(requests)),
        check_(std::move(check)),
        on_ok_(std::move(on_ok)) {}

  void Start(grpc::CompletionQueue* cq) override {
    writer_ = (stub_->*prepare_)(&context, &response_, cq);
    step_ = Step::kStarting;
    writer_->StartCall(this);
  }
  bool Proceed(bool ok) override {
    switch (step_) {
      case Step::kStarting:
      case Step::kWriting:
        if (ok && next_ < requests_.size()) {
          const Request& r = requests_[next_++];
          step_ = Step::kWriting;
          if (next_ == requests_.size()) {
            writer_->WriteLast(r, grpc::WriteOptions(), this);
          } else {
            writer_->Write(r, this);
          }
          return false;
        }
        if (ok && requests_.empty()) {
          step_ = Step::kClosing;
          writer_->WritesDone(this);
          return false;
        }
        // All written (the last with WriteLast), or the stream broke: the
        // status says which.
        step_ = Step::kFinishing;
        writer_->Finish(&status, this);
        return false;
      case Step::kClosing:
        step_ = Step::kFinishing;
        writer_->Finish(&status, this);
        return false;
      case Step::kFinishing:
        if (status.ok() && check_) status = check_(response_);
        return true;
    }
    return true;
  }
  void OnFinished() override {
    if (status.ok() && on_ok_) on_ok_(response_);
  }

 private:
  enum class Step { kStarting, kWriting, kClosing, kFinishing };
  Stub* const stub_;
  const Prepare prepare_;
  const std::vector<Request> requests_;
  const std::function<grpc::Status(const Response&)> check_;
  const std::function<void(const Response&)> on_ok_;
  size_t next_ = 0;
  Step step_ = Step::kStarting;
  Response response_;
  std::unique_ptr<grpc::ClientAsyncWriter<Request>> writer_;
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

// Deduces the template arguments of ClientStreamCall from `prepare`.
template <typename Stub, typename Request, typename Response>
std::unique_ptr<Call> MakeStreamCall(
    Stub* stub,
    std::unique_ptr<grpc::ClientAsyncWriter<Request>> (Stub::*prepare)(
        grpc::ClientContext*, Response*, grpc::CompletionQueue*),
    std::vector<typename NonDeduced<Request>::type> requests,
    std::function<grpc::Status(const typename NonDeduced<Response>::type&)> check = nullptr,
    std::function<void(const typename NonDeduced<Response>::type&)> on_ok = nullptr) {
  return std::make_unique<ClientStreamCall<Stub, Request, Response>>(
      stub, prepare, std::move(requests), std::move(check), std::move(on_ok));
}

// One row of an operation mix.
struct Operation {
  std::string name;
  // Relative weight in the mix.
  int weight = 1;
  // Builds the next call of this kind with the calling slot's generator;
  // `slot` (0 to in_flight - 1) lets a workload spread slots over several
  // connections. Runs on the main or a completion thread; must be
  // thread-safe.
  std::function<std::unique_ptr<Call>(absl::BitGen& rng, int slot)> make;
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
