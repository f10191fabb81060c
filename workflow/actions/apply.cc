// The action appliers: the only code that changes an action's state.
#include "workflow/actions/internal.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::actions {

void ApplyCreated(State& a, const v1::ActionCreated& e, const v1::EventEnvelope& env) {
  a.set_name(ActionStream(e.partnership(), e.number()));
  a.set_title(e.title());
  a.set_owner_agency(e.owner_agency());
  *a.mutable_due_date() = e.due_date();
  a.set_source(e.source());
  a.set_state(v1::Action::OPEN);
  *a.mutable_create_time() = env.recorded_time();
  if (!IsEngineActor(env.actor())) a.set_raised_by_agency(env.actor().agency());
}

v1::ProgressNote NoteOf(const v1::ActionProgressRecorded& e, const v1::EventEnvelope& env) {
  v1::ProgressNote note;
  note.set_text(e.note());
  *note.mutable_author() = env.actor();
  *note.mutable_time() = env.recorded_time();
  return note;
}

// The notes themselves are rows (NoteRows); the state keeps a summary.
void ApplyProgress(State& a, const v1::ActionProgressRecorded& e, const v1::EventEnvelope& env) {
  a.set_note_count(a.note_count() + 1);
  *a.mutable_last_note() = NoteOf(e, env);
}

void ApplyDueDateChanged(State& a, const v1::ActionDueDateChanged& e) {
  *a.mutable_due_date() = e.due_date();
}

void ApplyCompleted(State& a, const v1::ActionCompleted& e) {
  a.set_state(v1::Action::COMPLETED);
  a.set_resolution(e.note());
}

void ApplyCancelled(State& a, const v1::ActionCancelled& e) {
  a.set_state(v1::Action::CANCELLED);
  a.set_resolution(e.reason());
}

void ApplyReopened(State& a, const v1::ActionReopened& e) {
  a.set_state(v1::Action::OPEN);
  a.set_resolution(e.reason());
}

void ApplyPutOnHold(State& a, const v1::ActionPutOnHold& e) {
  a.set_state(v1::Action::ON_HOLD);
  a.set_resolution(e.reason());
}

void ApplyResumed(State& a, const v1::ActionResumed&) { a.set_state(v1::Action::OPEN); }

void ApplyResumedClock(State& a, const v1::DeadlinesResumed& e) {
  workflow::ApplyDeadlinesResumed(a.mutable_deadlines(), e);
  if (const v1::Deadline* d = FindDeadline(a.deadlines(), kCompleteBy)) {
    *a.mutable_due_date() = d->due();
  }
}

}  // namespace casework::workflow::actions
