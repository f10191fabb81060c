// The panel case's outbox (kernel/outbox.h): an escalated case opens its
// parent panel's case.
#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/panels/internal.h"

namespace casework::workflow::panels {

OutboxRoute EscalationRoute() {
  return {"escalation", std::string(kEscalatingPrefix),
          "casework.v1.PanelService/ReceiveEscalation",
          [](const Row& row, const ReadStateFn&) -> absl::StatusOr<OutboxDelivery> {
            const std::string escalated = row.value;
            const Workflow& cases = PanelCaseWorkflow();
            OutboxDelivery d;
            auto receive = std::make_shared<v1::ReceiveEscalationRequest>();
            receive->set_parent(absl::StrCat("partnerships/", PartnershipOfStream(escalated)));
            receive->set_request_id(absl::StrCat("escalation:", escalated));
            receive->set_escalated_case(escalated);
            d.target = &cases.Command(kReceiveEscalation);
            d.request = std::move(receive);
            d.opened = NameFromReply(&v1::PanelCaseResponse::panel_case);
            d.link = &cases.Command(kLinkEscalation);
            d.link_request = [escalated](const std::string& opened) {
              auto link = std::make_shared<v1::LinkEscalationRequest>();
              link->set_name(escalated);
              link->set_request_id(absl::StrCat("escalation-link:", escalated));
              link->set_linked_case(opened);
              return link;
            };
            return d;
          }};
}

}  // namespace casework::workflow::panels
