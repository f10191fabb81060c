// Table examples of the death review workflow: one review notified on
// 1 October 2026 and taken, step by step, as far as each state.
#include <string>
#include <vector>

#include "tests/workflow/case_review/case_review_world.h"
#include "tests/workflow/death_reviews/death_reviews_world.h"
#include "tests/workflow/examples.h"
#include "workflow/death_reviews/commands.h"

namespace casework::testing {

WorkflowExamples DeathReviewExamples() {
  using namespace workflow::death_reviews;  // NOLINT(build/namespaces)
  auto name = [](auto command) { return std::string(command.name); };
  auto step = [&](auto command, RequestMaker maker) { return Step{name(command), maker}; };
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/deathReviews/1";
  ex.setup = [](World& world) {
    PublishDefault(world);
    ActAsCoordinator(world);
  };
  v1::CompleteScopingRequest scoping;
  *scoping.mutable_completed_on() = Date(2026, 10, 8);
  scoping.set_summary("Ten years of contact; four agencies to report");
  v1::LinkPlanActionRequest link;
  link.set_item_id(1);
  link.set_action("partnerships/eastbrook/actions/1");
  v1::WaiveAgencyReportRequest waive;
  waive.set_report_id(1);
  waive.set_reason("No contact in the review period");
  v1::ResumeReviewRequest resume;
  resume.set_note("Verdict given");

  ex.requests[name(kNotifyDeath)] = Fixed(Notification(Date(2026, 10, 1)));
  ex.requests[name(kRecordDecision)] = Named(Decision(true, Date(2026, 10, 5)));
  ex.requests[name(kAppointChair)] = Named(Chair(Date(2026, 10, 6)));
  ex.requests[name(kAddPanelMember)] = Named(Member("shire-probation", "u-p1"));
  ex.requests[name(kAgreeTermsOfReference)] = Named(Terms(Date(2026, 10, 7)));
  ex.requests[name(kCompleteScoping)] = Named(scoping);
  ex.requests[name(kRequestAgencyReport)] =
      Named(ReportRequest("shire-probation", Date(2026, 10, 8), Date(2026, 10, 30)));
  ex.requests[name(kReceiveAgencyReport)] = Named(Received(1, Date(2026, 10, 20)));
  ex.requests[name(kWaiveAgencyReport)] = Named(waive);
  ex.requests[name(kRecordFamilyContact)] = Named(FamilyContact(Date(2026, 10, 2)));
  ex.requests[name(kRecordDraft)] = Named(Draft(Date(2026, 10, 21), 1));
  ex.requests[name(kSignOffReview)] = Named(SignOff(Date(2026, 10, 22)));
  ex.requests[name(kSubmitToHomeOffice)] = Named(Submit(Date(2026, 10, 23)));
  ex.requests[name(kRecordQaOutcome)] = Named(QaOutcome(v1::PUBLISH, Date(2026, 10, 26)));
  ex.requests[name(kPublishReview)] = Named(Publication(Date(2026, 10, 27)));
  ex.requests[name(kAddActionPlanItem)] = Named(PlanItem(Date(2027, 3, 31)));
  ex.requests[name(kLinkPlanAction)] = Named(link);
  ex.requests[name(kPlaceOnHold)] = Named(Hold(v1::CRIMINAL_TRIAL, Date(2027, 3, 1)));
  ex.requests[name(kResumeReview)] = Named(resume);
  ex.requests[name(kCloseReview)] = Named(Close(Date(2026, 10, 28)));

  std::vector<Step> path = {step(kNotifyDeath, ex.requests[name(kNotifyDeath)])};
  ex.paths["NOTIFIED"] = path;
  ex.paths["ON_HOLD"] = {path[0], step(kPlaceOnHold, ex.requests[name(kPlaceOnHold)])};
  ex.paths["NOT_COMMISSIONED"] = {path[0],
                                  step(kRecordDecision, Named(Decision(false, Date(2026, 10, 5))))};
  // Each state's path is the one before it and one more step.
  const std::vector<std::pair<std::string, std::vector<std::string>>> onwards = {
      {"COMMISSIONED", {name(kRecordDecision), name(kAppointChair)}},
      {"AGENCY_REPORTS", {name(kAgreeTermsOfReference)}},
      {"DRAFTING", {name(kRecordDraft)}},
      {"SIGNED_OFF", {name(kSignOffReview)}},
      {"SUBMITTED", {name(kSubmitToHomeOffice)}},
      {"APPROVED", {name(kRecordQaOutcome)}},
      {"PUBLISHED", {name(kPublishReview)}},
      {"CLOSED", {name(kCloseReview)}},
  };
  for (const auto& [state, commands] : onwards) {
    for (const std::string& command : commands) path.push_back({command, ex.requests[command]});
    ex.paths[state] = path;
  }
  ex.paths["SCOPING"] = ex.paths["COMMISSIONED"];
  ex.paths["SCOPING"].push_back(step(kAgreeTermsOfReference, Named(Terms(Date(2026, 10, 7), true))));

  const Step request_report = step(kRequestAgencyReport, ex.requests[name(kRequestAgencyReport)]);
  const Step add_item = step(kAddActionPlanItem, ex.requests[name(kAddActionPlanItem)]);
  ex.cases = {
      {"NOTIFIED", {}, step(kRecordDecision, Named(Decision(false, Date(2026, 10, 5))))},
      {"NOTIFIED", {}, step(kRecordDecision, ex.requests[name(kRecordDecision)])},
      {"COMMISSIONED", {}, step(kAgreeTermsOfReference, Named(Terms(Date(2026, 10, 7), true)))},
      {"COMMISSIONED", {}, step(kAgreeTermsOfReference, ex.requests[name(kAgreeTermsOfReference)])},
      {"SUBMITTED", {}, step(kRecordQaOutcome, Named(QaOutcome(v1::RESUBMIT, Date(2026, 10, 26))))},
      {"SUBMITTED", {}, step(kRecordQaOutcome, ex.requests[name(kRecordQaOutcome)])},
      {"AGENCY_REPORTS", {request_report}, step(kReceiveAgencyReport, ex.requests[name(kReceiveAgencyReport)])},
      {"AGENCY_REPORTS", {request_report}, step(kWaiveAgencyReport, Named(waive))},
      {"DRAFTING", {request_report}, step(kReceiveAgencyReport, ex.requests[name(kReceiveAgencyReport)])},
      {"DRAFTING", {request_report}, step(kWaiveAgencyReport, Named(waive))},
      {"APPROVED", {add_item}, step(kLinkPlanAction, Named(link))},
      {"PUBLISHED", {add_item}, step(kLinkPlanAction, Named(link))},
  };
  // Resuming returns a review to the stage it was held in.
  const Step hold = step(kPlaceOnHold, ex.requests[name(kPlaceOnHold)]);
  const Step resume_step = step(kResumeReview, ex.requests[name(kResumeReview)]);
  for (const char* stage : {"NOTIFIED", "COMMISSIONED", "SCOPING", "AGENCY_REPORTS", "DRAFTING",
                            "SIGNED_OFF", "SUBMITTED", "APPROVED"}) {
    std::vector<Step> held = ex.paths[stage];
    held.push_back(hold);
    ex.cases.push_back({"ON_HOLD", {}, resume_step, held});
  }
  return ex;
}

}  // namespace casework::testing
