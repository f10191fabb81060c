// The demo partnership: a fictional Community Safety Partnership ("eastbrook")
// with the LLR-model case review policy, a small complaint ledger, one case
// review application (threshold evaluated), an action log, three panel
// cases and a meeting, and one commissioned death review, for trying
// caseworkd out. Every name in it is invented.
#ifndef CASEWORK_SERVICES_DEMO_H_
#define CASEWORK_SERVICES_DEMO_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"

namespace casework::services {

// Loads the demo data through the public API over `channel`. Idempotent: every
// call carries a fixed request_id, so loading twice changes nothing. With
// `hosted` (full gRPC service names), only the part those services hold:
// the policy always, the complaints and case review, the actions, the panels
// and the death review each when their service is hosted (a split
// deployment's processes each load their own part).
absl::Status LoadDemoPartnership(std::shared_ptr<grpc::Channel> channel,
                                 const std::set<std::string>& hosted = {});

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_DEMO_H_
