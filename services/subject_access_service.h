// casework.v1.SubjectAccessService: subject access requests and their
// exports (docs/data-protection.md).
#ifndef CASEWORK_SERVICES_SUBJECT_ACCESS_SERVICE_H_
#define CASEWORK_SERVICES_SUBJECT_ACCESS_SERVICE_H_

#include "casework/v1/data_protection.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/subject_access/commands.h"

namespace casework::services {

class SubjectAccessService final : public v1::SubjectAccessService::CallbackService {
 public:
  explicit SubjectAccessService(const ServiceDeps& deps) : deps_(deps) {}

  // Refused unless something of the person is held (CheckSomethingHeld).
  grpc::ServerUnaryReactor* RequestSubjectAccess(grpc::CallbackServerContext* context,
                                                 const v1::RequestSubjectAccessRequest* request,
                                                 v1::SubjectAccessRequest* response) override;
  grpc::ServerUnaryReactor* ExportSubjectData(grpc::CallbackServerContext* context,
                                              const v1::ExportSubjectDataRequest* request,
                                              v1::SubjectDataExport* response) override;

 private:
  absl::Status Export(ReadFilter& filter, const v1::ExportSubjectDataRequest& request,
                      v1::SubjectDataExport* response) const;
  // One record as held about the person whose key is `key_id`.
  absl::StatusOr<v1::ExportedRecord> ExportRecord(const std::string& stream,
                                                  const std::string& key_id,
                                                  std::string* text) const;

  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::subject_access::SubjectAccessWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_SUBJECT_ACCESS_SERVICE_H_
