// The parts of the action workflow its definition (workflow.cc) assembles.
// Private to workflow/actions/.
#ifndef CASEWORK_WORKFLOW_ACTIONS_INTERNAL_H_
#define CASEWORK_WORKFLOW_ACTIONS_INTERNAL_H_

#include <string>
#include <vector>

#include "casework/v1/actions.pb.h"
#include "workflow/actions/commands.h"
#include "workflow/common/status.h"

namespace casework::workflow::actions {

using State = v1::Action;

// validate.cc: each command's own field rules (the kit checks parent or
// name, request_id and expected_version).
void ValidateCreate(const v1::CreateActionRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateProgress(const v1::RecordProgressRequest& r, const ValidateContext&,
                      FieldErrors& errors);
void ValidateDueDate(const v1::ChangeDueDateRequest& r, const ValidateContext&,
                     FieldErrors& errors);
void ValidateComplete(const v1::CompleteActionRequest& r, const ValidateContext&,
                      FieldErrors& errors);
void ValidateCancel(const v1::CancelActionRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateReopen(const v1::ReopenActionRequest& r, const ValidateContext&, FieldErrors& errors);
void ValidateHold(const v1::PutActionOnHoldRequest& r, const ValidateContext&,
                  FieldErrors& errors);
void ValidateResume(const v1::ResumeActionRequest& r, const ValidateContext&, FieldErrors& errors);

// decide.cc: one decision per command. Every one needs context.calendar.
absl::Status DecideCreate(const State& s, const v1::CreateActionRequest& r,
                          const DecideContext& ctx, Decision& out);
absl::Status DecideProgress(const State& s, const v1::RecordProgressRequest& r,
                            const DecideContext& ctx, Decision& out);
// INVALID_ARGUMENT ("due_date", "unchanged") for the date it already has.
absl::Status DecideDueDate(const State& s, const v1::ChangeDueDateRequest& r,
                           const DecideContext& ctx, Decision& out);
absl::Status DecideComplete(const State& s, const v1::CompleteActionRequest& r,
                            const DecideContext& ctx, Decision& out);
absl::Status DecideCancel(const State& s, const v1::CancelActionRequest& r,
                          const DecideContext& ctx, Decision& out);
absl::Status DecideReopen(const State& s, const v1::ReopenActionRequest& r,
                          const DecideContext& ctx, Decision& out);
absl::Status DecideHold(const State& s, const v1::PutActionOnHoldRequest& r,
                        const DecideContext& ctx, Decision& out);
absl::Status DecideResume(const State& s, const v1::ResumeActionRequest& r,
                          const DecideContext& ctx, Decision& out);

// apply.cc: one applier per event type.
void ApplyCreated(State& a, const v1::ActionCreated& e, const v1::EventEnvelope& env);
v1::ProgressNote NoteOf(const v1::ActionProgressRecorded& e, const v1::EventEnvelope& env);
void ApplyProgress(State& a, const v1::ActionProgressRecorded& e, const v1::EventEnvelope& env);
void ApplyDueDateChanged(State& a, const v1::ActionDueDateChanged& e);
void ApplyCompleted(State& a, const v1::ActionCompleted& e);
void ApplyCancelled(State& a, const v1::ActionCancelled& e);
void ApplyReopened(State& a, const v1::ActionReopened& e);
void ApplyPutOnHold(State& a, const v1::ActionPutOnHold& e);
void ApplyResumed(State& a, const v1::ActionResumed& e);
// A resumed clock moves the action's due date with it.
void ApplyResumedClock(State& a, const v1::DeadlinesResumed& e);

// rows.cc
void ActionRows(absl::string_view stream, const State& a, std::vector<Row>* rows);
// One row per progress note: actions/{p}/notes/{n}/{stream version}.
void NoteRows(absl::string_view stream, const v1::ActionProgressRecorded& e,
              const v1::EventEnvelope& env, std::vector<Row>* rows);
v1::ActionResponse ActionReply(const State& a, const v1::CommitInfo& commit);

}  // namespace casework::workflow::actions

#endif  // CASEWORK_WORKFLOW_ACTIONS_INTERNAL_H_
