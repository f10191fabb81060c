// What the split deployment tests share: calls as a caseworker (optionally
// naming the process a shared service call is for, as the proxy routes
// them), and a case review driven to recommendations referred to the JAG.
#ifndef CASEWORK_TESTS_SERVICES_SPLIT_SUPPORT_H_
#define CASEWORK_TESTS_SERVICES_SPLIT_SUPPORT_H_

#include <grpcpp/grpcpp.h>

#include <sys/types.h>

#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "casework/v1/case_reviews.grpc.pb.h"
#include "casework/v1/outbox.grpc.pb.h"
#include "casework/v1/panels.grpc.pb.h"
#include "casework/v1/policy.grpc.pb.h"
#include "tools/scenario/referrals.h"

namespace casework::services::split {

using scenario::Identify;
using scenario::kPartnership;
using scenario::PublishPolicy;

// Drives a new case review of `complainant` (its complaints recorded first)
// to an outcome with `count` recommendations and refers each to the JAG;
// returns the review's name, or empty after a failure (reported).
std::string ReferRecommendations(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& complainant, int count);

// The review, read as a caseworker.
grpc::Status GetReview(const std::shared_ptr<grpc::Channel>& channel, const std::string& name,
                       v1::CaseReview* review);

// Every panel case of eastbrook (all pages).
std::vector<v1::PanelCase> ListPanelCases(const std::shared_ptr<grpc::Channel>& channel);

// The outbox messages of eastbrook waiting at the process `process` names.
grpc::Status ListOutbox(const std::shared_ptr<grpc::Channel>& channel, const std::string& process,
                        v1::ListOutboxMessagesResponse* response);

// A loopback port nothing listens on now, for a process that cannot be
// asked to pick its own (nginx); caseworkd listens on port 0 instead.
int FreePort();

// nginx in the foreground (NGINX_PATH) with the deployment's configuration
// deploy/nginx/`site`, each of `addresses` (deploy's address, the test's)
// replaced; stopped with the object.
class Nginx {
 public:
  Nginx(const std::string& dir, const std::string& site,
        const std::vector<std::pair<std::string, std::string>>& addresses);
  ~Nginx();

 private:
  pid_t pid_ = -1;
};

// grpc.health.v1.Health/Check of `service`: "SERVING", "NOT_SERVING",
// "SERVICE_UNKNOWN" or "error CODE".
std::string HealthOf(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                     const std::string& process = "");

}  // namespace casework::services::split

#endif  // CASEWORK_TESTS_SERVICES_SPLIT_SUPPORT_H_
