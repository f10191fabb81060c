#include "bench/machine.h"

#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace casework::bench {

absl::StatusOr<std::unique_ptr<ScratchDir>> ScratchDir::Create(std::string parent) {
  if (parent.empty()) {
    const char* env = std::getenv("TMPDIR");
    parent = env != nullptr && *env != '\0' ? env : "/tmp";
  }
  std::string pattern = parent + "/casework-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot create a directory in ", parent));
  }
  return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string DescribeMachine(const std::string& data_dir) {
  std::string cpu = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (absl::StartsWith(line, "model name")) {
      cpu = std::string(absl::StripAsciiWhitespace(line.substr(line.find(':') + 1)));
      break;
    }
  }
  double mem_gib = 0;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "MemTotal:")) {
      rest = absl::StripAsciiWhitespace(rest);
      absl::ConsumeSuffix(&rest, " kB");
      double kib = 0;
      if (absl::SimpleAtod(rest, &kib)) mem_gib = kib / (1024.0 * 1024.0);
    }
  }
  utsname uts{};
  uname(&uts);
  struct Filesystem {
    unsigned long magic;  // statfs f_type
    const char* name;
  };
  static constexpr Filesystem kFilesystems[] = {
      {0xEF53, "ext4"},
      {0x58465342, "xfs"},
      {0x9123683E, "btrfs"},
      {0x794C7630, "overlayfs"},
      {0x01021994, "tmpfs (fsync is free: not representative)"},
  };
  std::string fs = "an unknown filesystem";
  struct statfs st {};
  if (statfs(data_dir.c_str(), &st) == 0) {
    fs = absl::StrFormat("filesystem 0x%x", static_cast<unsigned long>(st.f_type));
    for (const Filesystem& f : kFilesystems) {
      if (f.magic == static_cast<unsigned long>(st.f_type)) fs = f.name;
    }
  }
  return absl::StrFormat("%d CPUs, %s, %.1f GiB RAM, kernel %s; data on %s",
                         static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)), cpu, mem_gib, uts.release,
                         fs);
}

void CpuMeter::Start() {
  start_cpu_ = read_();
  start_ = absl::Now();
}

std::optional<double> CpuMeter::Cores() const {
  absl::StatusOr<double> now = read_();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
  if (!now.ok() || !start_cpu_.ok() || seconds <= 0) return std::nullopt;
  return (*now - *start_cpu_) / seconds;
}

}  // namespace casework::bench
