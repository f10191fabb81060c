// A case review driven through the public API to recommendations referred
// to the JAG: each referral is one outbox message (a panel referral to
// open and link). Shared by the outbox bench and the split deployment
// tests; calls carry the development identity of an eastbrook caseworker.
#ifndef CASEWORK_TOOLS_SCENARIO_REFERRALS_H_
#define CASEWORK_TOOLS_SCENARIO_REFERRALS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "casework/v1/panels.pb.h"

namespace casework::scenario {

inline constexpr char kPartnership[] = "partnerships/eastbrook";

// Sets the identity metadata of an eastbrook-council officer in `role`, a
// purpose, and, when `process` is not empty, the x-casework-process header
// a split deployment's proxy routes shared services by.
void Identify(grpc::ClientContext& context, const std::string& role = "caseworker",
              const std::string& process = "");

// Publishes eastbrook's default policy at the process `process` names.
absl::Status PublishPolicy(const std::shared_ptr<grpc::Channel>& channel,
                           const std::string& process = "");

// Records three complaints of `complainant`, receives its application
// (dated 2 November 2026), evaluates the threshold, assigns an officer,
// records a meeting and an outcome with `count` recommendations (at most
// 50), and refers each to the JAG. Returns the review's name.
absl::StatusOr<std::string> ReferRecommendations(const std::shared_ptr<grpc::Channel>& channel,
                                                 const std::string& complainant, int count);

// Every panel case of eastbrook (all pages), read as a panel chair.
absl::StatusOr<std::vector<v1::PanelCase>> ListPanelCases(
    const std::shared_ptr<grpc::Channel>& channel);

}  // namespace casework::scenario

#endif  // CASEWORK_TOOLS_SCENARIO_REFERRALS_H_
