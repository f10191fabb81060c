#include "services/roles.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "services/server.h"
#include "workflow/common/status.h"

namespace casework::services {
namespace {

namespace pb = google::protobuf;

// Every casework method's declared rule, by "/package.Service/Method".
const absl::flat_hash_map<std::string, v1::MethodAccess>& Rules() {
  static const auto* rules = [] {
    auto* built = new absl::flat_hash_map<std::string, v1::MethodAccess>;
    const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
    for (const auto& [name, make] : ServiceFactories()) {
      const pb::ServiceDescriptor* service = pool->FindServiceByName(std::string(name));
      if (service == nullptr) continue;
      for (int m = 0; m < service->method_count(); ++m) {
        const pb::MethodDescriptor* method = service->method(m);
        if (!method->options().HasExtension(v1::access)) continue;
        built->emplace(absl::StrCat("/", service->full_name(), "/", method->name()),
                       method->options().GetExtension(v1::access));
      }
    }
    return built;
  }();
  return *rules;
}

}  // namespace

std::string RoleName(v1::Role role) {
  if (role == v1::ROLE_UNSPECIFIED) return "";
  absl::string_view name = v1::Role_Name(role);
  absl::ConsumePrefix(&name, "ROLE_");
  return absl::AsciiStrToLower(name);
}

const std::vector<std::string>& RoleNames() {
  static const auto* names = [] {
    auto* all = new std::vector<std::string>;
    const pb::EnumDescriptor* roles = v1::Role_descriptor();
    for (int i = 0; i < roles->value_count(); ++i) {
      const auto role = static_cast<v1::Role>(roles->value(i)->number());
      if (role != v1::ROLE_UNSPECIFIED) all->push_back(RoleName(role));
    }
    return all;
  }();
  return *names;
}

std::optional<v1::Role> ParseRole(absl::string_view name) {
  const pb::EnumDescriptor* roles = v1::Role_descriptor();
  for (int i = 0; i < roles->value_count(); ++i) {
    const auto role = static_cast<v1::Role>(roles->value(i)->number());
    if (role != v1::ROLE_UNSPECIFIED && RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::optional<v1::MethodAccess> AccessOf(absl::string_view method) {
  const auto& rules = Rules();
  auto it = rules.find(method);
  if (it == rules.end()) return std::nullopt;
  return it->second;
}

absl::Status CheckRole(absl::string_view method, absl::string_view role) {
  const std::optional<v1::Role> known = ParseRole(role);
  if (!known) {
    return ErrorWithReason(absl::StatusCode::kUnauthenticated, "BAD_IDENTITY",
                           absl::StrCat("role \"", role, "\" is not a partnership role (one of ",
                                        absl::StrJoin(RoleNames(), ", "), ")"));
  }
  const auto& rules = Rules();
  auto it = rules.find(method);
  if (it == rules.end()) {
    return ErrorWithReason(absl::StatusCode::kPermissionDenied, "ROLE_NOT_ALLOWED",
                           absl::StrCat(method.empty() ? "this call" : method,
                                        " declares no roles: nobody may call it"));
  }
  const v1::MethodAccess& rule = it->second;
  std::vector<std::string> allowed;
  for (int r : rule.roles()) {
    if (r == *known) return absl::OkStatus();
    allowed.push_back(RoleName(static_cast<v1::Role>(r)));
  }
  if (rule.engine_only()) {
    return ErrorWithReason(absl::StatusCode::kPermissionDenied, "ROLE_NOT_ALLOWED",
                           absl::StrCat(method, " is run only by the engine itself"),
                           {{"allowed_roles", ""}});
  }
  const std::string list = absl::StrJoin(allowed, ",");
  return ErrorWithReason(absl::StatusCode::kPermissionDenied, "ROLE_NOT_ALLOWED",
                         absl::StrCat("role \"", role, "\" may not call ", method,
                                      "; allowed roles: ", absl::StrJoin(allowed, ", ")),
                         {{"allowed_roles", list}});
}

}  // namespace casework::services
