// What the hardening tests share: a test server's configuration, raw gRPC
// calls, error details, complaint requests, this process's resident memory,
// and the real caseworkd binary run as a child.
//
// The tests, by topic:
//   hardening_disk_test.cc     the data directory's filesystem fills while
//                              commands flow: writes refused, reads answered,
//                              NOT_SERVING, resumed with nothing lost
//   hardening_start_test.cc    the real binary refuses a locked, file, damaged,
//                              unwritable or full data directory and a port in
//                              use, with one clear line and its exit code
//   hardening_readers_test.cc  connections that never read hold bounded
//                              memory; the request log; the drain
//   hardening_limits_test.cc   oversized fields refused naming them, unknown
//                              fields not stored, small pages and replies,
//                              errors that do not echo long input
#ifndef CASEWORK_TESTS_SERVICES_HARDENING_SUPPORT_H_
#define CASEWORK_TESTS_SERVICES_HARDENING_SUPPORT_H_

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "storage/clock.h"

namespace casework::services::hardening {

inline constexpr uint64_t kMiB = uint64_t{1} << 20;
inline const absl::Time kStart =
    absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0), absl::UTCTimeZone());

// Whether this process's resident memory tracks what it holds. Under
// AddressSanitizer it does not: freed memory waits in ASan's quarantine
// (256 MiB by default) before it is reused or returned, so tests that bound
// resident memory check only their other figures there.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kResidentMemoryIsMeaningful = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kResidentMemoryIsMeaningful = false;
#else
inline constexpr bool kResidentMemoryIsMeaningful = true;
#endif
#else
inline constexpr bool kResidentMemoryIsMeaningful = true;
#endif

// A server for one test: port 0, no request log, no background polling.
ServerConfig TestConfig(const std::string& data_dir);

// Starts a server, failing the test (and returning null) if it cannot.
std::unique_ptr<CaseworkServer> MustStart(const ServerConfig& config, const Clock* clock);

std::shared_ptr<grpc::Channel> Connect(int port);

// "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN" or the error, from
// grpc.health.v1.Health/Check of `service` (empty: the whole server), sent
// with `context` (null: a fresh one with the test identity).
std::string Health(const std::shared_ptr<grpc::Channel>& channel, const std::string& service = "",
                   grpc::ClientContext* context = nullptr);

// The ErrorInfo reason of a status ("" if none).
std::string ReasonOf(const grpc::Status& status);

// The only violation of an INVALID_ARGUMENT, as "field | rule | description".
std::string ViolationOf(const grpc::Status& status);

// A valid complaint (partnership eastbrook) named after `id`, with a
// summary of `summary_bytes` bytes.
v1::RecordComplaintRequest ComplaintRequest(const std::string& id, size_t summary_bytes = 0);

// Records `count` complaints through one StreamComplaints call.
v1::StreamComplaintsResponse StreamComplaints(const std::shared_ptr<grpc::Channel>& channel,
                                              int count, size_t summary_bytes,
                                              const std::string& prefix = "s");

// Resident memory of this process after giving free memory back to the
// kernel, in bytes.
uint64_t ResidentBytes();

// --- The real binary -------------------------------------------------------

struct Exited {
  int code = -1;
  std::string err;  // everything it wrote on stderr
};

// Starts caseworkd with `args` as a child; `*out` reads its stderr (and its
// stdout too, with `with_stdout`). With `as_nobody`, the child drops root
// privileges first (uid/gid 65534).
pid_t SpawnCaseworkd(const std::vector<std::string>& args, bool with_stdout, bool as_nobody,
                     int* out);

// Runs caseworkd with `args` to completion, collecting its stdout and
// stderr. With `as_nobody`, drops root privileges first (uid/gid 65534).
Exited RunCaseworkd(const std::vector<std::string>& args, bool as_nobody = false);

// The line of `err` that starts with "caseworkd: cannot start: ".
std::string StartFailure(const std::string& err);

// caseworkd running as a child: its port, and its stderr line by line.
class RunningCaseworkd {
 public:
  explicit RunningCaseworkd(const std::vector<std::string>& args) {
    int err = -1;
    pid_ = SpawnCaseworkd(args, /*with_stdout=*/false, /*as_nobody=*/false, &err);
    reader_ = std::thread([this, fd = err] {
      FILE* err = fdopen(fd, "r");
      char line[1 << 16];
      while (fgets(line, sizeof line, err) != nullptr) {
        std::lock_guard<std::mutex> lock(mu_);
        lines_.emplace_back(line);
        cv_.notify_all();
      }
      fclose(err);
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      cv_.notify_all();
    });
    std::string serving = AwaitLine("(port ");
    const size_t at = serving.find("(port ");
    if (at != std::string::npos) {
      EXPECT_TRUE(absl::SimpleAtoi(serving.substr(at + 6, serving.find(')', at) - at - 6), &port_));
    }
  }
  ~RunningCaseworkd() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  // The first line containing `text`, waiting up to 20 seconds for it.
  std::string AwaitLine(const std::string& text) {
    std::unique_lock<std::mutex> lock(mu_);
    std::string found;
    cv_.wait_for(lock, std::chrono::seconds(20), [&] {
      for (const std::string& l : lines_) {
        if (l.find(text) != std::string::npos) {
          found = l;
          return true;
        }
      }
      return closed_;
    });
    return found;
  }
  // How many lines so far contain `text`.
  int CountLines(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const std::string& l : lines_) n += l.find(text) != std::string::npos;
    return n;
  }
  // Waits up to 20 seconds for `count` lines containing `text`; true if
  // they came.
  bool AwaitLines(const std::string& text, int count) {
    std::unique_lock<std::mutex> lock(mu_);
    auto seen = [&] {
      int n = 0;
      for (const std::string& l : lines_) n += l.find(text) != std::string::npos;
      return n;
    };
    return cv_.wait_for(lock, std::chrono::seconds(20),
                        [&] { return seen() >= count || closed_; }) &&
           seen() >= count;
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = 0;
  int port_ = 0;
  bool reaped_ = false;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  bool closed_ = false;
};

}  // namespace casework::services::hardening

#endif  // CASEWORK_TESTS_SERVICES_HARDENING_SUPPORT_H_
