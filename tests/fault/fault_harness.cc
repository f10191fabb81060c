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
#include <signal.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/complaints.grpc.pb.h"
#include "casework/v1/events.grpc.pb.h"
#include "privacy/key_store.h"
#include "privacy/sealer.h"
#include "services/call_context.h"
#include "storage/event_store.h"
#include "storage/keys.h"
#include "storage/rebuild.h"

ABSL_FLAG(std::string, caseworkd, "", "Path of the caseworkd binary.");
ABSL_FLAG(int, rounds, 20, "Kill-and-restart rounds.");
ABSL_FLAG(int, seed, 20261121, "Random seed (kill moments).");
ABSL_FLAG(int, threads, 6, "Concurrent clients.");
ABSL_FLAG(std::string, data_dir, "", "Data directory (default: a new temporary one).");
ABSL_FLAG(bool, seal, false,
          "Run caseworkd sealing personal data, with a master key file made beside the data "
          "directory and its default key store.");

namespace casework {
namespace {

struct Child {
  pid_t pid = 0;
  int port = 0;
};

// With --seal: the master key file beside the data directory.
std::string& MasterKeyFile() {
  static std::string* file = new std::string;
  return *file;
}

// Starts caseworkd on `data_dir`; `min_free_mb` is its free-space floor.
Child StartServer(const std::string& binary, const std::string& data_dir, int64_t min_free_mb = 1) {
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
    if (!MasterKeyFile().empty()) args.push_back("--master_key_file=" + MasterKeyFile());
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

struct Ack {
  char kind;  // 'c' complaint, 'a' action
  std::string id;
  uint64_t first_position;
};

// Free MiB of the filesystem holding `path`.
int64_t FreeMiB(const std::string& path) {
  struct statvfs st;
  if (statvfs(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(static_cast<uint64_t>(st.f_bavail) * st.f_frsize >> 20);
}

// Writes `mib` MiB to `name`; returns whether all of it was written.
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

// "SERVING", "NOT_SERVING" or "error", from grpc.health.v1.Health/Check.
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

class Harness {
 public:
  Harness(std::string binary, std::string data_dir)
      : binary_(std::move(binary)), data_dir_(std::move(data_dir)) {}

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
    Child child = StartServer(binary_, data_dir_, floor_mb);
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
    child = StartServer(binary_, data_dir_);
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

  // Opens the data directory and checks everything. Returns the summary.
  std::string Check(int rounds) {
    storage::StoreOptions options;
    options.path = data_dir_;
    if (!MasterKeyFile().empty()) {
      absl::StatusOr<std::shared_ptr<privacy::Sealer>> sealer =
          privacy::OpenSealer(MasterKeyFile(), privacy::DefaultKeyStorePath(data_dir_));
      if (!sealer.ok()) {
        std::fprintf(stderr, "cannot open the key store: %s\n",
                     std::string(sealer.status().message()).c_str());
        std::exit(2);
      }
      options.sealer = *sealer;
    }
    absl::StatusOr<std::unique_ptr<storage::EventStore>> store = storage::EventStore::Open(options);
    if (!store.ok()) {
      std::fprintf(stderr, "cannot open the data directory: %s\n",
                   std::string(store.status().message()).c_str());
      std::exit(2);
    }
    absl::flat_hash_map<std::string, int> recorded;  // request id -> first events
    absl::flat_hash_map<std::string, int> misses;     // stream -> DeadlineMissed
    absl::flat_hash_map<std::string, int> sources;    // source reference -> ComplaintRecorded
    absl::flat_hash_map<uint64_t, std::string> at_position;
    absl::Status scan = (*store)->ScanLog(1, [&](const v1::EventEnvelope& e) {
      const std::string& type = e.payload().type_url();
      if (absl::EndsWith(type, ".ComplaintRecorded")) {
        v1::ComplaintRecorded recorded_event;
        if (!e.payload().UnpackTo(&recorded_event)) {
          std::fprintf(stderr, "event at %llu does not unpack\n",
                       static_cast<unsigned long long>(e.global_position()));
          ++mismatched_;
        }
        ++sources[recorded_event.complaint().source_reference()];
        ++recorded[e.request_id()];
      } else if (absl::EndsWith(type, ".ActionCreated")) {
        ++recorded[e.request_id()];
      } else if (absl::EndsWith(type, ".DeadlineMissed")) {
        ++misses[e.stream()];
      }
      at_position[e.global_position()] = e.request_id();
      return true;
    });
    if (!scan.ok()) ++mismatched_;
    int lost = 0, duplicated = 0;
    for (const Ack& ack : acks_) {
      const std::string request_id = absl::StrCat(std::string(1, ack.kind), "-", ack.id);
      auto it = recorded.find(request_id);
      if (it == recorded.end()) {
        ++lost;
        std::fprintf(stderr, "lost: %s\n", request_id.c_str());
      } else if (it->second != 1) {
        ++duplicated;
      } else if (at_position[ack.first_position] != request_id) {
        ++mismatched_;
        std::fprintf(stderr, "position %llu does not hold %s\n",
                     static_cast<unsigned long long>(ack.first_position), request_id.c_str());
      }
    }
    for (const auto& [source, count] : sources) duplicated += count > 1 ? 1 : 0;
    for (const auto& [stream, count] : misses) duplicated += count > 1 ? 1 : 0;
    int actions_created = 0;
    for (const auto& [request_id, count] : recorded) actions_created += request_id[0] == 'a';
    // Every action's timer was due: after the last clean start it fired once.
    if (static_cast<int>(misses.size()) != actions_created) {
      std::fprintf(stderr, "%d actions but %zu timers fired\n", actions_created, misses.size());
      ++mismatched_;
    }
    absl::TimeZone london;
    absl::LoadTimeZone("Europe/London", &london);
    absl::StatusOr<storage::VerifyReport> report = storage::VerifyStore(**store, london);
    if (!report.ok()) {
      ++mismatched_;
    } else {
      for (const std::string& problem : report->problems) {
        std::fprintf(stderr, "mismatch: %s\n", problem.c_str());
      }
      mismatched_ += static_cast<int>(report->problems.size());
    }
    if (options.sealer != nullptr) CheckKeys(**store);
    return absl::StrCat("rounds=", rounds, " acked=", acks_.size(), " lost=", lost,
                        " duplicated=", duplicated, " mismatched=", mismatched_,
                        " disk_full_refused=", disk_full_refused_);
  }

  // Every key the data was sealed with ("privacy/uses/" rows) is live, and
  // each action's record key is bound to the action's key name.
  void CheckKeys(const storage::EventStore& store) {
    privacy::KeyStore& keys = store.sealer()->keys();
    absl::flat_hash_map<std::string, std::vector<std::string>> ids_of;  // stream -> key ids
    constexpr absl::string_view kUses = "privacy/uses/";
    std::string after;
    for (;;) {
      absl::StatusOr<std::vector<storage::StoredRow>> rows = store.ScanRows(kUses, after, 1000);
      if (!rows.ok()) {
        ++mismatched_;
        return;
      }
      for (const storage::StoredRow& row : *rows) {
        const absl::string_view rest = absl::string_view(row.key).substr(kUses.size());
        const size_t slash = rest.find('/');
        ids_of[rest.substr(slash + 1)].emplace_back(rest.substr(0, slash));
      }
      if (rows->size() < 1000) break;
      after = rows->back().key;
    }
    int actions = 0;
    for (const auto& [stream, ids] : ids_of) {
      for (const std::string& id : ids) {
        absl::StatusOr<std::pair<privacy::KeyState, privacy::Key256>> key = keys.Get(id);
        if (!key.ok() || key->first != privacy::KeyState::kLive) {
          std::fprintf(stderr, "key %s of %s is not live\n", id.c_str(), stream.c_str());
          ++mismatched_;
        }
      }
      if (!absl::StrContains(stream, "/actions/")) continue;
      ++actions;
      absl::StatusOr<std::optional<std::string>> bound =
          keys.LiveIdOf(privacy::RecordKeyName(stream, v1::CASE_SUBJECT));
      if (!bound.ok() || !bound->has_value() ||
          std::find(ids.begin(), ids.end(), **bound) == ids.end()) {
        std::fprintf(stderr, "the record key of %s is not bound to its name\n", stream.c_str());
        ++mismatched_;
      }
    }
    if (actions == 0) {
      std::fprintf(stderr, "no sealed action found\n");
      ++mismatched_;
    }
  }

  // Starts and cleanly stops the server once more, so that every due timer
  // has had its start-up firing.
  void SettleTimers() {
    Child child = StartServer(binary_, data_dir_);
    kill(child.pid, SIGTERM);
    Reap(child.pid);
  }

 private:
  const std::string binary_;
  const std::string data_dir_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Ack> acks_;
  int mismatched_ = 0;
  int disk_full_refused_ = 0;
};

}  // namespace
}  // namespace casework

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
  if (absl::GetFlag(FLAGS_seal)) {
    casework::MasterKeyFile() = std::filesystem::path(data_dir).parent_path() / "master.key";
    std::FILE* file = std::fopen(casework::MasterKeyFile().c_str(), "w");
    if (file == nullptr) return 2;
    std::fprintf(file, "%s\n", std::string(64, 'c').c_str());
    std::fclose(file);
    namespace fs = std::filesystem;
    fs::permissions(casework::MasterKeyFile(), fs::perms::owner_read | fs::perms::owner_write);
  }
  std::mt19937 random(absl::GetFlag(FLAGS_seed));
  casework::Harness harness(binary, data_dir);
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
