// Fuzz target: request validation of every mutating command.
//
// Input: one selector byte (modulo the number of kinds, see request_kinds.h)
// followed by the serialized request. An input that does not parse as that
// request is dropped, as gRPC would drop it. Otherwise the validator must
// return OK or INVALID_ARGUMENT with a parseable BadRequest detail, and must
// not crash, hang or trip a sanitizer.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/request_kinds.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  casework::fuzz::SilenceProtobufLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using casework::fuzz::RequestKind;
  if (size == 0 || size - 1 > static_cast<size_t>(INT_MAX)) return 0;
  const std::vector<RequestKind>& kinds = casework::fuzz::RequestKinds();
  const RequestKind& kind = kinds[data[0] % kinds.size()];

  std::unique_ptr<google::protobuf::Message> request = kind.make();
  if (!request->ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;

  const absl::Status status = kind.validate(*request, casework::fuzz::kFuzzToday);
  casework::fuzz::CheckValidationStatus(status);
  // Validation is a pure function of the request.
  FUZZ_CHECK(kind.validate(*request, casework::fuzz::kFuzzToday) == status);
  return 0;
}
