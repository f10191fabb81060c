// casework-fault-harness: runs caseworkd as a child process, drives commands
// over gRPC with known request ids and intake references, kills it with
// SIGKILL at random moments, restarts it, and checks that
//   * every acknowledged command is present exactly once (lost, duplicated),
//   * retried requests return their original results,
//   * read models, states, stream indexes and timers equal a full rebuild
//     from the log (mismatched),
//   * every timer that fell due fired exactly once.
// One round (the middle one) is a disk-full round: while the clients write,
// a ballast file takes the free space of the data directory's filesystem
// below caseworkd's floor (--min_free_disk_mb); writes must then be refused
// with UNAVAILABLE ("writes refused: ..."), reads must keep working, health
// must turn NOT_SERVING, and once the ballast is gone writes and health must
// come back by themselves, before the round's SIGKILL.
// The last line is:
//   rounds=N acked=N lost=N duplicated=N mismatched=N disk_full_refused=N
//
// With --seal, caseworkd seals personal data with a master key, and the check
// also finds every key the data was sealed with live in the key store, and
// each action's record key bound to its name (no binding lost in a crash:
// privacy/key_store.h).
//
//   casework-fault-harness --caseworkd=PATH [--rounds=20] [--seed=N] [--threads=6] [--seal]
//
// The rounds are here; starting and watching caseworkd is
// tests/fault/fault_process.h, the final check tests/fault/fault_check.h.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "services/call_context.h"
#include "tests/fault/fault_check.h"
#include "tests/fault/fault_process.h"

ABSL_FLAG(std::string, caseworkd, "", "Path of the caseworkd binary.");
ABSL_FLAG(int, rounds, 20, "Kill-and-restart rounds.");
ABSL_FLAG(int, seed, 20261121, "Random seed (kill moments).");
ABSL_FLAG(int, threads, 6, "Concurrent clients.");
ABSL_FLAG(std::string, data_dir, "", "Data directory (default: a new temporary one).");
ABSL_FLAG(bool, seal, false,
          "Run caseworkd sealing personal data, with a master key file made beside the data "
          "directory and its default key store.");

namespace casework::fault {
namespace {

void Identity(grpc::ClientContext& context) {
  context.AddMetadata(services::kAgencyHeader, "eastbrook-council");
  context.AddMetadata(services::kUserHeader, "fault-harness");
  context.AddMetadata(services::kRoleHeader, "caseworker");
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

// Deterministic requests, so a retry can resend exactly the same one.
v1::RecordComplaintRequest Complaint(const std::string& id) {
  v1::RecordComplaintRequest r;
  r.set_parent("partnerships/harness");
  r.set_request_id("c-" + id);
  v1::Complaint& c = *r.mutable_complaint();
  c.set_complainant_reference("cmp-" + id.substr(0, id.find('-', id.find('-') + 1)));
  c.set_agency("harness-police");
  c.set_agency_kind(v1::POLICE);
  c.set_source_system("harness");
  c.set_source_reference("SRC-" + id);
  c.set_incident_reference("INC-" + id);
  c.mutable_behaviour_date()->set_year(2026);
  c.mutable_behaviour_date()->set_month(3);
  c.mutable_behaviour_date()->set_day(2);
  c.mutable_reported_date()->set_year(2026);
  c.mutable_reported_date()->set_month(3);
  c.mutable_reported_date()->set_day(3);
  c.set_category(v1::NUISANCE);
  return r;
}

v1::CreateActionRequest Action(const std::string& id) {
  v1::CreateActionRequest r;
  r.set_parent("partnerships/harness");
  r.set_request_id("a-" + id);
  r.set_title("Harness action " + id);
  r.set_owner_agency("harness-council");
  // Due in the past: its timer is due at once and must fire exactly once.
  r.mutable_due_date()->set_year(2026);
  r.mutable_due_date()->set_month(1);
  r.mutable_due_date()->set_day(5);
  return r;
}


class Harness {
 public:
  Harness(std::string binary, std::string data_dir, std::string master_key_file)
      : binary_(std::move(binary)),
        data_dir_(std::move(data_dir)),
        master_key_file_(std::move(master_key_file)) {}

  // One round: load, kill at a random moment, restart, retry a sample. In a
  // disk-full round the free space drops below the floor while the clients
  // write, and comes back, before the kill.
  void Round(int round, std::mt19937& random, bool disk_full = false) {
    // The floor of a disk-full round: 512 MiB under what is free now (room
    // for RocksDB's preallocated files), so that a 1 GiB ballast takes the
    // free space below it.
    const int64_t floor_mb = disk_full ? FreeMiB(data_dir_) - 512 : 1;
    if (disk_full && floor_mb < 16) {
      std::fprintf(stderr, "disk-full round: too little free space to run it\n");
      ++mismatched_;
      return;
    }
    Child child = StartServer(binary_, data_dir_, master_key_file_, floor_mb);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", child.port),
                                       grpc::InsecureChannelCredentials());
    size_t kill_after = acks_.size() + std::uniform_int_distribution<int>(20, 400)(random);
    if (disk_full) kill_after = std::numeric_limits<size_t>::max();  // set after the refill
    std::atomic<bool> stop{false};
    std::atomic<int> refused{0};
    std::atomic<int> unexpected{0};
    std::atomic<bool> watching{disk_full};  // errors other than refusals count
    std::vector<std::thread> clients;
    for (int t = 0; t < absl::GetFlag(FLAGS_threads); ++t) {
      clients.emplace_back([&, t] {
        auto complaints = v1::ComplaintService::NewStub(channel);
        auto actions = v1::ActionService::NewStub(channel);
        for (int i = 0; !stop.load(); ++i) {
          const std::string id = absl::StrCat(round, "-", t, "-", i);
          grpc::ClientContext context;
          Identity(context);
          grpc::Status status;
          Ack ack;
          if (i % 2 == 0) {
            v1::RecordComplaintResponse response;
            status = complaints->RecordComplaint(&context, Complaint(id), &response);
            ack = {'c', id, response.commit().first_position()};
          } else {
            v1::ActionResponse response;
            status = actions->CreateAction(&context, Action(id), &response);
            ack = {'a', id, response.commit().first_position()};
          }
          if (!status.ok()) {
            if (disk_full && status.error_code() == grpc::StatusCode::UNAVAILABLE &&
                absl::StartsWith(status.error_message(), "writes refused: ")) {
              ++refused;
              // Back off until something changes (or 5 ms pass).
              std::unique_lock<std::mutex> lock(mu_);
              cv_.wait_for(lock, std::chrono::milliseconds(5));
              continue;
            }
            if (watching.load()) {
              std::fprintf(stderr, "disk-full round: unexpected %d %s\n", status.error_code(),
                           status.error_message().c_str());
              ++unexpected;
            }
            return;  // the server is gone
          }
          std::lock_guard<std::mutex> lock(mu_);
          acks_.push_back(ack);
          cv_.notify_all();
        }
      });
    }
    if (disk_full) {
      DiskFull(channel, random, refused, &kill_after);
      watching = false;
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(60), [&] { return acks_.size() >= kill_after; });
    }
    kill(child.pid, SIGKILL);
    stop = true;
    for (std::thread& c : clients) c.join();
    Reap(child.pid);
    if (unexpected.load() > 0) mismatched_ += unexpected.load();

    // Restart; retries of acknowledged commands return the original result.
    channel.reset();
    child = StartServer(binary_, data_dir_, master_key_file_);
    Retry(child.port, random);
    kill(child.pid, SIGTERM);
    if (int status = Reap(child.pid); !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "caseworkd did not exit cleanly on SIGTERM (status %d)\n", status);
      ++mismatched_;
    }
  }

  // Asks `check` until it returns true, for at most `seconds`, waiting for
  // the clients' next answers in between.
  bool Eventually(const std::function<bool()>& check, int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!check()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() +
                                                  std::chrono::milliseconds(20)));
    }
    return true;
  }

  // The disk-full part of a round, while the clients write: a ballast takes
  // the free space below the floor, then goes. Sets the round's kill point.
  void DiskFull(const std::shared_ptr<grpc::Channel>& channel, std::mt19937& random,
                std::atomic<int>& refused, size_t* kill_after) {
    auto acked = [&] {
      std::lock_guard<std::mutex> lock(mu_);
      return acks_.size();
    };
    auto fail = [&](const char* what) {
      std::fprintf(stderr, "disk-full round: %s\n", what);
      ++mismatched_;
    };
    const size_t before = acked();
    if (!Eventually([&] { return acked() >= before + 50; }, 60)) fail("no writes before the fill");
    const std::string ballast = std::filesystem::path(data_dir_).parent_path() / "ballast";
    if (!WriteBallast(ballast, 1024)) fail("could not write the ballast");
    if (!Eventually([&] { return refused.load() >= 20; }, 60)) fail("writes were not refused");
    if (!Eventually([&] { return Health(channel) == "NOT_SERVING"; }, 15)) {
      fail("health did not turn NOT_SERVING");
    }
    // Reads keep working: the first action acknowledged is there.
    std::string first_action;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const Ack& ack : acks_) {
        if (ack.kind == 'a') {
          first_action = ack.id;
          break;
        }
      }
    }
    auto events = v1::EventService::NewStub(channel);
    grpc::ClientContext read;
    Identity(read);
    read.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ReadLogRequest log;
    log.set_page_size(10);
    v1::ReadLogResponse page;
    if (!events->ReadLog(&read, log, &page).ok() || page.events_size() == 0) {
      fail("reads failed while writes were refused");
    }
    disk_full_refused_ += refused.load();
    std::error_code ignored;
    std::filesystem::remove(ballast, ignored);
    const size_t at_refill = acked();
    if (!Eventually([&] { return acked() >= at_refill + 50; }, 60)) {
      fail("writes did not resume once space was back");
    }
    if (!Eventually([&] { return Health(channel) == "SERVING"; }, 15)) {
      fail("health did not come back to SERVING");
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      *kill_after = acks_.size() + std::uniform_int_distribution<int>(20, 200)(random);
    }
  }

  // Retries a sample of acknowledged commands: each must return its original
  // result.
  void Retry(int port, std::mt19937& random) {
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                       grpc::InsecureChannelCredentials());
    auto complaints = v1::ComplaintService::NewStub(channel);
    auto actions = v1::ActionService::NewStub(channel);
    std::uniform_int_distribution<size_t> pick(0, acks_.size() - 1);
    for (int n = 0; n < 25 && !acks_.empty(); ++n) {
      const Ack& ack = acks_[pick(random)];
      grpc::ClientContext context;
      Identity(context);
      uint64_t first = 0;
      grpc::Status status;
      if (ack.kind == 'c') {
        v1::RecordComplaintResponse response;
        status = complaints->RecordComplaint(&context, Complaint(ack.id), &response);
        first = response.commit().first_position();
      } else {
        v1::ActionResponse response;
        status = actions->CreateAction(&context, Action(ack.id), &response);
        first = response.commit().first_position();
      }
      if (!status.ok() || first != ack.first_position) {
        std::fprintf(stderr, "retry of %c-%s returned %s position %llu, originally %llu\n",
                     ack.kind, ack.id.c_str(), status.error_message().c_str(),
                     static_cast<unsigned long long>(first),
                     static_cast<unsigned long long>(ack.first_position));
        ++mismatched_;
      }
    }
  }

  // Starts and cleanly stops the server once more, so that every due timer
  // has had its start-up firing.
  // Checks the data directory (tests/fault/fault_check.h); the summary line.
  std::string Check(int rounds) {
    const CheckCounts counts = CheckDataDirectory(data_dir_, master_key_file_, acks_);
    return absl::StrCat("rounds=", rounds, " acked=", acks_.size(), " lost=", counts.lost,
                        " duplicated=", counts.duplicated,
                        " mismatched=", mismatched_ + counts.mismatched,
                        " disk_full_refused=", disk_full_refused_);
  }

  void SettleTimers() {
    Child child = StartServer(binary_, data_dir_, master_key_file_);
    kill(child.pid, SIGTERM);
    Reap(child.pid);
  }

 private:
  const std::string binary_;
  const std::string data_dir_;
  const std::string master_key_file_;  // empty: caseworkd does not seal
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Ack> acks_;
  int mismatched_ = 0;
  int disk_full_refused_ = 0;
};

}  // namespace
}  // namespace casework::fault

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string binary = absl::GetFlag(FLAGS_caseworkd);
  if (binary.empty()) {
    std::fprintf(stderr, "usage: casework-fault-harness --caseworkd=PATH [--rounds=N]\n");
    return 2;
  }
  std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  bool temporary = false;
  if (data_dir.empty()) {
    const char* base = getenv("TEST_TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/casework-fault-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) return 2;
    data_dir = pattern + "/data";
    temporary = true;
  }
  std::string master_key_file;
  if (absl::GetFlag(FLAGS_seal)) {
    master_key_file = std::filesystem::path(data_dir).parent_path() / "master.key";
    std::FILE* file = std::fopen(master_key_file.c_str(), "w");
    if (file == nullptr) return 2;
    std::fprintf(file, "%s\n", std::string(64, 'c').c_str());
    std::fclose(file);
    namespace fs = std::filesystem;
    fs::permissions(master_key_file, fs::perms::owner_read | fs::perms::owner_write);
  }
  std::mt19937 random(absl::GetFlag(FLAGS_seed));
  casework::fault::Harness harness(binary, data_dir, master_key_file);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  for (int round = 0; round < rounds; ++round) {
    harness.Round(round, random, /*disk_full=*/round == rounds / 2);
  }
  harness.SettleTimers();
  const std::string summary = harness.Check(rounds);
  if (temporary) {
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path(data_dir).parent_path(), ignored);
  }
  std::printf("%s\n", summary.c_str());
  return absl::StrContains(summary, "lost=0 duplicated=0 mismatched=0") ? 0 : 1;
}
