// Deadlines on cases: the events that set, pause, resume, meet and miss them,
// how they fold into a case's state, and what the engine derives from them
// (one durable timer per running deadline, and rows in the due-soon and
// overdue queues). Every workflow with timescales keeps a
// `repeated casework.v1.Deadline deadlines` in its state and uses these.
#ifndef CASEWORK_WORKFLOW_DEADLINES_H_
#define CASEWORK_WORKFLOW_DEADLINES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "casework/v1/deadlines.pb.h"
#include "google/protobuf/repeated_field.h"
#include "workflow/calendar.h"
#include "workflow/deadline.h"
#include "workflow/kernel.h"

namespace casework::workflow {

using Deadlines = google::protobuf::RepeatedPtrField<v1::Deadline>;

// A running deadline computed from `rule` counted from `start`.
// `set_at_version` is the stream version the DeadlineSet event will have.
v1::DeadlineSet SetDeadline(const Calendar& calendar, absl::string_view name,
                            const DeadlineRule& rule, absl::CivilDay start,
                            int64_t set_at_version);

// The same, as a window for someone else to act (Deadline::window): it
// EXPIRES instead of being missed.
v1::DeadlineSet SetWindow(const Calendar& calendar, absl::string_view name,
                          const DeadlineRule& rule, absl::CivilDay start,
                          int64_t set_at_version);

// A running deadline on a date chosen by a person ("complete by").
v1::DeadlineSet SetFixedDeadline(const Calendar& calendar, absl::string_view name,
                                 absl::CivilDay start, absl::CivilDay due,
                                 int64_t set_at_version);

// The deadline called `name`, or null.
const v1::Deadline* FindDeadline(const Deadlines& deadlines, absl::string_view name);

// DeadlineMet for `name` if it is running, paused or missed; nothing
// otherwise (already met or cancelled, or never set).
std::optional<v1::DeadlineMet> MeetDeadline(const Deadlines& deadlines, absl::string_view name);

// DeadlineCancelled for every deadline that is still open (running, paused or
// missed).
std::vector<v1::DeadlineCancelled> CancelOpenDeadlines(const Deadlines& deadlines,
                                                       absl::string_view reason);

// DeadlinesPaused keeping each running deadline's remaining working days
// (WorkingDaysBetween(today, due)); nothing if none is running.
std::optional<v1::DeadlinesPaused> PauseDeadlines(const Calendar& calendar,
                                                  const Deadlines& deadlines,
                                                  absl::CivilDay today, absl::string_view reason);

// DeadlinesResumed restarting every paused deadline from `today` with its
// remaining working days; nothing if none is paused.
std::optional<v1::DeadlinesResumed> ResumeDeadlines(const Calendar& calendar,
                                                    const Deadlines& deadlines,
                                                    absl::CivilDay today,
                                                    int64_t set_at_version);

// If `payload` is a deadline event, folds it into `deadlines` and returns
// true; returns false for any other event.
bool ApplyDeadlineEvent(const google::protobuf::Message& payload,
                        const v1::EventEnvelope& envelope, Deadlines* deadlines);

// One timer per running deadline, firing at the start of the day after its
// due date.
void DeadlineTimers(const Deadlines& deadlines, std::vector<TimerSpec>* timers);

// What the timer of deadline `name` decides when it fires: DeadlineMissed if
// the deadline is still running and `context.today` is after its due date.
Events OnDeadlineTimer(const Deadlines& deadlines, absl::string_view name,
                       const DecideContext& context);

// Queue rows of `stream`'s deadlines in `partnership`:
//   deadlines/{p}/running/{due yyyy-mm-dd}/{stream}#{name}  -> DeadlineItem
//   deadlines/{p}/overdue/{due yyyy-mm-dd}/{stream}#{name}  -> DeadlineItem
void DeadlineRows(absl::string_view partnership, absl::string_view stream,
                  const Deadlines& deadlines, std::vector<Row>* rows);

// "deadlines/{p}/{queue}/" for queue "running" or "overdue".
std::string DeadlineRowPrefix(absl::string_view partnership, absl::string_view queue);

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_DEADLINES_H_
