// Test hook that makes the data directory's file writes fail on demand, to
// prove that a failed write or sync is never acknowledged (see
// EventStore::write_status). Production code passes no injector.
#ifndef CASEWORK_STORAGE_FAULT_INJECTION_H_
#define CASEWORK_STORAGE_FAULT_INJECTION_H_

#include <atomic>
#include <cstdint>

namespace casework::storage {

class FaultInjector {
 public:
  // While set, every append, flush and sync of a file the store writes fails
  // with an I/O error. Thread-safe.
  void FailWrites(bool fail) { fail_writes_.store(fail); }
  bool failing() const { return fail_writes_.load(); }
  // How many file operations have been failed so far.
  uint64_t failures() const { return failures_.load(); }
  void CountFailure() { failures_.fetch_add(1); }

 private:
  std::atomic<bool> fail_writes_{false};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace casework::storage

#endif  // CASEWORK_STORAGE_FAULT_INJECTION_H_
