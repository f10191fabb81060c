// The partnership's roles (casework.v1.Role) by name: in metadata, tokens
// and policy a role is the lowercase name of its Role value without the
// prefix, ROLE_PANEL_CHAIR is "panel_chair".
#ifndef CASEWORK_WORKFLOW_COMMON_ROLES_H_
#define CASEWORK_WORKFLOW_COMMON_ROLES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "casework/v1/access.pb.h"

namespace casework::workflow {

// The roles that oversee whole case types (a case's parties include them:
// see each workflow's ReadAccess).
inline constexpr absl::string_view kPartnershipChairRole = "partnership_chair";
inline constexpr absl::string_view kPanelChairRole = "panel_chair";

// "panel_chair" for ROLE_PANEL_CHAIR; empty for ROLE_UNSPECIFIED.
std::string RoleName(v1::Role role);

// The role named `name`, or nullopt if it is not a partnership role.
std::optional<v1::Role> ParseRole(absl::string_view name);

// Every role's name, in the contract's order.
const std::vector<std::string>& RoleNames();

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_COMMON_ROLES_H_
