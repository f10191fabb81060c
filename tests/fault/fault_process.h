// The fault harness's side of caseworkd as a child process: starting it,
// reaping it, asking its health, and filling its disk.
#ifndef CASEWORK_TESTS_FAULT_FAULT_PROCESS_H_
#define CASEWORK_TESTS_FAULT_FAULT_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

namespace casework::fault {

struct Child {
  pid_t pid = 0;
  int port = 0;
};

// Starts caseworkd on `data_dir` (sealing with `master_key_file` unless it
// is empty; `min_free_mb` is its free-space floor) and waits until it
// listens. Exits the harness if it does not start.
Child StartServer(const std::string& binary, const std::string& data_dir,
                  const std::string& master_key_file, int64_t min_free_mb = 1);

// Waits for the child to end; its wait status.
int Reap(pid_t pid);

// Free MiB of the filesystem holding `path`.
int64_t FreeMiB(const std::string& path);

// Writes `mib` MiB to `name`; returns whether all of it was written.
bool WriteBallast(const std::string& name, int64_t mib);

// "SERVING", "NOT_SERVING" or "error", from grpc.health.v1.Health/Check.
std::string Health(const std::shared_ptr<grpc::Channel>& channel);

}  // namespace casework::fault

#endif  // CASEWORK_TESTS_FAULT_FAULT_PROCESS_H_
