#include "services/hosting.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/tokens.h"

namespace casework::services {

const std::vector<ServiceGroup>& ServiceGroups() {
  static const auto* groups = new std::vector<ServiceGroup>{
      {"complaints", {"casework.v1.ComplaintService"}, {}, ""},
      {"case-reviews",
       {"casework.v1.CaseReviewService"},
       {"complaints"},
       "threshold evaluation reads the complainant's ledger"},
      {"panels", {"casework.v1.PanelService", "casework.v1.PanelMeetingService"}, {}, ""},
      {"death-reviews",
       {"casework.v1.DeathReviewService"},
       {"actions"},
       "a review closes once the actions of its plan are done"},
      {"actions", {"casework.v1.ActionService"}, {}, ""},
  };
  return *groups;
}

const std::vector<absl::string_view>& AlwaysHosted() {
  static const auto* services = new std::vector<absl::string_view>{
      "casework.v1.EventService",  "casework.v1.DeadlineService", "casework.v1.CalendarService",
      "casework.v1.PolicyService", "casework.v1.AuditService",    "casework.v1.OutboxService",
      "casework.v1.DataProtectionService", "casework.v1.SubjectAccessService",
      "casework.v1.RetentionService", "casework.v1.OperationsService",
  };
  return *services;
}

absl::StatusOr<std::set<std::string>> HostedServices(const std::vector<std::string>& groups) {
  std::set<std::string> hosted(AlwaysHosted().begin(), AlwaysHosted().end());
  const bool all = groups.empty() || (groups.size() == 1 && groups[0] == "all");
  std::set<std::string> chosen;
  for (const std::string& g : groups) {
    if (all) break;
    bool known = false;
    for (const ServiceGroup& group : ServiceGroups()) known |= group.name == g;
    if (!known) {
      std::vector<absl::string_view> names;
      for (const ServiceGroup& group : ServiceGroups()) names.push_back(group.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "--services: unknown group \"", g, "\" (one of all, ", absl::StrJoin(names, ", "), ")"));
    }
    chosen.insert(g);
  }
  for (const ServiceGroup& group : ServiceGroups()) {
    if (!all && chosen.count(std::string(group.name)) == 0) continue;
    for (absl::string_view needed : group.needs) {
      if (!all && chosen.count(std::string(needed)) == 0) {
        return absl::InvalidArgumentError(absl::StrCat("--services: ", group.name, " needs ",
                                                       needed, " in the same process (", group.why,
                                                       ")"));
      }
    }
    for (absl::string_view s : group.services) hosted.insert(std::string(s));
  }
  return hosted;
}

absl::StatusOr<std::map<std::string, std::string>> ParsePeers(
    const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> peers;
  for (const std::string& pair : pairs) {
    const size_t equals = pair.find('=');
    const ServiceGroup* group = nullptr;
    for (const ServiceGroup& g : ServiceGroups()) {
      if (equals != std::string::npos && g.name == absl::string_view(pair).substr(0, equals)) {
        group = &g;
      }
    }
    if (group == nullptr || equals + 1 == pair.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--peers: \"", pair, "\" is not GROUP=HOST:PORT with a group of --services"));
    }
    for (absl::string_view service : group->services) {
      peers[std::string(service)] = pair.substr(equals + 1);
    }
  }
  return peers;
}

absl::StatusOr<std::string> LoadLinkKey(const std::string& file) {
  absl::StatusOr<std::string> text = ReadTextFile(file, "link key file");
  const std::string key(text.ok() ? absl::StripAsciiWhitespace(*text) : "");
  const bool printable =
      std::all_of(key.begin(), key.end(), [](char c) { return c > ' ' && c <= '~'; });
  if (!text.ok() || key.size() < 32 || key.size() > 1024 || !printable) {
    return absl::InvalidArgumentError(
        absl::StrCat("--link_key_file: ", file,
                     " must be readable and hold 32 to 1024 printable ASCII characters without "
                     "spaces (e.g. openssl rand -hex 32)"));
  }
  return key;
}

absl::string_view GroupOf(absl::string_view service) {
  for (const ServiceGroup& group : ServiceGroups()) {
    for (absl::string_view s : group.services) {
      if (s == service) return group.name;
    }
  }
  return "";
}

}  // namespace casework::services
