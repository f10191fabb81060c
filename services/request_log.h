// The server interceptor every call passes through. It
//
//   * writes the request log (when enabled): one JSON object per finished
//     call on stderr, e.g.
//       {"time":"2026-11-21T09:15:02.123Z","method":"/casework.v1.ActionService/CreateAction",
//        "code":"OK","ms":0.41,"peer":"ipv4:127.0.0.1:40122","agency":"eastbrook-council",
//        "user":"u1","reply_bytes":312}
//     Every value that comes from the caller is escaped and cut to a few
//     dozen bytes (the message to a few hundred); at most `log_lines_per_second`
//     lines are written a second, and the next line written after some were
//     dropped says how many ("suppressed":N). A line is written whole (one
//     write), so concurrent calls never interleave within a line;
//   * bounds the memory replies may hold while clients do not read them: a
//     reply of at least `large_reply_bytes` is sent only while the replies
//     waiting for their clients add up to less than `max_reply_backlog_bytes`;
//     otherwise the call fails with RESOURCE_EXHAUSTED and its reply is
//     dropped. A reply's bytes count until its call has finished (the client
//     has taken it, or the connection is gone);
//   * under mutual TLS, resolves who the call is (its certificate's system,
//     a person's bearer token) and stamps it into the call's own metadata
//     for ActorFromMetadata (never into the connection's auth context,
//     which every call of the connection shares);
//   * takes a token from the caller's rate limit (when one is set) and
//     marks a call that found none, for ActorFromMetadata to refuse;
//   * answers a request that does not parse as its method's message with
//     INVALID_ARGUMENT (gRPC itself says UNIMPLEMENTED with no message), and a
//     read whose request holds an enum value the contract does not define
//     with INVALID_ARGUMENT naming the field. (Commands check their enums in
//     their validators, before anything is written.)
#ifndef CASEWORK_SERVICES_REQUEST_LOG_H_
#define CASEWORK_SERVICES_REQUEST_LOG_H_

#include <grpcpp/support/server_interceptor.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/placement.h"
#include "services/rate_limit.h"
#include "services/transport.h"

namespace casework::services {

struct CallGuardOptions {
  // Write the request log. Default: true.
  bool request_log = true;
  // Most request-log lines a second; the rest are counted, not written.
  // Default: 100.
  int log_lines_per_second = 100;
  // Replies of at least this many bytes count against the backlog.
  // Default: 64 KiB.
  size_t large_reply_bytes = 64 << 10;
  // Most bytes of large replies waiting for their clients at once.
  // Default: 64 MiB.
  size_t max_reply_backlog_bytes = 64 << 20;
  // Per-identity rate limit (services/rate_limit.h), or null for none.
  std::shared_ptr<RateLimiter> rate_limiter;
  // Under mutual TLS, who each call is (services/transport.h); null in
  // development mode.
  std::shared_ptr<const TransportIdentityResolver> identity;
  // The deployment's link key (services/outbox.h): a call carrying it in
  // kLinkKeyHeader runs as the engine. Empty: no call does.
  std::string link_key;
  // Called as each call finishes, with its full method name, its code and
  // how long it took (the metrics endpoint: services/metrics.h). Must not
  // block. Null: none.
  std::function<void(const std::string& method, grpc::StatusCode code, absl::Duration latency)>
      on_finished;
  // The partnerships this instance holds (services/placement.h): a unary
  // call whose request names another is refused. Null: every partnership.
  std::shared_ptr<const Placement> placement;
};

// "OK", "INVALID_ARGUMENT", ...: the name of a gRPC status code.
const char* CodeName(grpc::StatusCode code);

// Counters of the calls one server has seen.
struct CallStats {
  int64_t started = 0;         // calls that reached the server
  int64_t finished = 0;        // calls completely done
  int64_t replies_held = 0;    // calls in flight holding a large reply
  int64_t replies_refused = 0; // large replies refused (backlog full)
  int64_t backlog_bytes = 0;   // bytes of large replies held
};

// What the interceptors of one server share. Thread-safe.
class CallGuardState {
 public:
  explicit CallGuardState(CallGuardOptions options) : options_(options) {}
  const CallGuardOptions& options() const { return options_; }

  // Bytes of large replies currently waiting for their clients.
  int64_t reply_backlog_bytes() const { return backlog_.load(); }
  // Reserves `bytes` of the backlog; false (reserving nothing, counting a
  // refusal) if that would exceed the maximum.
  bool ReserveReply(int64_t bytes);
  // Gives back `bytes` reserved by `replies` replies.
  void ReleaseReply(int64_t bytes, int replies);

  CallStats stats() const;
  // Waits until `done(stats())` holds or `timeout` passes; returns whether
  // it holds. For tests and diagnostics.
  bool AwaitStats(const std::function<bool(const CallStats&)>& done, absl::Duration timeout);

  // Call bookkeeping, from the interceptor.
  void CallStarted();
  void CallFinished();

  // Whether a log line may be written now; `*suppressed` is set to the lines
  // dropped since the last one written (and reset).
  bool TakeLogLine(uint64_t* suppressed);

 private:
  void Changed();

  const CallGuardOptions options_;
  std::atomic<int64_t> backlog_{0};
  std::atomic<int64_t> started_{0};
  std::atomic<int64_t> finished_{0};
  std::atomic<int64_t> held_{0};
  std::atomic<int64_t> refused_{0};
  std::atomic<int> waiters_{0};
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
  std::mutex log_mu_;
  int64_t window_second_ = 0;  // guarded by log_mu_
  int lines_in_window_ = 0;    // guarded by log_mu_
  uint64_t suppressed_ = 0;    // guarded by log_mu_
};

class CallGuardFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallGuardFactory(std::shared_ptr<CallGuardState> state) : state_(std::move(state)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::shared_ptr<CallGuardState> state_;
};

// `value` as the inside of a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, cut to at most
// `max_bytes` bytes of input (at a character boundary) with "..." and the
// original length appended when cut.
std::string JsonEscape(absl::string_view value, size_t max_bytes);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_REQUEST_LOG_H_
