// Spawning, watching and reaping benchmark servers; see child_process.h.
#include "bench/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace casework::bench {
namespace {

constexpr size_t kHeadLines = 200;
constexpr size_t kTailLines = 50;
constexpr size_t kKeptLines = 10000;

absl::Status ErrnoError(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(std::vector<std::string> argv,
                                                                  std::vector<std::string> keep) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command line");
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return ErrnoError("fork");
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int null_fd = open("/dev/null", O_RDWR);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(pipe_fds[1], 2) < 0) {
      _exit(127);
    }
    execv(args[0], args.data());
    static constexpr char kExecFailed[] = "cannot execute ";
    if (write(2, kExecFailed, sizeof(kExecFailed) - 1) >= 0 &&
        write(2, args[0], strlen(args[0])) >= 0) {
      static_cast<void>(write(2, "\n", 1));
    }
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string name = argv[0].substr(argv[0].rfind('/') + 1);
  return std::unique_ptr<ChildProcess>(
      new ChildProcess(std::move(name), pid, pipe_fds[0], std::move(keep)));
}

ChildProcess::ChildProcess(std::string name, pid_t pid, int stderr_fd,
                           std::vector<std::string> keep)
    : name_(std::move(name)),
      pid_(pid),
      keep_(std::move(keep)),
      reader_([this, stderr_fd] { ReadStderr(stderr_fd); }) {}

ChildProcess::~ChildProcess() { Stop(absl::Seconds(5)).IgnoreError(); }

void ChildProcess::ReadStderr(int fd) {
  std::string pending;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1) {
      std::string line = pending.substr(start, end - start);
      std::lock_guard<std::mutex> lock(mu_);
      for (const std::string& needle : keep_) {
        if (kept_.size() < kKeptLines && absl::StrContains(line, needle)) {
          kept_.push_back(line);
          break;
        }
      }
      if (head_.size() < kHeadLines) {
        head_.push_back(std::move(line));
      } else {
        tail_.push_back(std::move(line));
        if (tail_.size() > kTailLines) tail_.pop_front();
      }
      cv_.notify_all();
    }
    pending.erase(0, start);
  }
  close(fd);
  std::lock_guard<std::mutex> lock(mu_);
  if (!pending.empty()) tail_.push_back(pending);
  eof_ = true;
  cv_.notify_all();
}

absl::StatusOr<std::string> ChildProcess::WaitForLine(absl::string_view needle,
                                                      absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  std::string found;
  auto find_in = [&](const auto& lines) {
    for (const std::string& line : lines) {
      if (absl::StrContains(line, needle)) {
        found = line;
        return true;
      }
    }
    return false;
  };
  auto seen = [&] { return find_in(head_) || find_in(tail_) || eof_; };
  if (!cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), seen)) {
    return absl::DeadlineExceededError(
        absl::StrCat(name_, " printed no \"", needle, "\" within ", absl::FormatDuration(timeout)));
  }
  if (found.empty()) {
    return absl::UnavailableError(absl::StrCat(name_, " exited before printing \"", needle, "\""));
  }
  return found;
}

absl::StatusOr<double> ChildProcess::PeakRssMb() const {
  std::ifstream status(absl::StrCat("/proc/", pid_, "/status"));
  for (std::string line; std::getline(status, line);) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "VmHWM:")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, "kB");
    double kib = 0;
    if (absl::SimpleAtod(absl::StripAsciiWhitespace(rest), &kib)) return kib / 1024.0;
  }
  return absl::UnavailableError(absl::StrCat("no VmHWM in /proc/", pid_, "/status"));
}

absl::StatusOr<double> ChildProcess::CpuSeconds() const { return ProcessCpuSeconds(pid_); }

absl::StatusOr<double> ProcessCpuSeconds(pid_t pid) {
  const std::string path = pid == 0 ? "/proc/self/stat" : absl::StrCat("/proc/", pid, "/stat");
  std::ifstream file(path);
  std::string stat;
  std::getline(file, stat);
  // Fields after the parenthesised command name: state is field 3, utime 14
  // and stime 15 (man 5 proc).
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(paren + 2), ' ');
  uint64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::UnavailableError(absl::StrCat("unexpected format of ", path));
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

absl::StatusOr<double> MachineCpuSeconds() {
  std::ifstream file("/proc/stat");
  std::string cpu;
  uint64_t busy = 0;
  file >> cpu;  // "cpu": the sum over all CPUs
  // user nice system idle iowait irq softirq steal (guest time is in user).
  for (int field = 0; field < 8; ++field) {
    uint64_t ticks = 0;
    if (!(file >> ticks)) return absl::UnavailableError("unexpected format of /proc/stat");
    if (field != 3 && field != 4) busy += ticks;
  }
  if (cpu != "cpu") return absl::UnavailableError("unexpected format of /proc/stat");
  return static_cast<double>(busy) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

absl::Status ChildProcess::ResetPeakRss() const {
  std::ofstream clear_refs(absl::StrCat("/proc/", pid_, "/clear_refs"));
  clear_refs << "5";
  clear_refs.flush();
  if (!clear_refs) return absl::UnavailableError("cannot write /proc/PID/clear_refs");
  return absl::OkStatus();
}

bool ChildProcess::Exited() {
  int status = 0;
  if (!wait_status_.has_value() && waitpid(pid_, &status, WNOHANG) == pid_) wait_status_ = status;
  return wait_status_.has_value();
}

absl::Status ChildProcess::Stop(absl::Duration grace) {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  const bool exited_early = Exited();
  bool killed = false;
  if (!exited_early) {
    kill(pid_, SIGTERM);
    const absl::Time deadline = absl::Now() + grace;
    while (!Exited() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
    if (!Exited()) {
      kill(pid_, SIGKILL);
      killed = true;
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      wait_status_ = status;
    }
  }
  if (reader_.joinable()) reader_.join();
  if (killed) {
    return absl::DeadlineExceededError(
        absl::StrCat(name_, " did not exit within ", absl::FormatDuration(grace), " of SIGTERM"));
  }
  const int status = *wait_status_;
  if (!exited_early && WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(
      name_, exited_early ? " had exited before it was stopped" : " did not stop cleanly", " (",
      WIFSIGNALED(status) ? "signal " : "exit status ",
      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), "); stderr tail:\n",
      StderrTail()));
}

std::string ChildProcess::StderrTail() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> lines;
  const size_t from_head = head_.size() > 10 && tail_.empty() ? head_.size() - 10 : 0;
  for (size_t i = from_head; i < head_.size() && tail_.empty(); ++i) lines.push_back(head_[i]);
  for (size_t i = tail_.size() > 10 ? tail_.size() - 10 : 0; i < tail_.size(); ++i) {
    lines.push_back(tail_[i]);
  }
  return absl::StrJoin(lines, "\n");
}

std::vector<std::string> ChildProcess::LinesContaining(absl::string_view needle) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> lines;
  const bool kept = std::find(keep_.begin(), keep_.end(), needle) != keep_.end();
  if (kept) {
    for (const std::string& line : kept_) {
      if (absl::StrContains(line, needle)) lines.push_back(line);
    }
    return lines;
  }
  for (const std::string& line : head_) {
    if (absl::StrContains(line, needle)) lines.push_back(line);
  }
  for (const std::string& line : tail_) {
    if (absl::StrContains(line, needle)) lines.push_back(line);
  }
  return lines;
}

absl::StatusOr<ServerProcess> StartServer(std::vector<std::string> argv, absl::Duration timeout,
                                          std::vector<std::string> keep) {
  ServerProcess server;
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start(std::move(argv), std::move(keep));
  if (!process.ok()) return process.status();
  server.process = *std::move(process);
  absl::StatusOr<std::string> line = server.process->WaitForLine("serving on", timeout);
  if (!line.ok()) {
    return absl::Status(line.status().code(), absl::StrCat(line.status().message(), "; stderr:\n",
                                                           server.process->StderrTail()));
  }
  absl::string_view rest = *line;
  const size_t at = rest.find("(port ");
  int port = 0;
  if (at == absl::string_view::npos ||
      !absl::SimpleAtoi(rest.substr(at + 6, rest.find(')', at) - at - 6), &port) || port <= 0) {
    return absl::InternalError(absl::StrCat("no port in \"", *line, "\""));
  }
  server.address = absl::StrCat("127.0.0.1:", port);
  return server;
}

}  // namespace casework::bench
