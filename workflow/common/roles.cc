#include "workflow/common/roles.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"

namespace casework::workflow {
namespace {

// Every role by name, built once from the enum's descriptor.
const absl::flat_hash_map<std::string, v1::Role>& RolesByName() {
  static const auto* roles = [] {
    auto* by_name = new absl::flat_hash_map<std::string, v1::Role>;
    const google::protobuf::EnumDescriptor* values = v1::Role_descriptor();
    for (int i = 0; i < values->value_count(); ++i) {
      const auto role = static_cast<v1::Role>(values->value(i)->number());
      if (role != v1::ROLE_UNSPECIFIED) by_name->emplace(RoleName(role), role);
    }
    return by_name;
  }();
  return *roles;
}

}  // namespace

std::string RoleName(v1::Role role) {
  if (role == v1::ROLE_UNSPECIFIED) return "";
  absl::string_view name = v1::Role_Name(role);
  absl::ConsumePrefix(&name, "ROLE_");
  return absl::AsciiStrToLower(name);
}

std::optional<v1::Role> ParseRole(absl::string_view name) {
  const auto& roles = RolesByName();
  auto it = roles.find(name);
  if (it == roles.end()) return std::nullopt;
  return it->second;
}

const std::vector<std::string>& RoleNames() {
  static const auto* names = [] {
    auto* all = new std::vector<std::string>;
    const google::protobuf::EnumDescriptor* values = v1::Role_descriptor();
    for (int i = 0; i < values->value_count(); ++i) {
      const auto role = static_cast<v1::Role>(values->value(i)->number());
      if (role != v1::ROLE_UNSPECIFIED) all->push_back(RoleName(role));
    }
    return all;
  }();
  return *names;
}

}  // namespace casework::workflow
