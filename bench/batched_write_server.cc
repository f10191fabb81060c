// bench-batched-write-server: the "gRPC call + batched synced RocksDB write"
// baseline of casework-bench. The Echo handler queues the call and returns at
// once; one writer thread takes every queued call, writes all their payloads
// in one RocksDB WriteBatch (WAL synced unless --nosync) and only then
// finishes the calls. This is the engine's group commit without any domain
// work: no decide/apply, no state, no idempotency or read-model rows.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bench/baseline_server.h"
#include "casework/bench/bench.grpc.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

ABSL_FLAG(std::string, data_dir, "", "RocksDB directory, created if missing. Required.");
ABSL_FLAG(bool, sync, true, "Sync the WAL before finishing the calls of a batch.");

namespace casework::bench {
namespace {

class BatchedWriteServer final : public EchoService::CallbackService {
 public:
  static absl::StatusOr<std::unique_ptr<BatchedWriteServer>> Open(const std::string& path,
                                                                  bool sync) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.IncreaseParallelism(2);
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, path, &db);
    if (!s.ok()) return absl::UnavailableError(absl::StrCat("opening ", path, ": ", s.ToString()));
    return std::unique_ptr<BatchedWriteServer>(
        new BatchedWriteServer(std::unique_ptr<rocksdb::DB>(db), sync));
  }

  // Finishes every queued call, then closes the database.
  ~BatchedWriteServer() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    writer_.join();
    db_->Close().PermitUncheckedError();  // every finished call is already in the WAL
  }

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const EchoMessage* request,
                                 EchoMessage* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back({request, response, reactor});
    }
    cv_.notify_one();
    return reactor;
  }

 private:
  struct Pending {
    const EchoMessage* request;
    EchoMessage* response;
    grpc::ServerUnaryReactor* reactor;
  };

  BatchedWriteServer(std::unique_ptr<rocksdb::DB> db, bool sync)
      : db_(std::move(db)), sync_(sync), writer_([this] { Run(); }) {}

  void Run() {
    std::vector<Pending> group;
    uint64_t next_key = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;
        group.swap(queue_);
      }
      rocksdb::WriteBatch batch;
      for (const Pending& p : group) {
        std::string key(8, '\0');
        for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(next_key >> (56 - 8 * i));
        ++next_key;
        batch.Put(key, p.request->payload()).PermitUncheckedError();
      }
      rocksdb::WriteOptions options;
      options.sync = sync_;
      rocksdb::Status s = db_->Write(options, &batch);
      const grpc::Status status =
          s.ok() ? grpc::Status::OK : grpc::Status(grpc::StatusCode::UNAVAILABLE, s.ToString());
      for (const Pending& p : group) {
        if (s.ok()) *p.response = *p.request;
        p.reactor->Finish(status);
      }
      group.clear();
    }
  }

  const std::unique_ptr<rocksdb::DB> db_;
  const bool sync_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread writer_;          // last: starts once the rest is built
};

}  // namespace
}  // namespace casework::bench

int main(int argc, char** argv) {
  return casework::bench::RunBaselineServer(
      "bench-batched-write-server",
      "Usage: bench-batched-write-server --data_dir=DIR [--listen=127.0.0.1:0] [--nosync]", argc,
      argv, []() -> absl::StatusOr<std::unique_ptr<grpc::Service>> {
        const std::string dir = absl::GetFlag(FLAGS_data_dir);
        if (dir.empty()) return absl::InvalidArgumentError("--data_dir is required");
        absl::StatusOr<std::unique_ptr<casework::bench::BatchedWriteServer>> server =
            casework::bench::BatchedWriteServer::Open(dir, absl::GetFlag(FLAGS_sync));
        if (!server.ok()) return server.status();
        return std::unique_ptr<grpc::Service>(std::move(*server));
      });
}
