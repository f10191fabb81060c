#include "workflow/time/case_deadlines.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"

namespace casework::workflow {
namespace {

v1::Deadline FromComputed(const Deadline& computed, absl::string_view name,
                          int64_t set_at_version) {
  v1::Deadline d;
  d.set_name(std::string(name));
  d.set_rule(computed.rule.ToString());
  *d.mutable_start() = ToCivilDate(computed.start);
  *d.mutable_due() = ToCivilDate(computed.due);
  d.set_calendar_version(computed.calendar_version);
  d.set_explanation(computed.explanation);
  d.set_state(v1::Deadline::RUNNING);
  d.set_set_at_version(set_at_version);
  return d;
}

v1::Deadline* FindMutable(Deadlines* deadlines, absl::string_view name) {
  for (v1::Deadline& d : *deadlines) {
    if (d.name() == name) return &d;
  }
  return nullptr;
}

bool IsOpen(const v1::Deadline& d) {
  return d.state() == v1::Deadline::RUNNING || d.state() == v1::Deadline::PAUSED ||
         d.state() == v1::Deadline::MISSED;
}

std::string FormatDay(absl::CivilDay day) { return FormatDate(ToCivilDate(day)); }

}  // namespace

v1::DeadlineSet SetDeadline(const Calendar& calendar, absl::string_view name,
                            const DeadlineRule& rule, absl::CivilDay start,
                            int64_t set_at_version) {
  v1::DeadlineSet event;
  *event.mutable_deadline() =
      FromComputed(ComputeDeadline(calendar, start, rule), name, set_at_version);
  return event;
}

v1::DeadlineSet SetWindow(const Calendar& calendar, absl::string_view name,
                          const DeadlineRule& rule, absl::CivilDay start,
                          int64_t set_at_version) {
  v1::DeadlineSet event = SetDeadline(calendar, name, rule, start, set_at_version);
  event.mutable_deadline()->set_window(true);
  return event;
}

v1::DeadlineSet SetFixedDeadline(const Calendar& calendar, absl::string_view name,
                                 absl::CivilDay start, absl::CivilDay due,
                                 int64_t set_at_version) {
  v1::DeadlineSet event;
  v1::Deadline& d = *event.mutable_deadline();
  d.set_name(std::string(name));
  d.set_rule("fixed date");
  *d.mutable_start() = ToCivilDate(start);
  *d.mutable_due() = ToCivilDate(due);
  d.set_calendar_version(calendar.version());
  d.set_explanation(absl::StrCat("due ", FormatDay(due), " as set on ", FormatDay(start),
                                 calendar.IsWorkingDay(due) ? "" : " (not a working day)"));
  d.set_state(v1::Deadline::RUNNING);
  d.set_set_at_version(set_at_version);
  return event;
}

const v1::Deadline* FindDeadline(const Deadlines& deadlines, absl::string_view name) {
  for (const v1::Deadline& d : deadlines) {
    if (d.name() == name) return &d;
  }
  return nullptr;
}

std::optional<v1::DeadlineMet> MeetDeadline(const Deadlines& deadlines, absl::string_view name) {
  const v1::Deadline* d = FindDeadline(deadlines, name);
  if (d == nullptr || !IsOpen(*d)) return std::nullopt;
  v1::DeadlineMet met;
  met.set_name(std::string(name));
  return met;
}

std::optional<v1::DeadlineCancelled> CancelDeadline(const Deadlines& deadlines,
                                                    absl::string_view name,
                                                    absl::string_view reason) {
  const v1::Deadline* d = FindDeadline(deadlines, name);
  if (d == nullptr || !IsOpen(*d)) return std::nullopt;
  v1::DeadlineCancelled c;
  c.set_name(std::string(name));
  c.set_reason(std::string(reason));
  return c;
}

bool HasMissedDeadline(const Deadlines& deadlines) {
  for (const v1::Deadline& d : deadlines) {
    if (d.state() == v1::Deadline::MISSED) return true;
  }
  return false;
}

std::vector<v1::DeadlineCancelled> CancelOpenDeadlines(const Deadlines& deadlines,
                                                       absl::string_view reason) {
  std::vector<v1::DeadlineCancelled> out;
  for (const v1::Deadline& d : deadlines) {
    if (std::optional<v1::DeadlineCancelled> c = CancelDeadline(deadlines, d.name(), reason)) {
      out.push_back(*std::move(c));
    }
  }
  return out;
}

std::optional<v1::DeadlinesPaused> PauseDeadlines(const Calendar& calendar,
                                                  const Deadlines& deadlines,
                                                  absl::CivilDay today, absl::string_view reason) {
  v1::DeadlinesPaused paused;
  for (const v1::Deadline& d : deadlines) {
    if (d.state() != v1::Deadline::RUNNING) continue;
    (*paused.mutable_remaining_working_days())[d.name()] =
        WorkingDaysBetween(calendar, today, ToCivilDay(d.due()));
  }
  if (paused.remaining_working_days().empty()) return std::nullopt;
  *paused.mutable_paused_on() = ToCivilDate(today);
  paused.set_reason(std::string(reason));
  return paused;
}

std::optional<v1::DeadlinesResumed> ResumeDeadlines(const Calendar& calendar,
                                                    const Deadlines& deadlines,
                                                    absl::CivilDay today,
                                                    int64_t set_at_version) {
  v1::DeadlinesResumed resumed;
  for (const v1::Deadline& d : deadlines) {
    if (d.state() != v1::Deadline::PAUSED) continue;
    DeadlineRule rule{DeadlineUnit::kWorkingDays, d.remaining_working_days(), d.name()};
    v1::Deadline restarted = FromComputed(ComputeDeadline(calendar, today, rule), d.name(),
                                          set_at_version);
    restarted.set_explanation(absl::StrCat("resumed with ", d.remaining_working_days(),
                                           " working days left (paused on ",
                                           FormatDate(d.paused_on()), "): ",
                                           restarted.explanation()));
    *resumed.add_deadlines() = std::move(restarted);
  }
  if (resumed.deadlines().empty()) return std::nullopt;
  *resumed.mutable_resumed_on() = ToCivilDate(today);
  return resumed;
}

std::optional<v1::DeadlinesResumed> ResumeDeadlinesByDaysHeld(const Deadlines& deadlines,
                                                              absl::CivilDay today,
                                                              int64_t set_at_version) {
  v1::DeadlinesResumed resumed;
  for (const v1::Deadline& d : deadlines) {
    if (d.state() != v1::Deadline::PAUSED) continue;
    const absl::CivilDay paused_on = ToCivilDay(d.paused_on());
    const int64_t held = std::max<int64_t>(0, today - paused_on);
    v1::Deadline restarted = d;
    *restarted.mutable_due() = ToCivilDate(ToCivilDay(d.due()) + held);
    restarted.set_state(v1::Deadline::RUNNING);
    restarted.set_remaining_working_days(0);
    restarted.clear_paused_on();
    restarted.set_set_at_version(set_at_version);
    restarted.set_explanation(absl::StrCat("moved on by ", held, held == 1 ? " day" : " days",
                                           " held (paused on ", FormatDate(d.paused_on()),
                                           ", resumed on ", FormatDate(ToCivilDate(today)),
                                           "): due ", FormatDate(restarted.due())));
    *resumed.add_deadlines() = std::move(restarted);
  }
  if (resumed.deadlines().empty()) return std::nullopt;
  *resumed.mutable_resumed_on() = ToCivilDate(today);
  return resumed;
}

void ApplyDeadlineSet(Deadlines* deadlines, const v1::DeadlineSet& event) {
  const v1::Deadline& d = event.deadline();
  if (v1::Deadline* existing = FindMutable(deadlines, d.name())) {
    *existing = d;
  } else {
    *deadlines->Add() = d;
  }
}

void ApplyDeadlineMet(Deadlines* deadlines, const v1::DeadlineMet& event,
                      const v1::EventEnvelope& envelope) {
  if (v1::Deadline* d = FindMutable(deadlines, event.name())) {
    d->set_state(d->state() == v1::Deadline::MISSED ? v1::Deadline::MET_LATE : v1::Deadline::MET);
    *d->mutable_closed_time() = envelope.recorded_time();
  }
}

void ApplyDeadlineMissed(Deadlines* deadlines, const v1::DeadlineMissed& event,
                         const v1::EventEnvelope& envelope) {
  if (v1::Deadline* d = FindMutable(deadlines, event.name())) {
    d->set_state(d->window() ? v1::Deadline::EXPIRED : v1::Deadline::MISSED);
    *d->mutable_closed_time() = envelope.recorded_time();
  }
}

void ApplyDeadlineCancelled(Deadlines* deadlines, const v1::DeadlineCancelled& event) {
  if (v1::Deadline* d = FindMutable(deadlines, event.name())) d->set_state(v1::Deadline::CANCELLED);
}

void ApplyDeadlinesPaused(Deadlines* deadlines, const v1::DeadlinesPaused& event) {
  for (const auto& [name, remaining] : event.remaining_working_days()) {
    v1::Deadline* d = FindMutable(deadlines, name);
    if (d == nullptr) continue;
    d->set_state(v1::Deadline::PAUSED);
    d->set_remaining_working_days(remaining);
    *d->mutable_paused_on() = event.paused_on();
  }
}

void ApplyDeadlinesResumed(Deadlines* deadlines, const v1::DeadlinesResumed& event) {
  for (const v1::Deadline& restarted : event.deadlines()) {
    if (v1::Deadline* d = FindMutable(deadlines, restarted.name())) *d = restarted;
  }
}

void DeadlineTimers(const Deadlines& deadlines, std::vector<TimerSpec>* timers) {
  for (const v1::Deadline& d : deadlines) {
    if (d.state() != v1::Deadline::RUNNING) continue;
    timers->push_back({d.name(), d.set_at_version(), ToCivilDay(d.due()) + 1});
  }
}

Events OnDeadlineTimer(const Deadlines& deadlines, absl::string_view name,
                       const DecideContext& context) {
  const v1::Deadline* d = FindDeadline(deadlines, name);
  if (d == nullptr || d->state() != v1::Deadline::RUNNING) return Events();
  if (context.today <= ToCivilDay(d->due())) return Events();
  v1::DeadlineMissed missed;
  missed.set_name(d->name());
  *missed.mutable_due() = d->due();
  return MakeEvents(std::move(missed));
}

std::string DeadlineRowPrefix(absl::string_view partnership, absl::string_view queue) {
  return absl::StrCat("deadlines/", partnership, "/", queue, "/");
}

void DeadlineRows(absl::string_view partnership, absl::string_view stream,
                  const Deadlines& deadlines, std::vector<Row>* rows) {
  for (const v1::Deadline& d : deadlines) {
    absl::string_view queue;
    if (d.state() == v1::Deadline::RUNNING) {
      queue = "running";
    } else if (d.state() == v1::Deadline::MISSED) {
      queue = "overdue";
    } else {
      continue;
    }
    v1::DeadlineItem item;
    item.set_stream(std::string(stream));
    *item.mutable_deadline() = d;
    rows->push_back(MessageRow(absl::StrCat(DeadlineRowPrefix(partnership, queue),
                                            FormatDate(d.due()), "/", stream, "#", d.name()),
                               item));
  }
}

}  // namespace casework::workflow
