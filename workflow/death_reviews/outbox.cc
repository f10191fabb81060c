// The death review's outbox (kernel/outbox.h): an action plan item opens its
// action on the shared action log (source: the review).
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "workflow/actions/commands.h"
#include "workflow/common/validation.h"
#include "workflow/death_reviews/internal.h"

namespace casework::workflow::death_reviews {

OutboxRoute PlanActionRoute() {
  return {"plan-action", std::string(kPlanActionsPrefix), "casework.v1.ActionService/CreateAction",
          [](const Row& row, const ReadStateFn&) -> absl::StatusOr<OutboxDelivery> {
            // deathReviews/~actions/{partnership}/{number}/{item}
            const std::vector<std::string> parts =
                absl::StrSplit(absl::string_view(row.key).substr(kPlanActionsPrefix.size()), '/');
            int64_t number = 0;
            v1::ActionPlanItem item;
            if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &number) ||
                !item.ParseFromString(row.value)) {
              return absl::DataLossError(absl::StrCat("unreadable plan action row ", row.key));
            }
            const std::string review = DeathReviewStream(parts[0], number);
            auto create = std::make_shared<v1::CreateActionRequest>();
            create->set_parent(absl::StrCat("partnerships/", parts[0]));
            create->set_request_id(absl::StrCat("plan-action:", review, "#", item.id()));
            create->set_title(item.action());
            create->set_owner_agency(item.lead_agency());
            *create->mutable_due_date() = item.due_on();
            create->set_source(review);
            OutboxDelivery d;
            d.target = &actions::ActionWorkflow().Command(actions::kCreateAction);
            d.request = std::move(create);
            d.opened = NameFromReply(&v1::ActionResponse::action);
            d.link = &DeathReviewWorkflow().Command(kLinkPlanAction);
            d.link_request = [review, id = item.id()](const std::string& opened) {
              auto link = std::make_shared<v1::LinkPlanActionRequest>();
              link->set_name(review);
              link->set_request_id(absl::StrCat("plan-action-link:", review, "#", id));
              link->set_item_id(id);
              link->set_action(opened);
              return link;
            };
            return d;
          }};
}

}  // namespace casework::workflow::death_reviews
