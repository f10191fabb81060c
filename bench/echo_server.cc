// bench-echo-server: the bare gRPC baseline of casework-bench. One unary
// callback method that answers with its request: what a call costs with no
// work and no disk behind it.
#include <memory>

#include "bench/baseline_server.h"
#include "casework/bench/bench.grpc.pb.h"

namespace casework::bench {
namespace {

class EchoServer final : public EchoService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const EchoMessage* request,
                                 EchoMessage* response) override {
    *response = *request;
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace
}  // namespace casework::bench

int main(int argc, char** argv) {
  return casework::bench::RunBaselineServer(
      "bench-echo-server", "Usage: bench-echo-server [--listen=127.0.0.1:0]", argc, argv,
      []() -> absl::StatusOr<std::unique_ptr<grpc::Service>> {
        return std::make_unique<casework::bench::EchoServer>();
      });
}
