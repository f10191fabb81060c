// Deadlines end to end with an injected clock: timers fire once, fire after a
// restart if they fell due while the server was down, pause and resume with
// the remaining working days; due-soon and overdue queues; the calendar
// service and calendar versions.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <thread>

#include "casework/v1/actions.grpc.pb.h"
#include "casework/v1/deadlines.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/placement.h"
#include "services/server.h"
#include "storage/rebuild.h"
#include "tests/support/server_fixture.h"
#include "tests/support/test_support.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

using ::casework::testing::CreateRequest;
using ::casework::testing::London;
using ::casework::testing::SetIdentity;
using ::testing::ElementsAre;

absl::Time LondonTime(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), London());
}

class DeadlineTest : public casework::testing::ServerFixture {
 protected:
  // Monday 23 November 2026, 09:00 in London; the test fires timers itself.
  DeadlineTest() : ServerFixture(LondonTime(2026, 11, 23, 9, 0)) {}

  std::unique_ptr<v1::ActionService::Stub> Actions() {
    return v1::ActionService::NewStub(InProcess());
  }
  std::unique_ptr<v1::DeadlineService::Stub> Deadlines() {
    return v1::DeadlineService::NewStub(InProcess());
  }
  std::unique_ptr<v1::CalendarService::Stub> Calendars() {
    return v1::CalendarService::NewStub(InProcess());
  }

  v1::Action Create(const std::string& request_id, absl::CivilDay due) {
    v1::CreateActionRequest request = CreateRequest(request_id);
    *request.mutable_due_date() = workflow::ToCivilDate(due);
    grpc::ClientContext context;
    SetIdentity(context);
    v1::ActionResponse response;
    grpc::Status status = Actions()->CreateAction(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.action();
  }

  v1::Action Get(const std::string& name) {
    grpc::ClientContext context;
    SetIdentity(context);
    v1::GetActionRequest request;
    request.set_name(name);
    v1::Action action;
    EXPECT_TRUE(Actions()->GetAction(&context, request, &action).ok());
    return action;
  }

  // "stream#name due" of each item in the queue.
  std::vector<std::string> Queue(v1::ListDeadlinesRequest::Queue queue, int within = 0) {
    grpc::ClientContext context;
    SetIdentity(context);
    v1::ListDeadlinesRequest request;
    request.set_parent("partnerships/eastbrook");
    request.set_queue(queue);
    request.set_within_working_days(within);
    v1::ListDeadlinesResponse response;
    grpc::Status status = Deadlines()->ListDeadlines(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> out;
    for (const v1::DeadlineItem& item : response.items()) {
      out.push_back(absl::StrCat(item.stream(), "#", item.deadline().name(), " ",
                                 workflow::FormatDate(item.deadline().due())));
    }
    return out;
  }

  int CountEvents(const std::string& stream, const std::string& type) {
    int count = 0;
    absl::StatusOr<std::vector<v1::EventEnvelope>> events =
        server_->store().ReadStream(stream, 1, 1000);
    EXPECT_TRUE(events.ok()) << events.status();
    for (const v1::EventEnvelope& e : *events) {
      if (e.payload().type_url() == "type.googleapis.com/casework.v1." + type) ++count;
    }
    return count;
  }

  int FireDue() {
    absl::StatusOr<int> fired = server_->timers().FireDue();
    EXPECT_TRUE(fired.ok()) << fired.status();
    return fired.ok() ? *fired : -1;
  }
};

TEST_F(DeadlineTest, TimerFiresOnceWhenTheDueDateHasPassed) {
  const v1::Action action = Create("a-1", absl::CivilDay(2026, 12, 4));
  EXPECT_EQ(FireDue(), 0);
  clock_.Set(LondonTime(2026, 12, 4, 23, 59));  // still the due date
  EXPECT_EQ(FireDue(), 0);
  EXPECT_THAT(Queue(v1::ListDeadlinesRequest::OVERDUE), ::testing::IsEmpty());

  clock_.Set(LondonTime(2026, 12, 5, 0, 0));
  EXPECT_EQ(FireDue(), 1);
  EXPECT_EQ(FireDue(), 0);
  EXPECT_EQ(CountEvents(action.name(), "DeadlineMissed"), 1);
  EXPECT_THAT(Queue(v1::ListDeadlinesRequest::OVERDUE),
              ElementsAre("partnerships/eastbrook/actions/1#complete_by 2026-12-04"));
  v1::Action missed = Get(action.name());
  EXPECT_EQ(missed.deadlines(0).state(), v1::Deadline::MISSED);

  // The timer's event carries the system actor and the timer as its cause.
  std::vector<v1::EventEnvelope> events = *server_->store().ReadStream(action.name(), 3, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor().role(), "system");
  EXPECT_EQ(events[0].causation_id(), "timer:partnerships/eastbrook/actions/1#complete_by@2");

  // Completing late leaves the overdue queue and records MET_LATE.
  grpc::ClientContext context;
  SetIdentity(context);
  v1::CompleteActionRequest complete;
  complete.set_name(action.name());
  complete.set_request_id("a-1-done");
  complete.set_note("Done after the date");
  v1::ActionResponse response;
  ASSERT_TRUE(Actions()->CompleteAction(&context, complete, &response).ok());
  EXPECT_EQ(response.action().deadlines(0).state(), v1::Deadline::MET_LATE);
  EXPECT_THAT(Queue(v1::ListDeadlinesRequest::OVERDUE), ::testing::IsEmpty());
}

// While a partnership is placed nowhere (it is being moved) its timers
// wait; they fire once it is placed here again.
TEST_F(DeadlineTest, TimersOfAPartnershipPlacedNowhereWaitUntilItIsBack) {
  const std::string file = dir_.Sub("placement");
  const std::string both = "eastbrook casework-a 127.0.0.1:1\nwestmoor casework-a 127.0.0.1:1\n";
  std::ofstream(file) << both;
  absl::StatusOr<Placement> loaded = Placement::Load(file, "casework-a");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto placement = std::make_shared<Placement>(*std::move(loaded));
  placement_ = placement;
  Restart();
  const v1::Action action = Create("a-1", absl::CivilDay(2026, 12, 4));

  std::ofstream(file) << "westmoor casework-a 127.0.0.1:1\n";
  ASSERT_TRUE(placement->Reload().ok());
  clock_.Set(LondonTime(2026, 12, 5, 0, 0));
  EXPECT_EQ(FireDue(), 0);
  EXPECT_EQ(CountEvents(action.name(), "DeadlineMissed"), 0);

  std::ofstream(file) << both;
  ASSERT_TRUE(placement->Reload().ok());
  EXPECT_EQ(FireDue(), 1);
  EXPECT_EQ(CountEvents(action.name(), "DeadlineMissed"), 1);
}

TEST_F(DeadlineTest, TimerThatFellDueWhileDownFiresAtStartUp) {
  const v1::Action action = Create("a-1", absl::CivilDay(2026, 11, 27));
  server_.reset();
  clock_.Set(LondonTime(2026, 12, 1, 8, 0));

  // Production mode: due timers fire at start-up.
  ASSERT_NO_FATAL_FAILURE(Start(nullptr, absl::Hours(1)));
  EXPECT_EQ(CountEvents(action.name(), "DeadlineMissed"), 1);
  EXPECT_EQ(FireDue(), 0);

  // And a further restart does not fire it again.
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(Start(nullptr, absl::Hours(1)));
  EXPECT_EQ(CountEvents(action.name(), "DeadlineMissed"), 1);
  absl::StatusOr<storage::VerifyReport> report =
      storage::VerifyStore(server_->store(), London());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty());
  EXPECT_EQ(report->timers, 0u);
}

TEST_F(DeadlineTest, ConcurrentFiringRecordsTheMissOnce) {
  std::vector<std::string> names;
  for (int i = 0; i < 20; ++i) names.push_back(Create(absl::StrCat("a-", i), absl::CivilDay(2026, 11, 24)).name());
  clock_.Set(LondonTime(2026, 11, 26, 9, 0));
  std::vector<std::thread> threads;
  std::vector<int> fired(4, 0);
  for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { fired[t] = FireDue(); });
  for (std::thread& t : threads) t.join();
  // Each timer recorded its event exactly once, whichever thread fired it.
  EXPECT_EQ(fired[0] + fired[1] + fired[2] + fired[3], 20);
  for (const std::string& name : names) EXPECT_EQ(CountEvents(name, "DeadlineMissed"), 1) << name;
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(FireDue(), 0);
  for (const std::string& name : names) EXPECT_EQ(CountEvents(name, "DeadlineMissed"), 1) << name;
}

TEST_F(DeadlineTest, PauseAndResumeKeepTheRemainingWorkingDays) {
  const v1::Action action = Create("a-1", absl::CivilDay(2026, 12, 4));  // Friday
  grpc::ClientContext hold_context;
  SetIdentity(hold_context);
  v1::PutActionOnHoldRequest hold;
  hold.set_name(action.name());
  hold.set_request_id("hold-1");
  hold.set_reason("Waiting for the court date");
  v1::ActionResponse held;
  ASSERT_TRUE(Actions()->PutActionOnHold(&hold_context, hold, &held).ok());
  // Paused on Mon 23 Nov: 24-27 Nov and 30 Nov-4 Dec are left.
  EXPECT_EQ(held.action().deadlines(0).state(), v1::Deadline::PAUSED);
  EXPECT_EQ(held.action().deadlines(0).remaining_working_days(), 9);
  EXPECT_THAT(Queue(v1::ListDeadlinesRequest::DUE_SOON, 60), ::testing::IsEmpty());

  // Time passes well beyond the old due date: nothing fires while paused.
  clock_.Set(LondonTime(2026, 12, 14, 10, 0));
  EXPECT_EQ(FireDue(), 0);

  grpc::ClientContext resume_context;
  SetIdentity(resume_context);
  v1::ResumeActionRequest resume;
  resume.set_name(action.name());
  resume.set_request_id("resume-1");
  v1::ActionResponse resumed;
  ASSERT_TRUE(Actions()->ResumeAction(&resume_context, resume, &resumed).ok());
  // 9 working days from Mon 14 Dec 2026: 15-18, 21-24 Dec, then 25 Dec
  // (Christmas) and 28 Dec (Boxing Day substitute) are skipped: Tue 29 Dec.
  const v1::Deadline& d = resumed.action().deadlines(0);
  EXPECT_EQ(d.state(), v1::Deadline::RUNNING);
  EXPECT_EQ(workflow::FormatDate(d.due()), "2026-12-29");
  EXPECT_EQ(workflow::FormatDate(resumed.action().due_date()), "2026-12-29");
  EXPECT_THAT(d.explanation(), ::testing::StartsWith("resumed with 9 working days left (paused on 2026-11-23)"));

  clock_.Set(LondonTime(2026, 12, 29, 18, 0));
  EXPECT_EQ(FireDue(), 0);
  clock_.Set(LondonTime(2026, 12, 30, 0, 0));
  EXPECT_EQ(FireDue(), 1);
}

TEST_F(DeadlineTest, DueSoonQueueUsesWorkingDays) {
  Create("a-1", absl::CivilDay(2026, 11, 25));
  Create("a-2", absl::CivilDay(2026, 11, 30));  // Monday: 5 working days from Mon 23 Nov
  Create("a-3", absl::CivilDay(2026, 12, 1));
  EXPECT_THAT(Queue(v1::ListDeadlinesRequest::DUE_SOON, 5),
              ElementsAre("partnerships/eastbrook/actions/1#complete_by 2026-11-25",
                          "partnerships/eastbrook/actions/2#complete_by 2026-11-30"));
  EXPECT_EQ(Queue(v1::ListDeadlinesRequest::DUE_SOON, 6).size(), 3u);
}

TEST_F(DeadlineTest, CalendarAdditionMakesANewVersionUsedByLaterDeadlines) {
  grpc::ClientContext get_context;
  SetIdentity(get_context);
  v1::GetCalendarRequest get;
  get.set_year(2026);
  v1::CalendarYear year;
  ASSERT_TRUE(Calendars()->GetCalendar(&get_context, get, &year).ok());
  EXPECT_EQ(year.version(), 1);
  EXPECT_EQ(year.holidays_size(), 8);

  v1::AddHolidayRequest add;
  add.set_request_id("add-1");
  *add.mutable_date() = workflow::ToCivilDate(absl::CivilDay(2026, 12, 2));
  add.set_title("Proclaimed bank holiday");
  {
    grpc::ClientContext context;
    SetIdentity(context, "eastbrook-council", "u-1", "caseworker");
    v1::CalendarYear out;
    EXPECT_EQ(Calendars()->AddHoliday(&context, add, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext context;
    SetIdentity(context, "eastbrook-council", "u-admin", "admin");
    v1::CalendarYear out;
    ASSERT_TRUE(Calendars()->AddHoliday(&context, add, &out).ok());
    EXPECT_EQ(out.version(), 2);
    EXPECT_EQ(out.holidays_size(), 9);
  }
  {
    v1::AddHolidayRequest again = add;
    again.set_request_id("add-2");
    grpc::ClientContext context;
    SetIdentity(context, "eastbrook-council", "u-admin", "admin");
    v1::CalendarYear out;
    EXPECT_EQ(Calendars()->AddHoliday(&context, again, &out).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  // A new action's deadline records version 2; its due date is a fixed date,
  // so the explanation notes that the day is not a working day.
  v1::Action action = Create("a-1", absl::CivilDay(2026, 12, 2));
  EXPECT_EQ(action.deadlines(0).calendar_version(), 2);
  EXPECT_EQ(action.deadlines(0).explanation(), "due 2026-12-02 as set on 2026-11-23 (not a working day)");

  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(server_->calendars().Current()->version(), 2);
  EXPECT_FALSE(server_->calendars().Current()->IsWorkingDay(absl::CivilDay(2026, 12, 2)));
}

}  // namespace
}  // namespace casework::services
