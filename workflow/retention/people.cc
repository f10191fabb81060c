// Which people a case names, read from the contract's (subject_reference)
// field options (proto/casework/v1/privacy.proto), so a new workflow's
// people are found without code here.
#include <algorithm>

#include "casework/v1/privacy.pb.h"
#include "workflow/retention/commands.h"

namespace casework::workflow::retention {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// What an erased field reads as (privacy/key_store.h, kErasedText).
constexpr absl::string_view kErased = "[erased]";

void Walk(const Message& message, std::vector<std::pair<v1::DataSubject, std::string>>* out) {
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_map()) continue;  // maps never hold references (privacy_test)
      if (field->is_repeated()) {
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          Walk(reflection.GetRepeatedMessage(message, field, i), out);
        }
      } else {
        Walk(reflection.GetMessage(message, field), out);
      }
      continue;
    }
    if (field->type() != FieldDescriptor::TYPE_STRING ||
        !field->options().GetExtension(v1::subject_reference)) {
      continue;
    }
    const v1::DataSubject subject = field->options().GetExtension(v1::subject);
    auto add = [&](std::string value) {
      if (value.empty() || value == kErased) return;
      std::pair<v1::DataSubject, std::string> person(subject, std::move(value));
      if (std::find(out->begin(), out->end(), person) == out->end()) {
        out->push_back(std::move(person));
      }
    };
    if (field->is_repeated()) {
      for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
        add(reflection.GetRepeatedString(message, field, i));
      }
    } else {
      add(reflection.GetString(message, field));
    }
  }
}

}  // namespace

std::vector<std::pair<v1::DataSubject, std::string>> PeopleNamedIn(const Message& message) {
  std::vector<std::pair<v1::DataSubject, std::string>> people;
  Walk(message, &people);
  return people;
}

}  // namespace casework::workflow::retention
