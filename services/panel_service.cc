#include "services/panel_service.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/paging.h"
#include "services/policy_service.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/panels/figures.h"
#include "workflow/panels/policy_section.h"

namespace casework::services {
namespace {

using workflow::panels::CaseRowPrefix;

// How many rows start with `prefix`, read a batch at a time.
absl::StatusOr<int> CountRows(const storage::EventStore& store, const std::string& prefix) {
  int count = 0;
  RETURN_IF_ERROR(ForEachRow(store, prefix, [&](const storage::StoredRow&) {
    ++count;
    return absl::OkStatus();
  }));
  return count;
}

}  // namespace

grpc::ServerUnaryReactor* PanelService::GetPanelCase(grpc::CallbackServerContext* context,
                                                     const v1::GetPanelCaseRequest* request,
                                                     v1::PanelCase* response) {
  return FinishGet(deps_, context, workflow_, request->name(), response);
}

grpc::ServerUnaryReactor* PanelService::ListPanelCases(grpc::CallbackServerContext* context,
                                                       const v1::ListPanelCasesRequest* request,
                                                       v1::ListPanelCasesResponse* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  return FinishNow(context, List(filter, *request, response));
}

absl::Status PanelService::List(ReadFilter& filter, const v1::ListPanelCasesRequest& request,
                                v1::ListPanelCasesResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  if (!request.panel().empty()) workflow::CheckId("panel", request.panel(), errors);
  if (!v1::PanelCase::State_IsValid(request.state())) {
    errors.Add("state", "unknown", "is not a panel case state");
  }
  if (!v1::PanelSubjectKind_IsValid(request.subject_kind())) {
    errors.Add("subject_kind", "unknown", "is not a subject kind");
  }
  std::optional<absl::CivilDay> due_by;
  if (request.has_due_by()) {
    due_by = workflow::CheckDate("due_by", request.due_by(), errors);
    if (request.panel().empty()) errors.Add("panel", "required_with_due_by", "name the panel");
  }
  const PageRequest page = CheckPage(request, errors);
  RETURN_IF_ERROR(errors.ToStatus());

  // The most selective index: due dates of one panel, one panel's state, or
  // every case (the summary rows themselves).
  std::string prefix = CaseRowPrefix(*partnership, "all");
  if (due_by) {
    prefix = absl::StrCat(CaseRowPrefix(*partnership, "due"), request.panel(), "/");
  } else if (!request.panel().empty() && request.state() != v1::PanelCase::STATE_UNSPECIFIED) {
    prefix = absl::StrCat(CaseRowPrefix(*partnership, "panel"), request.panel(), "/",
                          v1::PanelCase::State_Name(request.state()), "/");
  }
  const bool summary = absl::StartsWith(prefix, CaseRowPrefix(*partnership, "all"));
  const std::string horizon = due_by ? workflow::FormatDate(workflow::ToCivilDate(*due_by)) : "";
  return PageRows(
      *deps_.store, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        if (due_by && absl::string_view(row.key).substr(prefix.size(), 10) > horizon) {
          return Visit::kEnd;
        }
        v1::PanelCase c;
        if (summary) {
          if (!c.ParseFromString(row.value)) {
            return absl::DataLossError(absl::StrCat("corrupt panel case row ", row.key));
          }
        } else {
          ASSIGN_OR_RETURN(int64_t n, NumberAtEnd(row.key));
          ASSIGN_OR_RETURN(c, ReadState<v1::PanelCase>(
                                  *deps_.store, workflow_,
                                  workflow::panels::PanelCaseStream(*partnership, n)));
        }
        if ((!request.panel().empty() && c.panel() != request.panel()) ||
            (request.state() != v1::PanelCase::STATE_UNSPECIFIED && c.state() != request.state()) ||
            (request.subject_kind() != v1::PANEL_SUBJECT_KIND_UNSPECIFIED &&
             c.subject().kind() != request.subject_kind())) {
          return Visit::kSkipped;
        }
        ASSIGN_OR_RETURN(const bool may_read, filter.MayReadState(workflow_, c.name(), c));
        if (!may_read) return Visit::kSkipped;
        *response->add_panel_cases() = std::move(c);
        return Visit::kTaken;
      },
      response);
}

grpc::ServerUnaryReactor* PanelService::ListAssessments(grpc::CallbackServerContext* context,
                                                        const v1::ListAssessmentsRequest* request,
                                                        v1::ListAssessmentsResponse* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  return FinishRead(deps_, context, Assessments(filter, *request, response));
}

absl::Status PanelService::Assessments(ReadFilter& filter, const v1::ListAssessmentsRequest& request,
                                       v1::ListAssessmentsResponse* response) const {
  FieldErrors errors;
  std::optional<workflow::ResourceName> name =
      workflow::ParseResourceName("name", request.name(), workflow_.collection(), errors);
  const PageRequest page = CheckPage(request, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  RETURN_IF_ERROR(
      ReadVisibleState<v1::PanelCase>(deps_, filter, workflow_, request.name()).status());
  return PageRows(
      *deps_.store, workflow::panels::AssessmentsPrefix(name->partnership, name->number), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        if (!response->add_assessments()->ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt assessment row ", row.key));
        }
        return Visit::kTaken;
      },
      response);
}

grpc::ServerUnaryReactor* PanelService::CountPanelCases(grpc::CallbackServerContext* context,
                                                        const v1::CountPanelCasesRequest* request,
                                                        v1::CountPanelCasesResponse* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  return FinishNow(context, Count(*request, response));
}

absl::Status PanelService::Count(const v1::CountPanelCasesRequest& request,
                                 v1::CountPanelCasesResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  RETURN_IF_ERROR(errors.ToStatus());
  ASSIGN_OR_RETURN(const v1::Policy policy, ReadPolicy(*deps_.store, *partnership, 0));
  for (const v1::PanelDefinition& panel : policy.panels().panels()) {
    v1::PanelCount& count = *response->add_panels();
    count.set_panel(panel.id());
    const std::string base = absl::StrCat(CaseRowPrefix(*partnership, "panel"), panel.id(), "/");
    ASSIGN_OR_RETURN(int referred, CountRows(*deps_.store, base + "REFERRED/"));
    ASSIGN_OR_RETURN(int main, CountRows(*deps_.store, base + "MAIN_AGENDA/"));
    ASSIGN_OR_RETURN(int monitoring, CountRows(*deps_.store, base + "MONITORING/"));
    count.set_referred(referred);
    count.set_main_agenda(main);
    count.set_monitoring(monitoring);
    count.set_open(referred + main + monitoring);
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* PanelService::GetPanelFigures(grpc::CallbackServerContext* context,
                                                        const v1::GetPanelFiguresRequest* request,
                                                        v1::PanelFigures* response) {
  if (auto* refused = RefuseUnlessAllowed(context)) return refused;
  return FinishNow(context, Figures(*request, response));
}

absl::Status PanelService::Figures(const v1::GetPanelFiguresRequest& request,
                                   v1::PanelFigures* response) const {
  FieldErrors errors;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), errors);
  std::optional<absl::CivilDay> from = workflow::CheckDate("from", request.from(), errors);
  std::optional<absl::CivilDay> to = workflow::CheckDate("to", request.to(), errors);
  if (from && to && *from > *to) errors.Add("to", "order", "must not be before from");
  RETURN_IF_ERROR(errors.ToStatus());
  ASSIGN_OR_RETURN(const v1::Policy policy, ReadPolicy(*deps_.store, *partnership, 0));
  workflow::panels::FiguresBuilder figures(policy, *from, *to);
  // Every case, a page at a time: the figures hold counts, not cases.
  const std::string prefix = CaseRowPrefix(*partnership, "all");
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows,
                     deps_.store->ScanRows(prefix, after, kMaxPageSize));
    for (const storage::StoredRow& row : rows) {
      v1::PanelCase c;
      if (!c.ParseFromString(row.value)) {
        return absl::DataLossError(absl::StrCat("corrupt panel case row ", row.key));
      }
      figures.Add(c);
    }
    if (rows.size() < static_cast<size_t>(kMaxPageSize)) break;
    after = rows.back().key;
  }
  *response = std::move(figures).Finish();
  return absl::OkStatus();
}

}  // namespace casework::services
