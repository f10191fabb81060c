// The machine the bench runs on: a scratch directory for its data, a
// one-line description for the report, and a CPU meter.
#ifndef CASEWORK_BENCH_MACHINE_H_
#define CASEWORK_BENCH_MACHINE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace casework::bench {

// A fresh directory, removed with its contents when the object dies.
class ScratchDir {
 public:
  // Under `parent`; empty: $TMPDIR, else /tmp.
  static absl::StatusOr<std::unique_ptr<ScratchDir>> Create(std::string parent);
  ~ScratchDir();
  std::string Sub(absl::string_view name) const { return absl::StrCat(path_, "/", name); }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  const std::string path_;
};

// "2 CPUs, <model>, 23.5 GiB RAM, kernel 6.1.0; data on ext4".
std::string DescribeMachine(const std::string& data_dir);

// CPU seconds per second of a CPU-time counter between Start() and Cores().
class CpuMeter {
 public:
  explicit CpuMeter(std::function<absl::StatusOr<double>()> read) : read_(std::move(read)) {}
  void Start();
  std::optional<double> Cores() const;

 private:
  const std::function<absl::StatusOr<double>()> read_;
  absl::StatusOr<double> start_cpu_ = absl::UnavailableError("not started");
  absl::Time start_;
};

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_MACHINE_H_
