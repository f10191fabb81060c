#include "tests/fault/fault_process.h"

#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace casework::fault {

Child StartServer(const std::string& binary, const std::string& data_dir,
                  const std::string& master_key_file, int64_t min_free_mb) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    std::vector<std::string> args = {"caseworkd",
                                     "--listen=127.0.0.1:0",
                                     "--data_dir=" + data_dir,
                                     "--request_log=false",
                                     "--drain_notice_seconds=0",
                                     "--rate_limit_per_second=0",
                                     absl::StrCat("--min_free_disk_mb=", min_free_mb)};
    if (!master_key_file.empty()) args.push_back("--master_key_file=" + master_key_file);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  FILE* err = fdopen(fds[0], "r");
  Child child{pid, 0};
  char line[512];
  while (child.port == 0 && fgets(line, sizeof line, err) != nullptr) {
    std::string s(line);
    size_t at = s.find("(port ");
    if (at != std::string::npos) {
      (void)absl::SimpleAtoi(s.substr(at + 6, s.find(')', at) - at - 6), &child.port);
    }
  }
  // Keep draining stderr so the child never blocks on a full pipe.
  std::thread([err] {
    char buf[512];
    while (fgets(buf, sizeof buf, err) != nullptr) {
    }
    fclose(err);
  }).detach();
  if (child.port == 0) {
    std::fprintf(stderr, "caseworkd did not start\n");
    std::exit(2);
  }
  return child;
}

int Reap(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

int64_t FreeMiB(const std::string& path) {
  struct statvfs st;
  if (statvfs(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(static_cast<uint64_t>(st.f_bavail) * st.f_frsize >> 20);
}

bool WriteBallast(const std::string& name, int64_t mib) {
  FILE* f = std::fopen(name.c_str(), "wb");
  if (f == nullptr) return false;
  const std::string block(1 << 20, 'b');
  bool ok = true;
  for (int64_t i = 0; i < mib && ok; ++i)
    ok = std::fwrite(block.data(), 1, block.size(), f) == block.size();
  ok = std::fflush(f) == 0 && ok;
  fsync(fileno(f));
  std::fclose(f);
  return ok;
}

std::string Health(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::CompletionQueue cq;
  grpc::Slice empty("", 0);
  grpc::ByteBuffer request(&empty, 1);
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &cq);
  call->StartCall();
  grpc::ByteBuffer reply;
  grpc::Status status;
  call->Finish(&reply, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  std::vector<grpc::Slice> slices;
  if (!status.ok() || !reply.Dump(&slices).ok()) return "error";
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  if (bytes == std::string("\x08\x01", 2)) return "SERVING";
  if (bytes == std::string("\x08\x02", 2)) return "NOT_SERVING";
  return "error";
}

}  // namespace casework::fault
