// Deadlines on cases: the events that set, pause, resume, meet and miss them,
// how they fold into a case's state, and what the engine derives from them
// (one durable timer per running deadline, and rows in the due-soon and
// overdue queues). Every workflow with timescales keeps a
// `repeated casework.v1.Deadline deadlines` in its state and uses these.
#ifndef CASEWORK_WORKFLOW_TIME_CASE_DEADLINES_H_
#define CASEWORK_WORKFLOW_TIME_CASE_DEADLINES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "casework/v1/deadlines.pb.h"
#include "google/protobuf/repeated_field.h"
#include "workflow/kernel/definition.h"
#include "workflow/time/calendar.h"
#include "workflow/time/deadline_rules.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/workflow.h"

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

// DeadlineCancelled for `name` if it is still open (running, paused or
// missed); nothing otherwise.
std::optional<v1::DeadlineCancelled> CancelDeadline(const Deadlines& deadlines,
                                                    absl::string_view name,
                                                    absl::string_view reason);

// True if a deadline was missed and is not yet met or cancelled.
bool HasMissedDeadline(const Deadlines& deadlines);

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

// DeadlinesResumed moving every paused deadline's due date on by the
// calendar days it was paused (from its paused_on to `today`): for clocks
// stated in calendar days or months, where a hold of N days gives N days
// more. Two holds add up. Nothing if none is paused.
std::optional<v1::DeadlinesResumed> ResumeDeadlinesByDaysHeld(const Deadlines& deadlines,
                                                              absl::CivilDay today,
                                                              int64_t set_at_version);

// The appliers of the deadline events, one per type.
void ApplyDeadlineSet(Deadlines* deadlines, const v1::DeadlineSet& event);
void ApplyDeadlineMet(Deadlines* deadlines, const v1::DeadlineMet& event,
                      const v1::EventEnvelope& envelope);
void ApplyDeadlineMissed(Deadlines* deadlines, const v1::DeadlineMissed& event,
                         const v1::EventEnvelope& envelope);
void ApplyDeadlineCancelled(Deadlines* deadlines, const v1::DeadlineCancelled& event);
void ApplyDeadlinesPaused(Deadlines* deadlines, const v1::DeadlinesPaused& event);
void ApplyDeadlinesResumed(Deadlines* deadlines, const v1::DeadlinesResumed& event);

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

// Gives a workflow whose state has `repeated casework.v1.Deadline deadlines`
// the deadline mechanism: appliers for the six deadline events (except those
// it already applies itself, which must then fold the event with the
// Apply* function above), the queue rows (namespace "deadlines"), one timer
// per running deadline and the missed-deadline decision when it fires.
template <typename State>
void AddDeadlines(Definition<State>& d) {
  if (!d.template Applies<v1::DeadlineSet>()) {
    d.template On<v1::DeadlineSet>(
        +[](State& s, const v1::DeadlineSet& e) { ApplyDeadlineSet(s.mutable_deadlines(), e); });
  }
  if (!d.template Applies<v1::DeadlineMet>()) {
    d.template On<v1::DeadlineMet>(
        +[](State& s, const v1::DeadlineMet& e, const v1::EventEnvelope& env) {
          ApplyDeadlineMet(s.mutable_deadlines(), e, env);
        });
  }
  if (!d.template Applies<v1::DeadlineMissed>()) {
    d.template On<v1::DeadlineMissed>(
        +[](State& s, const v1::DeadlineMissed& e, const v1::EventEnvelope& env) {
          ApplyDeadlineMissed(s.mutable_deadlines(), e, env);
        });
  }
  if (!d.template Applies<v1::DeadlineCancelled>()) {
    d.template On<v1::DeadlineCancelled>(+[](State& s, const v1::DeadlineCancelled& e) {
      ApplyDeadlineCancelled(s.mutable_deadlines(), e);
    });
  }
  if (!d.template Applies<v1::DeadlinesPaused>()) {
    d.template On<v1::DeadlinesPaused>(+[](State& s, const v1::DeadlinesPaused& e) {
      ApplyDeadlinesPaused(s.mutable_deadlines(), e);
    });
  }
  if (!d.template Applies<v1::DeadlinesResumed>()) {
    d.template On<v1::DeadlinesResumed>(+[](State& s, const v1::DeadlinesResumed& e) {
      ApplyDeadlinesResumed(s.mutable_deadlines(), e);
    });
  }
  d.Rows(
      [](absl::string_view stream, const State& s, std::vector<Row>* rows) {
        DeadlineRows(PartnershipOfStream(stream), stream, s.deadlines(), rows);
      },
      {"deadlines"});
  d.Timers([](const State& s, std::vector<TimerSpec>* timers) { DeadlineTimers(s.deadlines(), timers); });
  d.OnTimer([](const State& s, absl::string_view name,
               const DecideContext& context) -> absl::StatusOr<Events> {
    return OnDeadlineTimer(s.deadlines(), name, context);
  });
}

}  // namespace casework::workflow

#endif  // CASEWORK_WORKFLOW_TIME_CASE_DEADLINES_H_
