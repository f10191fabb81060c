// The one mapping from absl::Status to grpc::Status at the service edge.
#ifndef CASEWORK_SERVICES_GRPC_STATUS_H_
#define CASEWORK_SERVICES_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace casework::services {

// Most bytes of an error message sent to a caller. Longer messages (they may
// echo what the caller sent) are cut at a character boundary and end with
// "... (N bytes)". Together with kMaxErrorDetailsBytes this keeps an error's
// trailers well inside the 8 KiB of metadata stock clients accept.
inline constexpr size_t kMaxErrorMessageBytes = 1024;
// Most bytes of the serialized google.rpc.Status sent in
// grpc-status-details-bin. A casework.v1.BadRequest over it keeps as many
// violations as fit, each description cut to kMaxViolationBytes; other
// details that do not fit are dropped.
inline constexpr size_t kMaxErrorDetailsBytes = 2048;
inline constexpr size_t kMaxViolationBytes = 200;

// Same code and message (cut to kMaxErrorMessageBytes); every payload of
// `status` (attached by casework::AttachDetail) becomes a
// google.protobuf.Any in a google.rpc.Status sent in the
// `grpc-status-details-bin` trailer, within kMaxErrorDetailsBytes.
grpc::Status ToGrpcStatus(const absl::Status& status);

// A reply a client got back as an absl::Status: the same code, the message
// after "`context`: " (OK stays OK). For the server's own calls (the
// outbox's to its peers, the demo loader) and tools.
absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view context);

// `text` cut to at most `max_bytes` bytes at a UTF-8 character boundary,
// with "... (N bytes)" appended when cut.
std::string CutText(absl::string_view text, size_t max_bytes);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_GRPC_STATUS_H_
