// Every gRPC service caseworkd hosts, by full name (server.h,
// ServiceFactories): one line per service.
#include <memory>
#include <utility>
#include <vector>

#include "services/action_service.h"
#include "services/audit_service.h"
#include "services/calendar_service.h"
#include "services/case_review_service.h"
#include "services/complaint_service.h"
#include "services/data_protection_service.h"
#include "services/deadline_service.h"
#include "services/death_review_service.h"
#include "services/event_service.h"
#include "services/operations_service.h"
#include "services/outbox_service.h"
#include "services/panel_service.h"
#include "services/policy_service.h"
#include "services/retention_service.h"
#include "services/subject_access_service.h"
#include "services/server.h"

namespace casework::services {
namespace {

template <typename Service>
std::unique_ptr<grpc::Service> Make(const ServiceDeps& deps) {
  return std::make_unique<Service>(deps);
}

}  // namespace

const std::vector<std::pair<absl::string_view, ServiceFactory>>& ServiceFactories() {
  static const auto* factories = new std::vector<std::pair<absl::string_view, ServiceFactory>>{
      {"casework.v1.EventService", &Make<EventService>},
      {"casework.v1.DeadlineService", &Make<DeadlineService>},
      {"casework.v1.ActionService", &Make<ActionService>},
      {"casework.v1.CalendarService", &Make<CalendarService>},
      {"casework.v1.CaseReviewService", &Make<CaseReviewService>},
      {"casework.v1.ComplaintService", &Make<ComplaintService>},
      {"casework.v1.PolicyService", &Make<PolicyService>},
      {"casework.v1.PanelService", &Make<PanelService>},
      {"casework.v1.PanelMeetingService", &Make<PanelMeetingService>},
      {"casework.v1.DeathReviewService", &Make<DeathReviewService>},
      {"casework.v1.AuditService", &Make<AuditService>},
      {"casework.v1.OutboxService", &Make<OutboxService>},
      {"casework.v1.DataProtectionService", &Make<DataProtectionService>},
      {"casework.v1.SubjectAccessService", &Make<SubjectAccessService>},
      {"casework.v1.RetentionService", &Make<RetentionService>},
      {"casework.v1.OperationsService", &Make<OperationsService>},
  };
  return *factories;
}

ServiceFactory FindFactory(absl::string_view service) {
  for (const auto& [name, make] : ServiceFactories()) {
    if (name == service) return make;
  }
  return nullptr;
}

}  // namespace casework::services
