// A server interceptor that writes one line per finished call to stderr:
//
//   2026-11-21T09:15:02.123Z rpc /casework.v1.ActionService/CreateAction OK 0.41ms
//
// Lines are written whole (one write per line), so concurrent calls never
// interleave within a line.
#ifndef CASEWORK_SERVICES_REQUEST_LOG_H_
#define CASEWORK_SERVICES_REQUEST_LOG_H_

#include <grpcpp/support/server_interceptor.h>

namespace casework::services {

class RequestLogFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_REQUEST_LOG_H_
