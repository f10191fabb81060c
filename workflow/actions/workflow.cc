// The action workflow's definition: its table, commands, appliers and rows.
#include "workflow/actions/internal.h"
#include "workflow/common/roles.h"
#include "workflow/kernel/definition.h"
#include "workflow/time/case_deadlines.h"

namespace casework::workflow::actions {
namespace {

// An action's parties: its owner, the agency that raised it, and the
// partnership chair.
bool IsParty(const State& a, const v1::Actor& actor) {
  return actor.agency() == a.owner_agency() || actor.agency() == a.raised_by_agency() ||
         actor.role() == kPartnershipChairRole;
}

}  // namespace

const Workflow& ActionWorkflow() {
  static const Workflow* workflow = [] {
    // Schema 2: notes left the state for rows (state records of schema 1
    // are ignored and the state folded from the events).
    Definition<State> d({"action", "actions", 2, "casework.v1.ActionService",
                         "docs/workflows/actions.md"});
    d.StateField(&v1::Action::state);
    d.Retention([](const v1::Action& a) -> int64_t {
      const bool closed = a.state() == v1::Action::COMPLETED || a.state() == v1::Action::CANCELLED;
      return closed ? a.update_time().seconds() : 0;
    });
    d.Transitions({
        {kNewState, kCreateAction.name, {"OPEN"}},
        {"OPEN", kRecordProgress.name, {"OPEN"}},
        {"OPEN", kChangeDueDate.name, {"OPEN"}},
        {"OPEN", kCompleteAction.name, {"COMPLETED"}},
        {"OPEN", kCancelAction.name, {"CANCELLED"}},
        {"OPEN", kPutActionOnHold.name, {"ON_HOLD"}},
        {"COMPLETED", kReopenAction.name, {"OPEN"}},
        {"ON_HOLD", kResumeAction.name, {"OPEN"}},
        {"ON_HOLD", kCancelAction.name, {"CANCELLED"}},
    });

    d.Create(kCreateAction, DecideCreate, ValidateCreate);
    d.Update(kRecordProgress, DecideProgress, ValidateProgress);
    d.Update(kChangeDueDate, DecideDueDate, ValidateDueDate);
    d.Update(kCompleteAction, DecideComplete, ValidateComplete);
    d.Update(kCancelAction, DecideCancel, ValidateCancel);
    d.Update(kReopenAction, DecideReopen, ValidateReopen);
    d.Update(kPutActionOnHold, DecideHold, ValidateHold);
    d.Update(kResumeAction, DecideResume, ValidateResume);
    d.Reply(ActionReply);

    d.On<v1::ActionCreated>(ApplyCreated);
    d.On<v1::ActionProgressRecorded>(ApplyProgress);
    d.On<v1::ActionDueDateChanged>(ApplyDueDateChanged);
    d.On<v1::ActionCompleted>(ApplyCompleted);
    d.On<v1::ActionCancelled>(ApplyCancelled);
    d.On<v1::ActionReopened>(ApplyReopened);
    d.On<v1::ActionPutOnHold>(ApplyPutOnHold);
    d.On<v1::ActionResumed>(ApplyResumed);
    d.On<v1::DeadlinesResumed>(ApplyResumedClock);
    AddDeadlines(d);

    d.Rows(ActionRows, {"actions"});
    d.SummaryRow(ActionSummaryRow);
    d.EventRows(NoteRows, {"actions"});
    d.ReadAccess(IsParty);
    return std::move(d).Build();
  }();
  return *workflow;
}

}  // namespace casework::workflow::actions
