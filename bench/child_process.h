// A server process started by casework-bench: stdin and stdout on /dev/null,
// stderr read line by line by a background thread (so the child never blocks
// on a full pipe), peak RSS from /proc, and a stop that always reaps. The
// child is SIGKILLed by the kernel if casework-bench itself dies.
#ifndef CASEWORK_BENCH_CHILD_PROCESS_H_
#define CASEWORK_BENCH_CHILD_PROCESS_H_

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace casework::bench {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with `argv`. Call from the main thread: the
  // death signal is tied to the thread that starts the child. Every stderr
  // line containing one of `keep` is kept (see LinesContaining), however
  // many lines come before and after it.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(std::vector<std::string> argv,
                                                             std::vector<std::string> keep = {});
  // Stop(5s) unless stopped already.
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The first stderr line containing `needle`. DEADLINE_EXCEEDED after
  // `timeout`; UNAVAILABLE if the child closed stderr (exited) first. Only the
  // first 200 and the last 50 lines are kept.
  absl::StatusOr<std::string> WaitForLine(absl::string_view needle, absl::Duration timeout);

  // Peak resident set size (VmHWM) in MiB since start or the last
  // ResetPeakRss().
  absl::StatusOr<double> PeakRssMb() const;
  // Restarts the VmHWM count (writes 5 to /proc/PID/clear_refs). Fails on
  // kernels or sandboxes that do not allow it; VmHWM then covers the whole
  // lifetime.
  absl::Status ResetPeakRss() const;

  // CPU time (user + system) the child has used so far, in seconds.
  absl::StatusOr<double> CpuSeconds() const;

  // True once the child has exited (it is then reaped).
  bool Exited();

  // SIGTERM, up to `grace` to exit, then SIGKILL; always reaps. OK only for
  // a clean exit with status 0 after the SIGTERM: a child that had exited
  // on its own is an error. Later calls return OK and do nothing.
  absl::Status Stop(absl::Duration grace);

  // The last stderr lines, for error messages.
  std::string StderrTail() const;

  // The stderr lines so far that contain `needle`, in order: every kept line
  // (see Start) and any other among the first 200 and the last 50.
  std::vector<std::string> LinesContaining(absl::string_view needle) const;

 private:
  ChildProcess(std::string name, pid_t pid, int stderr_fd, std::vector<std::string> keep);
  void ReadStderr(int fd);

  const std::string name_;
  const pid_t pid_;
  bool stopped_ = false;
  std::optional<int> wait_status_;  // set once reaped

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> head_;  // guarded by mu_
  std::deque<std::string> tail_;   // guarded by mu_
  const std::vector<std::string> keep_;
  std::vector<std::string> kept_;  // guarded by mu_; lines matching keep_
  bool eof_ = false;               // guarded by mu_
  std::thread reader_;
};

// CPU time (user + system) used so far by process `pid` (0: this process),
// in seconds, from /proc/PID/stat.
absl::StatusOr<double> ProcessCpuSeconds(pid_t pid);

// CPU time all processes of the machine have spent busy (not idle, not
// waiting for I/O) so far, in seconds, from /proc/stat.
absl::StatusOr<double> MachineCpuSeconds();

// A started server and the loopback address it listens on.
struct ServerProcess {
  std::unique_ptr<ChildProcess> process;
  std::string address;  // "127.0.0.1:PORT"
};

// Starts a server that listens on 127.0.0.1 and announces itself with a
// stderr line "...serving on HOST:PORT (port N)..." (caseworkd and the
// baselines), and waits up to `timeout` for that line. `keep` as for
// ChildProcess::Start.
absl::StatusOr<ServerProcess> StartServer(std::vector<std::string> argv, absl::Duration timeout,
                                          std::vector<std::string> keep = {});

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_CHILD_PROCESS_H_
