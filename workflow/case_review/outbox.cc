// The case review's outbox (kernel/outbox.h): a recommendation referred to a
// panel opens the panel's referral.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "workflow/case_review/internal.h"
#include "workflow/common/validation.h"
#include "workflow/panels/commands.h"

namespace casework::workflow::case_review {

OutboxRoute PanelReferralRoute() {
  return {"panel-referral", std::string(kReferralsPrefix),
          "casework.v1.PanelService/ReceiveRecommendation",
          [](const Row& row, const ReadStateFn& read_state) -> absl::StatusOr<OutboxDelivery> {
            const std::string review_name = row.value;
            // caseReviews/~referrals/{partnership}/{number}/{recommendation}
            int64_t id = 0;
            if (!absl::SimpleAtoi(row.key.substr(row.key.rfind('/') + 1), &id)) {
              return absl::DataLossError(absl::StrCat("unreadable referral row ", row.key));
            }
            ASSIGN_OR_RETURN(std::shared_ptr<const google::protobuf::Message> state,
                             read_state(CaseReviewWorkflow(), review_name));
            const auto& review = static_cast<const State&>(*state);
            const v1::Recommendation* rec = nullptr;
            for (const v1::Recommendation& r : review.outcome().recommendations()) {
              if (r.id() == id) rec = &r;
            }
            if (rec == nullptr) {
              return absl::DataLossError(absl::StrCat("no recommendation for ", row.key));
            }
            auto receive = std::make_shared<v1::ReceiveRecommendationRequest>();
            receive->set_parent(absl::StrCat("partnerships/", PartnershipOfStream(review_name)));
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
            OutboxDelivery d;
            d.target = &panels::PanelCaseWorkflow().Command(panels::kReceiveRecommendation);
            d.request = std::move(receive);
            d.opened = NameFromReply(&v1::PanelCaseResponse::panel_case);
            d.link = &CaseReviewWorkflow().Command(kLinkPanelReferral);
            d.link_request = [review_name, id](const std::string& opened) {
              auto link = std::make_shared<v1::LinkPanelReferralRequest>();
              link->set_name(review_name);
              link->set_request_id(absl::StrCat("recommendation-link:", review_name, "#", id));
              link->set_recommendation_id(id);
              link->set_panel_case(opened);
              return link;
            };
            return d;
          }};
}

}  // namespace casework::workflow::case_review
