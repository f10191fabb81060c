// The store's files and start-up: RocksDB's info log on stderr, the checks
// made before anything is touched and their messages, and taking back what a
// failed start created (store_internal.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/store_internal.h"
#include "workflow/common/status.h"

namespace casework::storage::store_internal {

std::string Mib(uint64_t bytes) {
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / static_cast<double>(kMiB));
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::UnavailableError(message);
}

bool IsSpaceError(const rocksdb::Status& s) {
  return s.IsNoSpace() || s.subcode() == rocksdb::Status::kSpaceLimit ||
         absl::StrContains(s.ToString(), "No space left on device");
}

// One line on stderr, written whole so that concurrent lines never
// interleave. Control characters become spaces: a line is one line.
void LogLine(absl::string_view line) {
  std::string out = absl::StrCat("caseworkd: ", line);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  out.push_back('\n');
  // Intentionally ignored: a lost log line must not fail anything.
  ssize_t ignored = ::write(STDERR_FILENO, out.data(), out.size());
  (void)ignored;
}

namespace {

// RocksDB's info log, routed to stderr instead of a LOG file in the data
// directory: an info log on a full data volume must not bring the process
// down, and a failed start must not leave a file behind. Warnings and
// errors only, at most kLinesPerSecond lines a second (the rest are counted
// and reported with the next line).
class StderrLogger final : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;

  void Logv(const char* format, va_list ap) override {
    char buffer[1024];
    std::vsnprintf(buffer, sizeof buffer, format, ap);
    absl::string_view text(buffer);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text.empty()) return;
    uint64_t suppressed = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const auto now = std::chrono::steady_clock::now();
      if (now - window_start_ >= std::chrono::seconds(1)) {
        window_start_ = now;
        lines_ = 0;
      }
      if (++lines_ > kLinesPerSecond) {
        ++suppressed_;
        return;
      }
      suppressed = suppressed_;
      suppressed_ = 0;
    }
    if (suppressed > 0) {
      LogLine(absl::StrCat("rocksdb: (", suppressed, " more lines suppressed)"));
    }
    LogLine(absl::StrCat("rocksdb: ", text));
  }

 private:
  static constexpr int kLinesPerSecond = 20;
  std::mutex mu_;
  std::chrono::steady_clock::time_point window_start_;
  int lines_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> InfoLog() {
  static const std::shared_ptr<rocksdb::Logger>* logger =
      new std::shared_ptr<rocksdb::Logger>(std::make_shared<StderrLogger>());
  return *logger;
}

// --- Start-up checks and their messages --------------------------------

absl::Status OpenFailure(absl::StatusCode code, absl::string_view reason,
                         absl::string_view message) {
  return ErrorWithReason(code, reason, message);
}

absl::Status NotADirectory(const std::string& path, const struct stat& st) {
  const char* what = S_ISREG(st.st_mode) ? "a regular file" : "not a directory";
  return OpenFailure(absl::StatusCode::kFailedPrecondition, "DATA_DIR_NOT_A_DIRECTORY",
                     absl::StrCat("data directory ", path, " is not a directory (it is ", what,
                                  "); give --data_dir a directory, or a path to create one"));
}

absl::Status PermissionDenied(const std::string& path, int error) {
  return OpenFailure(absl::StatusCode::kPermissionDenied, "DATA_DIR_PERMISSION_DENIED",
                     absl::StrCat("data directory ", path, " cannot be written: ",
                                  std::strerror(error),
                                  "; run caseworkd as a user that may write it"));
}

absl::Status NoSpace(const std::string& path, uint64_t free_bytes, uint64_t floor) {
  return OpenFailure(absl::StatusCode::kResourceExhausted, "DISK_SPACE_LOW",
                     absl::StrCat("not enough free disk space for data directory ", path, ": ",
                                  Mib(free_bytes), " free, the floor is ", Mib(floor),
                                  "; free some space (or lower the floor) and start again"));
}

// Free bytes of the filesystem holding `path` (or its nearest existing
// ancestor); nullopt if the kernel cannot say.
std::optional<uint64_t> StatFree(std::string path) {
  for (;;) {
    struct statvfs st;
    if (statvfs(path.c_str(), &st) == 0) {
      return static_cast<uint64_t>(st.f_bavail) * static_cast<uint64_t>(st.f_frsize);
    }
    if (errno != ENOENT) return std::nullopt;
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (parent.empty() || parent.string() == path) return std::nullopt;
    path = parent.string();
  }
}

// What RocksDB said when it would not open `path`, as our error.
absl::Status ClassifyOpenError(const rocksdb::Status& s, const std::string& path,
                               bool had_current) {
  const std::string said = s.ToString();
  if (s.IsIOError() && (absl::StrContains(said, "lock") || absl::StrContains(said, "LOCK"))) {
    return OpenFailure(absl::StatusCode::kUnavailable, "DATA_DIR_LOCKED",
                       absl::StrCat("data directory ", path,
                                    " is in use by another process (its LOCK is held: ", said,
                                    "); stop that process or use another data directory"));
  }
  if (absl::StrContains(said, "Permission denied") ||
      absl::StrContains(said, "Read-only file system")) {
    return OpenFailure(absl::StatusCode::kPermissionDenied, "DATA_DIR_PERMISSION_DENIED",
                       absl::StrCat("data directory ", path, " cannot be written: ", said,
                                    "; run caseworkd as a user that may write it"));
  }
  if (IsSpaceError(s)) {
    return OpenFailure(absl::StatusCode::kResourceExhausted, "DISK_SPACE_LOW",
                       absl::StrCat("not enough free disk space for data directory ", path,
                                    ": ", said, "; free some space and start again"));
  }
  if (s.IsCorruption() ||
      (had_current && (s.IsNotFound() || s.IsPathNotFound() ||
                       absl::StrContains(said, "No such file or directory")))) {
    return OpenFailure(absl::StatusCode::kDataLoss, "DATA_DIR_DAMAGED",
                       absl::StrCat("data directory ", path, " is damaged and cannot be opened: ",
                                    said, "; restore it from a backup"));
  }
  if (s.IsInvalidArgument()) {
    return OpenFailure(absl::StatusCode::kFailedPrecondition, "DATA_DIR_WRONG_FORMAT",
                       absl::StrCat("data directory ", path,
                                    " is not a casework data directory: ", said));
  }
  return OpenFailure(absl::StatusCode::kUnavailable, "DATA_DIR_OPEN_FAILED",
                     absl::StrCat("cannot open data directory ", path, ": ", said));
}

namespace {

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::set<std::string> ListDir(const std::string& path) {
  std::set<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

}  // namespace

DirSnapshot Snapshot(const std::string& path, bool created) {
  DirSnapshot snapshot;
  snapshot.created = created;
  if (!created) {
    snapshot.files = ListDir(path);
    snapshot.current = ReadSmallFile(path + "/CURRENT");
  }
  return snapshot;
}

// Removes what a failed open attempt created: the directory if it made it;
// else the new files, unless CURRENT changed (then RocksDB had made them part
// of the database). Holds the directory's lock meanwhile, so that nothing
// another process has just opened is touched; if the lock cannot be taken,
// removes nothing.
void TakeBack(const std::string& path, const DirSnapshot& before) {
  std::error_code error;
  if (before.created) {
    std::filesystem::remove_all(path, error);
    return;
  }
  if (ReadSmallFile(path + "/CURRENT") != before.current) return;
  const std::string lock_path = path + "/LOCK";
  const bool had_lock_file = before.files.count("LOCK") > 0;
  int fd = ::open(lock_path.c_str(), O_RDWR | (had_lock_file ? 0 : O_CREAT), 0644);
  if (fd < 0) return;
  struct flock lock;
  std::memset(&lock, 0, sizeof lock);
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (fcntl(fd, F_SETLK, &lock) != 0) {
    ::close(fd);
    return;
  }
  for (const std::string& name : ListDir(path)) {
    if (before.files.count(name) > 0 || name == "LOCK") continue;
    std::filesystem::remove_all(std::filesystem::path(path) / name, error);
  }
  if (!had_lock_file) std::filesystem::remove(lock_path, error);
  ::close(fd);  // releases the lock
}

}  // namespace casework::storage::store_internal
