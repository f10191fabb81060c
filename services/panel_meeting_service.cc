// casework.v1.PanelMeetingService's reads: the minutes and the agenda. Its
// commands are defined in panel_service.h.
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/paging.h"
#include "services/panel_service.h"
#include "services/policy_service.h"
#include "workflow/actions/commands.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/panels/policy_section.h"
#include "workflow/panels/rules.h"

namespace casework::services {
namespace {

namespace panels = workflow::panels;

// Items of one agenda list at most: an agenda is read before a meeting and
// must stay one reply.
constexpr int kMaxAgendaItems = 500;

// The meeting `name` if the caller may read it (its parties: organiser,
// attendees, chairs); what it lists (the panel's cases and actions) they
// then see as members of the panel.
absl::StatusOr<v1::PanelMeeting> ReadMeeting(const ServiceDeps& deps, ReadFilter& filter,
                                             const std::string& name) {
  FieldErrors errors;
  workflow::ParseResourceName("name", name, panels::kMeetingCollection, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  return ReadVisibleState<v1::PanelMeeting>(deps, filter, panels::PanelMeetingWorkflow(), name);
}

absl::StatusOr<v1::PanelCase> ReadCase(const ServiceDeps& deps, absl::string_view partnership,
                                       absl::string_view key) {
  ASSIGN_OR_RETURN(const int64_t n, NumberAtEnd(key));
  return ReadState<v1::PanelCase>(*deps.store, panels::PanelCaseWorkflow(),
                                  panels::PanelCaseStream(partnership, n));
}

v1::AgendaItem ItemOf(const v1::PanelCase& c) {
  v1::AgendaItem item;
  item.set_case_name(c.name());
  item.set_state(c.state());
  item.set_display_name(c.subject().display_name());
  *item.mutable_next_review_due() = c.next_review_due();
  return item;
}

}  // namespace

grpc::ServerUnaryReactor* PanelMeetingService::GetMeeting(grpc::CallbackServerContext* context,
                                                          const v1::GetMeetingRequest* request,
                                                          v1::PanelMeetingMinutes* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  return FinishRead(deps_, context, Minutes(filter, *request, response));
}

absl::Status PanelMeetingService::Minutes(ReadFilter& filter, const v1::GetMeetingRequest& request,
                                          v1::PanelMeetingMinutes* response) const {
  ASSIGN_OR_RETURN(v1::PanelMeeting meeting, ReadMeeting(deps_, filter, request.name()));
  std::optional<workflow::ResourceName> name =
      workflow::ResourceNameOf(request.name(), panels::kMeetingCollection);
  ASSIGN_OR_RETURN(const v1::Policy policy,
                   ReadPolicy(*deps_.store, name->partnership, meeting.policy_version()));
  if (const v1::PanelDefinition* panel = panels::FindPanel(policy, meeting.panel())) {
    *response->mutable_quorum() = panels::QuorumOf(*panel, meeting);
  }
  // The decisions, in the order taken; bounded by the meeting's agenda.
  const std::string prefix = panels::DecisionsPrefix(name->partnership, name->number);
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows,
                     deps_.store->ScanRows(prefix, after, kMaxAgendaItems));
    for (const storage::StoredRow& row : rows) {
      if (!response->add_decisions()->ParseFromString(row.value)) {
        return absl::DataLossError(absl::StrCat("corrupt decision row ", row.key));
      }
    }
    if (rows.size() < static_cast<size_t>(kMaxAgendaItems)) break;
    after = rows.back().key;
  }
  // The actions it set.
  ASSIGN_OR_RETURN(std::vector<storage::StoredRow> actions,
                   deps_.store->ScanRows(
                       workflow::actions::ActionSourcePrefix(name->partnership, meeting.name()), "",
                       kMaxAgendaItems));
  for (const storage::StoredRow& row : actions) {
    ASSIGN_OR_RETURN(const int64_t n, NumberAtEnd(row.key));
    ASSIGN_OR_RETURN(*response->add_new_actions(),
                     ReadState<v1::Action>(*deps_.store, workflow::actions::ActionWorkflow(),
                                           workflow::actions::ActionStream(name->partnership, n)));
  }
  *response->mutable_meeting() = std::move(meeting);
  SetNextSteps(workflow_, filter.actor(), *response->mutable_meeting());
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* PanelMeetingService::ListMeetings(grpc::CallbackServerContext* context,
                                                            const v1::ListMeetingsRequest* request,
                                                            v1::ListMeetingsResponse* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  return FinishNow(context, List(filter, *request, response));
}

absl::Status PanelMeetingService::List(ReadFilter& filter, const v1::ListMeetingsRequest& request,
                                       v1::ListMeetingsResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  if (!request.panel().empty()) workflow::CheckId("panel", request.panel(), errors);
  if (!v1::PanelMeeting::State_IsValid(request.state())) {
    errors.Add("state", "unknown", "is not a meeting state");
  }
  const PageRequest page = CheckPage(request, errors);
  RETURN_IF_ERROR(errors.ToStatus());

  // One panel's index (by date), or the summary rows of every meeting.
  const bool summary = request.panel().empty();
  const std::string prefix =
      summary ? panels::MeetingRowPrefix(*partnership, "all")
              : absl::StrCat(panels::MeetingRowPrefix(*partnership, "panel"), request.panel(), "/");
  return PageRows(
      *deps_.store, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        v1::PanelMeeting meeting;
        if (summary) {
          if (!meeting.ParseFromString(row.value)) {
            return absl::DataLossError(absl::StrCat("corrupt meeting row ", row.key));
          }
        } else {
          ASSIGN_OR_RETURN(const int64_t n, NumberAtEnd(row.key));
          ASSIGN_OR_RETURN(
              meeting, ReadState<v1::PanelMeeting>(*deps_.store, workflow_,
                                                   panels::PanelMeetingStream(*partnership, n)));
        }
        if (request.state() != v1::PanelMeeting::STATE_UNSPECIFIED &&
            meeting.state() != request.state()) {
          return Visit::kSkipped;
        }
        ASSIGN_OR_RETURN(const bool may_read,
                         filter.MayReadState(workflow_, meeting.name(), meeting));
        if (!may_read) return Visit::kSkipped;
        *response->add_meetings() = std::move(meeting);
        return Visit::kTaken;
      },
      response);
}

grpc::ServerUnaryReactor* PanelMeetingService::GetAgenda(grpc::CallbackServerContext* context,
                                                         const v1::GetAgendaRequest* request,
                                                         v1::PanelAgenda* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  return FinishRead(deps_, context, Agenda(filter, *request, response));
}

absl::Status PanelMeetingService::Agenda(ReadFilter& filter, const v1::GetAgendaRequest& request,
                                         v1::PanelAgenda* response) const {
  ASSIGN_OR_RETURN(v1::PanelMeeting meeting, ReadMeeting(deps_, filter, request.name()));
  const std::string partnership(workflow::PartnershipOfStream(meeting.name()));
  response->set_meeting(meeting.name());
  response->set_panel(meeting.panel());
  *response->mutable_date() = meeting.date();
  const std::string date = workflow::FormatDate(meeting.date());

  // New referrals: the panel's REFERRED index.
  const std::string referred =
      absl::StrCat(panels::CaseRowPrefix(partnership, "panel"), meeting.panel(), "/REFERRED/");
  ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows,
                   deps_.store->ScanRows(referred, "", kMaxAgendaItems));
  for (const storage::StoredRow& row : rows) {
    ASSIGN_OR_RETURN(v1::PanelCase c, ReadCase(deps_, partnership, row.key));
    *(c.escalated_from().empty() ? response->add_new_referrals() : response->add_escalations_in()) =
        ItemOf(c);
  }
  // Cases due on or before the meeting date, by date.
  const std::string due =
      absl::StrCat(panels::CaseRowPrefix(partnership, "due"), meeting.panel(), "/");
  ASSIGN_OR_RETURN(rows, deps_.store->ScanRows(due, "", 2 * kMaxAgendaItems));
  for (const storage::StoredRow& row : rows) {
    if (absl::string_view(row.key).substr(due.size(), 10) > date) break;
    ASSIGN_OR_RETURN(v1::PanelCase c, ReadCase(deps_, partnership, row.key));
    *(c.state() == v1::PanelCase::MAIN_AGENDA ? response->add_main_agenda_due()
                                              : response->add_monitoring_due()) = ItemOf(c);
  }
  // Open actions due before the meeting whose source is a case of this panel
  // or one of its meetings.
  const std::string actions_due = workflow::actions::ActionRowPrefix(partnership, "due");
  ASSIGN_OR_RETURN(rows, deps_.store->ScanRows(actions_due, "", 4 * kMaxAgendaItems));
  const std::string case_prefix =
      absl::StrCat("partnerships/", partnership, "/", panels::kCaseCollection, "/");
  const std::string meeting_prefix =
      absl::StrCat("partnerships/", partnership, "/", panels::kMeetingCollection, "/");
  for (const storage::StoredRow& row : rows) {
    if (absl::string_view(row.key).substr(actions_due.size(), 10) >= date) break;
    ASSIGN_OR_RETURN(const int64_t n, NumberAtEnd(row.key));
    ASSIGN_OR_RETURN(v1::Action action,
                     ReadState<v1::Action>(*deps_.store, workflow::actions::ActionWorkflow(),
                                           workflow::actions::ActionStream(partnership, n)));
    std::string panel;
    if (absl::StartsWith(action.source(), case_prefix)) {
      absl::StatusOr<v1::PanelCase> c =
          ReadState<v1::PanelCase>(*deps_.store, panels::PanelCaseWorkflow(), action.source());
      if (c.ok()) panel = c->panel();
    } else if (absl::StartsWith(action.source(), meeting_prefix)) {
      absl::StatusOr<v1::PanelMeeting> m = ReadState<v1::PanelMeeting>(
          *deps_.store, panels::PanelMeetingWorkflow(), action.source());
      if (m.ok()) panel = m->panel();
    }
    if (panel != meeting.panel() || response->overdue_actions_size() >= kMaxAgendaItems) continue;
    v1::OverdueAction& item = *response->add_overdue_actions();
    item.set_action(action.name());
    item.set_title(action.title());
    item.set_owner_agency(action.owner_agency());
    *item.mutable_due_date() = action.due_date();
    item.set_source(action.source());
  }
  return absl::OkStatus();
}

}  // namespace casework::services
