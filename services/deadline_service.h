// casework.v1.DeadlineService and casework.v1.CalendarService.
#ifndef CASEWORK_SERVICES_DEADLINE_SERVICE_H_
#define CASEWORK_SERVICES_DEADLINE_SERVICE_H_

#include "absl/time/time.h"
#include "casework/v1/deadlines.grpc.pb.h"
#include "services/calendar_provider.h"
#include "storage/clock.h"
#include "storage/engine.h"
#include "storage/event_store.h"

namespace casework::services {

// Lists the due-soon and overdue queues.
class DeadlineService final : public v1::DeadlineService::CallbackService {
 public:
  // All pointers must outlive the service.
  DeadlineService(const storage::EventStore* store, const Clock* clock,
                  const CalendarProvider* calendars, absl::TimeZone london);

  grpc::ServerUnaryReactor* ListDeadlines(grpc::CallbackServerContext* context,
                                          const v1::ListDeadlinesRequest* request,
                                          v1::ListDeadlinesResponse* response) override;

 private:
  absl::Status List(const v1::ListDeadlinesRequest& request,
                    v1::ListDeadlinesResponse* response) const;

  const storage::EventStore* store_;
  const Clock* clock_;
  const CalendarProvider* calendars_;
  absl::TimeZone london_;
};

// Reads the working-day calendar and lets an administrator add a day.
class CalendarService final : public v1::CalendarService::CallbackService {
 public:
  CalendarService(storage::EventStore* store, storage::Engine* engine,
                  CalendarProvider* calendars);

  grpc::ServerUnaryReactor* GetCalendar(grpc::CallbackServerContext* context,
                                        const v1::GetCalendarRequest* request,
                                        v1::CalendarYear* response) override;
  grpc::ServerUnaryReactor* AddHoliday(grpc::CallbackServerContext* context,
                                       const v1::AddHolidayRequest* request,
                                       v1::CalendarYear* response) override;

 private:
  storage::EventStore* store_;
  storage::Engine* engine_;
  CalendarProvider* calendars_;
};

// The holidays of `year` in `calendar`.
v1::CalendarYear DescribeYear(const workflow::Calendar& calendar, int year);

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_DEADLINE_SERVICE_H_
