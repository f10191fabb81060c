#include "services/roles.h"

#include "absl/container/flat_hash_map.h"
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

const v1::MethodAccess* AccessOf(absl::string_view method) {
  const auto& rules = Rules();
  auto it = rules.find(method);
  return it == rules.end() ? nullptr : &it->second;
}

absl::Status CheckRole(absl::string_view method, const v1::MethodAccess* rule,
                       absl::string_view role) {
  const std::optional<v1::Role> known = ParseRole(role);
  if (!known) {
    return ErrorWithReason(absl::StatusCode::kUnauthenticated, "BAD_IDENTITY",
                           absl::StrCat("role \"", role, "\" is not a partnership role (one of ",
                                        absl::StrJoin(RoleNames(), ", "), ")"));
  }
  if (rule == nullptr) {
    return ErrorWithReason(absl::StatusCode::kPermissionDenied, "ROLE_NOT_ALLOWED",
                           absl::StrCat(method.empty() ? "this call" : method,
                                        " declares no roles: nobody may call it"));
  }
  std::vector<std::string> allowed;
  for (int r : rule->roles()) {
    if (r == *known) return absl::OkStatus();
    allowed.push_back(RoleName(static_cast<v1::Role>(r)));
  }
  if (rule->engine_only()) {
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
