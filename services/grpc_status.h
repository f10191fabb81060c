// The one mapping from absl::Status to grpc::Status at the service edge.
#ifndef CASEWORK_SERVICES_GRPC_STATUS_H_
#define CASEWORK_SERVICES_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace casework::services {

// Same code and message; every payload of `status` (attached by
// casework::AttachDetail) becomes a google.protobuf.Any in a google.rpc.Status
// sent in the `grpc-status-details-bin` trailer.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_GRPC_STATUS_H_
