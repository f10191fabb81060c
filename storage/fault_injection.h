// Test hook that makes the data directory's file writes fail on demand, and
// can stand in for the free-space figure of its filesystem, to prove that a
// failed write or sync is never acknowledged and that a full disk is managed
// (see EventStore::write_status). Production code passes no injector.
#ifndef CASEWORK_STORAGE_FAULT_INJECTION_H_
#define CASEWORK_STORAGE_FAULT_INJECTION_H_

#include <atomic>
#include <cstdint>
#include <optional>

namespace casework::storage {

class FaultInjector {
 public:
  // While set, every append, flush and sync of a file the store writes fails
  // with an I/O error. Thread-safe.
  void FailWrites(bool fail) { mode_.store(fail ? kIoError : kNone); }
  // While set, every append, flush and sync fails as a full disk does
  // (ENOSPC: "No space left on device"). Thread-safe.
  void FailWritesNoSpace(bool fail) { mode_.store(fail ? kNoSpace : kNone); }
  bool failing() const { return mode_.load() != kNone; }
  bool failing_no_space() const { return mode_.load() == kNoSpace; }
  // How many file operations have been failed so far.
  uint64_t failures() const { return failures_.load(); }
  void CountFailure() { failures_.fetch_add(1); }

  // While set, the store takes this as the free space of the data directory's
  // filesystem instead of asking the kernel (statvfs). Thread-safe.
  void SetFreeBytes(std::optional<uint64_t> free_bytes) {
    free_bytes_.store(free_bytes.has_value() ? static_cast<int64_t>(*free_bytes) : -1);
  }
  std::optional<uint64_t> free_bytes() const {
    const int64_t value = free_bytes_.load();
    if (value < 0) return std::nullopt;
    return static_cast<uint64_t>(value);
  }

 private:
  enum Mode { kNone, kIoError, kNoSpace };
  std::atomic<int> mode_{kNone};
  std::atomic<uint64_t> failures_{0};
  std::atomic<int64_t> free_bytes_{-1};
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_FAULT_INJECTION_H_
