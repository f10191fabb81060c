// casework.v1.DeadlineService: the due-soon and overdue queues of every
// workflow with deadlines.
#ifndef CASEWORK_SERVICES_DEADLINE_SERVICE_H_
#define CASEWORK_SERVICES_DEADLINE_SERVICE_H_

#include "casework/v1/deadlines.grpc.pb.h"
#include "services/access.h"
#include "services/service_deps.h"

namespace casework::services {

// Lists the due-soon and overdue queues.
class DeadlineService final : public v1::DeadlineService::CallbackService {
 public:
  explicit DeadlineService(const ServiceDeps& deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* ListDeadlines(grpc::CallbackServerContext* context,
                                          const v1::ListDeadlinesRequest* request,
                                          v1::ListDeadlinesResponse* response) override;

 private:
  // Leaves out the deadlines of streams the caller may not read.
  absl::Status List(const v1::ListDeadlinesRequest& request, ReadFilter& filter,
                    v1::ListDeadlinesResponse* response) const;

  const ServiceDeps deps_;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_DEADLINE_SERVICE_H_
