#include "services/link_worker.h"

#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "casework/v1/actions.pb.h"
#include "casework/v1/case_reviews.pb.h"
#include "casework/v1/death_reviews.pb.h"
#include "casework/v1/panels.pb.h"
#include "services/paging.h"
#include "services/service_deps.h"
#include "workflow/actions/commands.h"
#include "workflow/case_review/commands.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/commands.h"
#include "workflow/panels/commands.h"

namespace casework::services {
namespace {

constexpr int kBatch = 256;

}  // namespace

void LinkWorker::Report(const std::string& row, const absl::Status& status) {
  std::fprintf(stderr, "caseworkd: links: %s not delivered: %s\n", row.c_str(),
               std::string(status.ToString()).c_str());
}

absl::StatusOr<std::string> LinkWorker::Run(const workflow::CommandType& type,
                                            std::shared_ptr<google::protobuf::Message> request) {
  storage::Command c = storage::MakeCommand(type, request, calendars_->Current());
  c.meta.actor.set_agency(std::string(workflow::kEngineAgency));
  c.meta.actor.set_user("links");
  c.meta.actor.set_role(std::string(workflow::kEngineRole));
  c.meta.causation_id = c.meta.request_id;
  auto promise = std::make_shared<std::promise<absl::StatusOr<std::string>>>();
  std::future<absl::StatusOr<std::string>> reply = promise->get_future();
  c.done = [promise](absl::StatusOr<std::string> r, bool) { promise->set_value(std::move(r)); };
  engine_->Submit(std::move(c));
  return reply.get();
}

absl::StatusOr<int> LinkWorker::DeliverPending() {
  ASSIGN_OR_RETURN(int escalations, DeliverEscalations());
  ASSIGN_OR_RETURN(int referrals, DeliverReferrals());
  ASSIGN_OR_RETURN(int plan_actions, DeliverPlanActions());
  return escalations + referrals + plan_actions;
}

absl::StatusOr<int> LinkWorker::Drain(
    absl::string_view prefix,
    const std::function<absl::StatusOr<bool>(const storage::StoredRow&)>& deliver) {
  int linked = 0;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows, store_->ScanRows(prefix, after, kBatch));
    for (const storage::StoredRow& row : rows) {
      ASSIGN_OR_RETURN(bool done, deliver(row));
      if (done) ++linked;
    }
    if (static_cast<int>(rows.size()) < kBatch) return linked;
    after = rows.back().key;
  }
}

namespace {

std::string PanelCaseName(const v1::PanelCaseResponse& r) { return r.panel_case().name(); }

}  // namespace

template <typename Response>
bool LinkWorker::OpenAndLink(
    const std::string& row, const workflow::CommandType& open,
    std::shared_ptr<google::protobuf::Message> open_request,
    const std::function<std::string(const Response&)>& opened_name,
    const workflow::CommandType& link,
    const std::function<std::shared_ptr<google::protobuf::Message>(const std::string&)>& make_link) {
  absl::StatusOr<Response> opened = RunFor<Response>(open, open_request);
  if (!opened.ok()) {
    Report(row, opened.status());
    return false;
  }
  absl::StatusOr<std::string> linked = Run(link, make_link(opened_name(*opened)));
  if (!linked.ok()) {
    Report(row, linked.status());
    return false;
  }
  return true;
}

absl::StatusOr<int> LinkWorker::DeliverReferrals() {
  namespace panels = workflow::panels;
  namespace case_review = workflow::case_review;
  return Drain(case_review::kReferralsPrefix, [&](const storage::StoredRow& row) -> absl::StatusOr<bool> {
    const std::string& review_name = row.value;
    ASSIGN_OR_RETURN(const int64_t id, NumberAtEnd(row.key));
    ASSIGN_OR_RETURN(v1::CaseReview review,
                     ReadState<v1::CaseReview>(*store_, case_review::CaseReviewWorkflow(), review_name));
    const v1::Recommendation* rec = nullptr;
    for (const v1::Recommendation& r : review.outcome().recommendations()) {
      if (r.id() == id) rec = &r;
    }
    if (rec == nullptr) return absl::DataLossError(absl::StrCat("no recommendation for ", row.key));
    auto receive = std::make_shared<v1::ReceiveRecommendationRequest>();
    receive->set_parent(absl::StrCat("partnerships/", workflow::PartnershipOfStream(review_name)));
    receive->set_request_id(absl::StrCat("recommendation:", review_name, "#", id));
    receive->set_case_review(review_name);
    receive->set_recommendation_id(id);
    receive->set_panel(rec->referral().panel());
    *receive->mutable_subject() = rec->referral().subject();
    receive->set_lawful_basis(rec->referral().lawful_basis());
    receive->set_consent_recorded(rec->referral().consent_recorded());
    receive->set_reason(rec->text());
    receive->set_referrer_agency(review.lead_agency());
    *receive->mutable_due_date() = rec->due_date();
    return OpenAndLink<v1::PanelCaseResponse>(
        row.key, panels::PanelCaseWorkflow().Command(panels::kReceiveRecommendation), receive,
        PanelCaseName, case_review::CaseReviewWorkflow().Command(case_review::kLinkPanelReferral),
        [&](const std::string& opened) {
          auto link = std::make_shared<v1::LinkPanelReferralRequest>();
          link->set_name(review_name);
          link->set_request_id(absl::StrCat("recommendation-link:", review_name, "#", id));
          link->set_recommendation_id(id);
          link->set_panel_case(opened);
          return link;
        });
  });
}

absl::StatusOr<int> LinkWorker::DeliverEscalations() {
  namespace panels = workflow::panels;
  const workflow::Workflow& cases = panels::PanelCaseWorkflow();
  return Drain(panels::kEscalatingPrefix, [&](const storage::StoredRow& row) -> absl::StatusOr<bool> {
    const std::string& escalated = row.value;
    auto receive = std::make_shared<v1::ReceiveEscalationRequest>();
    receive->set_parent(absl::StrCat("partnerships/", workflow::PartnershipOfStream(escalated)));
    receive->set_request_id(absl::StrCat("escalation:", escalated));
    receive->set_escalated_case(escalated);
    return OpenAndLink<v1::PanelCaseResponse>(
        row.key, cases.Command(panels::kReceiveEscalation), receive, PanelCaseName,
        cases.Command(panels::kLinkEscalation), [&](const std::string& opened) {
          auto link = std::make_shared<v1::LinkEscalationRequest>();
          link->set_name(escalated);
          link->set_request_id(absl::StrCat("escalation-link:", escalated));
          link->set_linked_case(opened);
          return link;
        });
  });
}

absl::StatusOr<int> LinkWorker::DeliverPlanActions() {
  namespace dr = workflow::death_reviews;
  namespace actions = workflow::actions;
  return Drain(dr::kPlanActionsPrefix, [&](const storage::StoredRow& row) -> absl::StatusOr<bool> {
    // deathReviews/~actions/{p}/{n}/{item}
    const std::vector<std::string> parts =
        absl::StrSplit(absl::string_view(row.key).substr(dr::kPlanActionsPrefix.size()), '/');
    int64_t number = 0;
    v1::ActionPlanItem item;
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &number) ||
        !item.ParseFromString(row.value)) {
      return absl::DataLossError(absl::StrCat("unreadable plan action row ", row.key));
    }
    const std::string review = dr::DeathReviewStream(parts[0], number);
    auto create = std::make_shared<v1::CreateActionRequest>();
    create->set_parent(absl::StrCat("partnerships/", parts[0]));
    create->set_request_id(absl::StrCat("plan-action:", review, "#", item.id()));
    create->set_title(item.action());
    create->set_owner_agency(item.lead_agency());
    *create->mutable_due_date() = item.due_on();
    create->set_source(review);
    return OpenAndLink<v1::ActionResponse>(
        row.key, actions::ActionWorkflow().Command(actions::kCreateAction), create,
        [](const v1::ActionResponse& r) { return r.action().name(); },
        dr::DeathReviewWorkflow().Command(dr::kLinkPlanAction), [&](const std::string& opened) {
          auto link = std::make_shared<v1::LinkPlanActionRequest>();
          link->set_name(review);
          link->set_request_id(absl::StrCat("plan-action-link:", review, "#", item.id()));
          link->set_item_id(item.id());
          link->set_action(opened);
          return link;
        });
  });
}

}  // namespace casework::services
