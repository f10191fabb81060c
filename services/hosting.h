// Which gRPC services one caseworkd process hosts (--services).
//
// The default process hosts everything on one data directory. A split
// deployment runs several, each hosting some workflows on its own data
// directory, linked by the outbox (services/outbox.h) and behind one proxy
// (deploy/nginx/casework-split.conf; docs/deployment.md).
//
// Workflow services come in groups, named on the command line:
//   complaints     casework.v1.ComplaintService
//   case-reviews   casework.v1.CaseReviewService (needs complaints: threshold
//                  evaluation reads the complainant's ledger)
//   panels         casework.v1.PanelService, casework.v1.PanelMeetingService
//   death-reviews  casework.v1.DeathReviewService (needs actions: a review
//                  closes once its plan's actions are done)
//   actions        casework.v1.ActionService
// Every process also hosts the services about its own data: the event feed,
// deadlines, the calendar, the partnership policy, the audit log and the
// outbox.
#ifndef CASEWORK_SERVICES_HOSTING_H_
#define CASEWORK_SERVICES_HOSTING_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace casework::services {

struct ServiceGroup {
  absl::string_view name;                   // "case-reviews"
  std::vector<absl::string_view> services;  // full gRPC service names
  std::vector<absl::string_view> needs;     // groups that must be co-hosted
  absl::string_view why;                    // why they must
};

// The workflow service groups, in the order above.
const std::vector<ServiceGroup>& ServiceGroups();
// The services every process hosts.
const std::vector<absl::string_view>& AlwaysHosted();

// The full names of the services `groups` host (every service when
// `groups` is empty or {"all"}). INVALID_ARGUMENT naming the problem for an
// unknown group or a group without a group it needs.
absl::StatusOr<std::set<std::string>> HostedServices(const std::vector<std::string>& groups);

// The group that hosts `service`, or empty (an always-hosted service).
absl::string_view GroupOf(absl::string_view service);

// --peers: "GROUP=HOST:PORT" pairs, as the address of each gRPC service of
// those groups. INVALID_ARGUMENT naming a pair that is not one.
absl::StatusOr<std::map<std::string, std::string>> ParsePeers(
    const std::vector<std::string>& pairs);

// --link_key_file: the deployment's link key, the file's text without
// surrounding whitespace. INVALID_ARGUMENT unless it can be read and holds
// 32 to 1,024 printable ASCII characters without spaces.
absl::StatusOr<std::string> LoadLinkKey(const std::string& file);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_HOSTING_H_
