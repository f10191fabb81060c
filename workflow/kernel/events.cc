#include "workflow/kernel/events.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace casework::workflow {

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> UnpackPayload(
    const v1::EventEnvelope& envelope) {
  const std::string& url = envelope.payload().type_url();
  absl::string_view name = url;
  if (size_t slash = name.rfind('/'); slash != absl::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(std::string(name));
  if (descriptor == nullptr) {
    return absl::DataLossError(absl::StrCat("event ", envelope.global_position(),
                                            " has unknown payload type \"", url, "\""));
  }
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  if (!message->ParseFromString(envelope.payload().value())) {
    return absl::DataLossError(absl::StrCat("event ", envelope.global_position(),
                                            " payload does not parse as ", name));
  }
  return message;
}

absl::string_view ShortTypeName(const google::protobuf::Message& message) {
  return message.GetDescriptor()->name();
}

}  // namespace casework::workflow
