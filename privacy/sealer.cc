#include "privacy/sealer.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/dynamic_message.h"
#include "workflow/common/status.h"

namespace casework::privacy {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr size_t kKeyIdBytes = 16;

// "partnerships/eastbrook/complaints/17" -> "eastbrook"; "" outside one.
absl::string_view PartnershipOf(absl::string_view stream) {
  constexpr absl::string_view kPrefix = "partnerships/";
  if (!absl::StartsWith(stream, kPrefix)) return {};
  stream.remove_prefix(kPrefix.size());
  return stream.substr(0, stream.find('/'));
}

}  // namespace

bool IsSealedSubject(v1::DataSubject subject) {
  return subject != v1::DATA_SUBJECT_UNSPECIFIED && subject != v1::NOT_PERSONAL &&
         subject != v1::WORKER;
}

std::string PersonKeyName(absl::string_view partnership, v1::DataSubject subject,
                          absl::string_view reference) {
  return absl::StrCat("partnerships/", partnership, "/", v1::DataSubject_Name(subject), "/",
                      reference);
}

std::string RecordKeyName(absl::string_view stream, v1::DataSubject subject) {
  return absl::StrCat(stream, "/", v1::DataSubject_Name(subject));
}

// What a message type holds that sealing must visit.
struct Sealer::Plan {
  struct StringField {
    const FieldDescriptor* field;
    v1::DataSubject subject;
    bool reference;  // names its subject (a singular one also names its siblings')
  };
  std::vector<StringField> strings;
  // References one level down: a singular message field's singular
  // reference names its subject for this message too (an applicant's).
  struct ChildReference {
    const FieldDescriptor* child;
    const FieldDescriptor* field;
    v1::DataSubject subject;
  };
  std::vector<ChildReference> child_references;
  std::vector<const FieldDescriptor*> children;  // message fields that may hold some
  bool any = false;                              // google.protobuf.Any
  bool may_hold = false;
  bool building = false;
};

// The context of one Seal: the record and the references in reach.
struct Sealer::Walk {
  absl::string_view stream;
  absl::string_view partnership;
  absl::flat_hash_map<int, std::string> references;  // subject -> reference
  std::vector<std::string>* key_ids = nullptr;
};

Sealer::Sealer(KeyStore* keys) : keys_(keys) {}
Sealer::Sealer(std::unique_ptr<KeyStore> keys) : owned_(std::move(keys)), keys_(owned_.get()) {}

std::string DefaultKeyStorePath(absl::string_view data_dir) {
  while (data_dir.size() > 1 && data_dir.back() == '/') data_dir.remove_suffix(1);
  return absl::StrCat(data_dir, ".keys");
}

absl::StatusOr<std::shared_ptr<Sealer>> OpenSealer(const std::string& master_key_file,
                                                   const std::string& key_store_path) {
  ASSIGN_OR_RETURN(MasterKey master, LoadMasterKey(master_key_file));
  ASSIGN_OR_RETURN(std::unique_ptr<KeyStore> keys, KeyStore::Open(key_store_path, master));
  return std::make_shared<Sealer>(std::move(keys));
}
Sealer::~Sealer() = default;

const Sealer::Plan& Sealer::PlanFor(const Descriptor* type) {
  {
    // Plans never change once made: most calls only read.
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = plans_.find(type); it != plans_.end() && !it->second->building) {
      return *it->second;
    }
  }
  absl::MutexLock lock(&mu_);
  return PlanForLocked(type);
}

const Sealer::Plan& Sealer::PlanForLocked(const Descriptor* type) {
  if (auto it = plans_.find(type); it != plans_.end()) return *it->second;
  Plan& plan = *plans_.emplace(type, std::make_unique<Plan>()).first->second;
  if (type->full_name() == "google.protobuf.Any") {
    plan.any = plan.may_hold = true;
    return plan;
  }
  plan.building = true;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      const v1::DataSubject subject = field->options().GetExtension(v1::subject);
      if (IsSealedSubject(subject) && !type->options().map_entry()) {
        plan.strings.push_back({field, subject, field->options().GetExtension(v1::subject_reference)});
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      const Descriptor* child_type = field->message_type();
      for (int j = 0; !field->is_repeated() && j < child_type->field_count(); ++j) {
        const FieldDescriptor* g = child_type->field(j);
        if (g->type() == FieldDescriptor::TYPE_STRING && !g->is_repeated() &&
            g->options().GetExtension(v1::subject_reference)) {
          plan.child_references.push_back({field, g, g->options().GetExtension(v1::subject)});
        }
      }
      const Plan& child = PlanForLocked(child_type);
      // A type still being planned contains itself: assume it may hold some.
      if (child.may_hold || child.building) plan.children.push_back(field);
    }
  }
  plan.may_hold = !plan.strings.empty() || !plan.children.empty();
  plan.building = false;
  return plan;
}

bool Sealer::MayHoldPersonalData(const Descriptor* type) { return PlanFor(type).may_hold; }

absl::Status Sealer::Seal(absl::string_view stream, Message* message,
                          std::vector<std::string>* key_ids) {
  if (!MayHoldPersonalData(message->GetDescriptor())) return absl::OkStatus();
  Walk walk{stream, PartnershipOf(stream), {}, key_ids};
  return SealMessage(walk, message);
}

absl::StatusOr<std::string> Sealer::SealSerialized(absl::string_view stream,
                                                   const Descriptor* type,
                                                   std::string serialized) {
  if (type == nullptr || !MayHoldPersonalData(type)) return serialized;
  std::unique_ptr<Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  if (!message->ParseFromString(serialized)) {
    return absl::InternalError(absl::StrCat("a stored value does not parse as ", type->full_name()));
  }
  RETURN_IF_ERROR(Seal(stream, message.get()));
  return absl::StrCat(kSealedRowPrefix, type->full_name(), "\n", message->SerializeAsString());
}

absl::StatusOr<std::string> Sealer::OpenSerialized(std::string stored) {
  if (!absl::StartsWith(stored, kSealedRowPrefix)) return stored;
  const size_t newline = stored.find('\n');
  const Descriptor* type =
      newline == std::string::npos
          ? nullptr
          : google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
                stored.substr(kSealedRowPrefix.size(), newline - kSealedRowPrefix.size()));
  std::unique_ptr<Message> message;
  if (type != nullptr) {
    message.reset(google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  }
  if (message == nullptr ||
      !message->ParseFromArray(stored.data() + newline + 1,
                               static_cast<int>(stored.size() - newline - 1))) {
    return ErrorWithReason(absl::StatusCode::kDataLoss, "SEALED_VALUE_DAMAGED",
                           "a sealed stored value is not in the sealed format");
  }
  RETURN_IF_ERROR(OpenMessage(message.get(), nullptr));
  return message->SerializeAsString();
}

absl::Status Sealer::Open(Message* message) {
  if (!MayHoldPersonalData(message->GetDescriptor())) return absl::OkStatus();
  return OpenMessage(message, nullptr);
}

absl::Status Sealer::OpenOnly(Message* message, absl::string_view key_id,
                              absl::string_view redaction) {
  if (!MayHoldPersonalData(message->GetDescriptor())) return absl::OkStatus();
  const OpenMode mode{key_id, redaction};
  return OpenMessage(message, &mode);
}

absl::StatusOr<std::string> Sealer::SealValue(Walk& walk, v1::DataSubject subject,
                                              absl::string_view reference,
                                              absl::string_view value) {
  const std::string name = reference.empty() ? RecordKeyName(walk.stream, subject)
                                             : PersonKeyName(walk.partnership, subject, reference);
  ASSIGN_OR_RETURN(auto key, keys_->GetOrCreate(name));
  if (walk.key_ids != nullptr &&
      std::find(walk.key_ids->begin(), walk.key_ids->end(), key.first) == walk.key_ids->end()) {
    walk.key_ids->push_back(key.first);
  }
  const std::string id = absl::HexStringToBytes(key.first);
  return absl::StrCat(kSealedPrefix,
                      absl::WebSafeBase64Escape(absl::StrCat(id, privacy::Seal(key.second, value,
                                                                               key.first))));
}

absl::StatusOr<std::string> Sealer::OpenValue(absl::string_view value, const OpenMode* mode) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(value.substr(kSealedPrefix.size()), &raw) ||
      raw.size() < kKeyIdBytes + kSealOverhead) {
    return ErrorWithReason(absl::StatusCode::kDataLoss, "SEALED_VALUE_DAMAGED",
                           "a sealed field is not in the sealed format");
  }
  const std::string id = absl::BytesToHexString(absl::string_view(raw).substr(0, kKeyIdBytes));
  if (mode != nullptr && id != mode->only_key) return std::string(mode->redaction);
  ASSIGN_OR_RETURN(auto key, keys_->Get(id));
  switch (key.first) {
    case KeyState::kErased:
      return std::string(kErasedText);
    case KeyState::kUnknown:
      return ErrorWithReason(absl::StatusCode::kDataLoss, "KEY_STORE_MISMATCH",
                             absl::StrCat("key ", id, " of a sealed field is not in the key store: "
                                          "the data directory was opened with another key store"));
    case KeyState::kLive:
      break;
  }
  absl::StatusOr<std::string> plain =
      privacy::Open(key.second, absl::string_view(raw).substr(kKeyIdBytes), id);
  if (!plain.ok()) {
    return ErrorWithReason(absl::StatusCode::kDataLoss, "SEALED_VALUE_DAMAGED",
                           absl::StrCat("a field sealed with key ", id, " does not open: ",
                                        plain.status().message()));
  }
  return plain;
}

namespace {

// The casework message an Any holds, parsed, if `wanted(its type)`; null
// otherwise (an unknown or foreign type is left as it is).
std::unique_ptr<Message> Unpack(const Message& any,
                                const std::function<bool(const Descriptor*)>& wanted) {
  const Reflection* r = any.GetReflection();
  const Descriptor* d = any.GetDescriptor();
  std::string scratch;
  const std::string& url = r->GetStringReference(any, d->FindFieldByNumber(1), &scratch);
  const Descriptor* type = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
      url.substr(url.rfind('/') + 1));
  if (type == nullptr || !absl::StartsWith(type->full_name(), "casework.") || !wanted(type)) {
    return nullptr;
  }
  std::unique_ptr<Message> inner(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  if (!inner->ParseFromString(r->GetString(any, d->FindFieldByNumber(2)))) return nullptr;
  return inner;
}

void Repack(Message* any, const Message& inner) {
  any->GetReflection()->SetString(any, any->GetDescriptor()->FindFieldByNumber(2),
                                  inner.SerializeAsString());
}

}  // namespace

absl::Status Sealer::SealMessage(Walk& walk, Message* message) {
  const Plan& plan = PlanFor(message->GetDescriptor());
  if (plan.any) {
    std::unique_ptr<Message> inner =
        Unpack(*message, [this](const Descriptor* t) { return MayHoldPersonalData(t); });
    if (inner == nullptr) return absl::OkStatus();
    RETURN_IF_ERROR(SealMessage(walk, inner.get()));
    Repack(message, *inner);
    return absl::OkStatus();
  }
  const Reflection* r = message->GetReflection();
  // The references this message names reach its own fields and its children.
  absl::flat_hash_map<int, std::string> saved = walk.references;
  auto take = [&walk](v1::DataSubject subject, std::string value) {
    if (!value.empty() && !IsSealed(value) && value != kErasedText) {
      walk.references[subject] = std::move(value);
    }
  };
  for (const Plan::ChildReference& c : plan.child_references) {
    if (!r->HasField(*message, c.child)) continue;
    const Message& child = r->GetMessage(*message, c.child);
    take(c.subject, child.GetReflection()->GetString(child, c.field));
  }
  // The message's own references come after: they take precedence.
  for (const Plan::StringField& f : plan.strings) {
    if (!f.reference || f.field->is_repeated()) continue;
    take(f.subject, r->GetString(*message, f.field));
  }
  for (const Plan::StringField& f : plan.strings) {
    auto reference_for = [&](absl::string_view value) -> std::string {
      if (f.reference) return std::string(value);  // a reference is sealed with its own key
      auto it = walk.references.find(f.subject);
      return it == walk.references.end() ? std::string() : it->second;
    };
    if (f.field->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*message, f.field); ++i) {
        const std::string value = r->GetRepeatedString(*message, f.field, i);
        if (value.empty() || IsSealed(value) || value == kErasedText) continue;
        ASSIGN_OR_RETURN(std::string sealed,
                         SealValue(walk, f.subject, reference_for(value), value));
        r->SetRepeatedString(message, f.field, i, std::move(sealed));
      }
    } else {
      const std::string value = r->GetString(*message, f.field);
      if (value.empty() || IsSealed(value) || value == kErasedText) continue;
      ASSIGN_OR_RETURN(std::string sealed, SealValue(walk, f.subject, reference_for(value), value));
      r->SetString(message, f.field, std::move(sealed));
    }
  }
  for (const FieldDescriptor* field : plan.children) {
    if (field->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*message, field); ++i) {
        RETURN_IF_ERROR(SealMessage(walk, r->MutableRepeatedMessage(message, field, i)));
      }
    } else if (r->HasField(*message, field)) {
      RETURN_IF_ERROR(SealMessage(walk, r->MutableMessage(message, field)));
    }
  }
  walk.references = std::move(saved);
  return absl::OkStatus();
}

absl::Status Sealer::OpenMessage(Message* message, const OpenMode* mode) {
  const Plan& plan = PlanFor(message->GetDescriptor());
  if (plan.any) {
    std::unique_ptr<Message> inner =
        Unpack(*message, [this](const Descriptor* t) { return MayHoldPersonalData(t); });
    if (inner == nullptr) return absl::OkStatus();
    RETURN_IF_ERROR(OpenMessage(inner.get(), mode));
    Repack(message, *inner);
    return absl::OkStatus();
  }
  const Reflection* r = message->GetReflection();
  for (const Plan::StringField& f : plan.strings) {
    if (f.field->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*message, f.field); ++i) {
        std::string scratch;
        const std::string& value = r->GetRepeatedStringReference(*message, f.field, i, &scratch);
        if (!IsSealed(value)) continue;
        ASSIGN_OR_RETURN(std::string plain, OpenValue(value, mode));
        r->SetRepeatedString(message, f.field, i, std::move(plain));
      }
    } else {
      std::string scratch;
      const std::string& value = r->GetStringReference(*message, f.field, &scratch);
      if (!IsSealed(value)) continue;
      ASSIGN_OR_RETURN(std::string plain, OpenValue(value, mode));
      r->SetString(message, f.field, std::move(plain));
    }
  }
  for (const FieldDescriptor* field : plan.children) {
    if (field->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*message, field); ++i) {
        RETURN_IF_ERROR(OpenMessage(r->MutableRepeatedMessage(message, field, i), mode));
      }
    } else if (r->HasField(*message, field)) {
      RETURN_IF_ERROR(OpenMessage(r->MutableMessage(message, field), mode));
    }
  }
  return absl::OkStatus();
}

}  // namespace casework::privacy
