// casework.v1.CalendarService: reads the working-day calendar and lets an
// administrator add a one-off non-working day.
#ifndef CASEWORK_SERVICES_CALENDAR_SERVICE_H_
#define CASEWORK_SERVICES_CALENDAR_SERVICE_H_

#include "casework/v1/deadlines.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/time/calendar_workflow.h"

namespace casework::services {

class CalendarService final : public v1::CalendarService::CallbackService {
 public:
  explicit CalendarService(const ServiceDeps& deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* GetCalendar(grpc::CallbackServerContext* context,
                                        const v1::GetCalendarRequest* request,
                                        v1::CalendarYear* response) override;
  // Requires role "admin". Commands built after the addition is durable use
  // the new calendar.
  grpc::ServerUnaryReactor* AddHoliday(grpc::CallbackServerContext* context,
                                       const v1::AddHolidayRequest* request,
                                       v1::CalendarYear* response) override;

 private:
  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::CalendarWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_CALENDAR_SERVICE_H_
