// A small filesystem for disk-full tests: a tmpfs mounted for the life of an
// object (CI runs as root), and a ballast file that fills it.
#ifndef CASEWORK_TESTS_STORAGE_SMALL_FILESYSTEM_H_
#define CASEWORK_TESTS_STORAGE_SMALL_FILESYSTEM_H_

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"

namespace casework::testing {

// A tmpfs of `bytes` mounted at `path` (created if missing) until the object
// dies, even when a test fails half-way. mounted() is false where mounting
// is not allowed; tests then use an injected file system instead.
class SmallFilesystem {
 public:
  SmallFilesystem(std::string path, uint64_t bytes) : path_(std::move(path)) {
    std::error_code ignored;
    std::filesystem::create_directories(path_, ignored);
    const std::string options = absl::StrCat("size=", bytes, ",mode=0755");
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0;
  }
  ~SmallFilesystem() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool mounted_ = false;
};

// Appends to file `name` until the filesystem is full or `limit` bytes were
// written; returns the bytes written.
inline uint64_t FillWithBallast(const std::string& name, uint64_t limit = UINT64_MAX) {
  int fd = ::open(name.c_str(), O_CREAT | O_WRONLY | O_APPEND, 0644);
  if (fd < 0) return 0;
  uint64_t written = 0;
  for (size_t chunk : {size_t{1} << 20, size_t{4096}}) {
    const std::string block(chunk, 'b');
    while (written < limit) {
      ssize_t n = ::write(fd, block.data(), std::min<uint64_t>(block.size(), limit - written));
      if (n <= 0) break;
      written += static_cast<uint64_t>(n);
    }
  }
  ::fsync(fd);
  ::close(fd);
  return written;
}

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_STORAGE_SMALL_FILESYSTEM_H_
