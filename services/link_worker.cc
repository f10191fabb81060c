#include "services/link_worker.h"

#include <cstdio>
#include <future>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "casework/v1/panels.pb.h"
#include "workflow/common/validation.h"
#include "workflow/panels/commands.h"

namespace casework::services {
namespace {

constexpr int kBatch = 256;

}  // namespace

absl::StatusOr<std::string> LinkWorker::Run(const workflow::CommandType& type,
                                            std::shared_ptr<google::protobuf::Message> request) {
  storage::Command c = storage::MakeCommand(type, request, calendars_->Current());
  c.meta.actor.set_agency("casework");
  c.meta.actor.set_user("links");
  c.meta.actor.set_role("system");
  c.meta.causation_id = c.meta.request_id;
  auto promise = std::make_shared<std::promise<absl::StatusOr<std::string>>>();
  std::future<absl::StatusOr<std::string>> reply = promise->get_future();
  c.done = [promise](absl::StatusOr<std::string> r, bool) { promise->set_value(std::move(r)); };
  engine_->Submit(std::move(c));
  return reply.get();
}

absl::StatusOr<int> LinkWorker::DeliverPending() {
  namespace panels = workflow::panels;
  const workflow::Workflow& cases = panels::PanelCaseWorkflow();
  int linked = 0;
  std::string after;
  for (;;) {
    absl::StatusOr<std::vector<storage::StoredRow>> rows =
        store_->ScanRows(panels::kEscalatingPrefix, after, kBatch);
    if (!rows.ok()) return rows.status();
    for (const storage::StoredRow& row : *rows) {
      const std::string& escalated = row.value;
      auto receive = std::make_shared<v1::ReceiveEscalationRequest>();
      receive->set_parent(
          absl::StrCat("partnerships/", workflow::PartnershipOfStream(escalated)));
      receive->set_request_id(absl::StrCat("escalation:", escalated));
      receive->set_escalated_case(escalated);
      absl::StatusOr<std::string> opened = Run(cases.Command(panels::kReceiveEscalation), receive);
      v1::PanelCaseResponse parent;
      if (opened.ok() && !parent.ParseFromString(*opened)) opened = absl::DataLossError("bad reply");
      if (!opened.ok()) {
        std::fprintf(stderr, "caseworkd: links: %s not received: %s\n", escalated.c_str(),
                     std::string(opened.status().ToString()).c_str());
        continue;
      }
      auto link = std::make_shared<v1::LinkEscalationRequest>();
      link->set_name(escalated);
      link->set_request_id(absl::StrCat("escalation-link:", escalated));
      link->set_linked_case(parent.panel_case().name());
      absl::StatusOr<std::string> done = Run(cases.Command(panels::kLinkEscalation), link);
      if (!done.ok()) {
        std::fprintf(stderr, "caseworkd: links: %s not linked: %s\n", escalated.c_str(),
                     std::string(done.status().ToString()).c_str());
        continue;
      }
      ++linked;
    }
    if (static_cast<int>(rows->size()) < kBatch) return linked;
    after = rows->back().key;
  }
}

}  // namespace casework::services
