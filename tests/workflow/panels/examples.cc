// Table examples of the panel case and panel meeting workflows.
#include <map>
#include <vector>

#include "tests/workflow/case_review/case_review_world.h"
#include "tests/workflow/examples.h"
#include "tests/workflow/panels/panels_world.h"
#include "workflow/common/status.h"
#include "workflow/panels/commands.h"
#include "workflow/registry.h"

namespace casework::testing {

WorkflowExamples PanelCaseExamples() {
  using namespace workflow::panels;  // NOLINT(build/namespaces)
  auto name = [](auto command) { return std::string(command.name); };
  auto step = [&](auto command, RequestMaker maker) { return Step{name(command), maker}; };
  // The example case is an AARG case opened by escalation from a YJAG case
  // (case 1, escalated in the setup), so that every command, the two
  // escalation commands too, has a state to run in. The setup's policy makes
  // the YJAG a subgroup of the AARG for that; an 18-year-old fits both.
  const std::string escalated = "partnerships/eastbrook/panelCases/1";
  const std::string yjag_meeting = "partnerships/eastbrook/panelMeetings/1";
  const std::string meeting = "partnerships/eastbrook/panelMeetings/2";
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/panelCases/2";
  const v1::ReferCaseRequest young = PersonReferral("yjag", Date(2008, 1, 1), Date(2026, 11, 2));
  const v1::AssessRiskRequest very_high = Assessment(v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0);
  v1::EscalateCaseRequest escalate;
  escalate.set_meeting(meeting);
  escalate.set_reason("Exploitation beyond what the group can manage");
  ex.setup = [=](World& world) {
    v1::Policy policy = workflow::LlrDefaultPolicy("eastbrook");
    for (v1::PanelDefinition& p : *policy.mutable_panels()->mutable_panels()) {
      if (p.id() == "yjag") p.set_parent("aarg");
    }
    Publish(world, policy);
    HoldMeeting(world, "yjag", Date(2026, 11, 2));
    HoldMeeting(world, "aarg", Date(2026, 11, 2));
    v1::AssessRiskRequest assess = very_high;
    assess.set_name(escalated);
    v1::EscalateCaseRequest up = escalate;
    up.set_name(escalated);
    up.set_request_id("escalate-1");
    up.set_meeting(yjag_meeting);
    for (const Outcome& out : {world.When(kReferCase, young), world.When(kAssessRisk, assess),
                               world.When(kEscalateCase, up)}) {
      if (!out.status.ok()) AbortWithMessage(out.status.ToString());
    }
  };
  v1::ReceiveEscalationRequest receive;
  receive.set_parent("partnerships/eastbrook");
  receive.set_request_id("receive");
  receive.set_escalated_case(escalated);
  v1::ReceiveEscalationRequest receive_example = receive;  // of the example case
  receive_example.set_request_id("receive-example");
  receive_example.set_escalated_case(ex.new_stream);
  v1::LinkEscalationRequest link;
  link.set_linked_case("partnerships/eastbrook/panelCases/3");
  const v1::ReferCaseRequest refer = PersonReferral("aarg", Date(1990, 1, 1), Date(2026, 11, 2));
  const v1::AssessRiskRequest high = Assessment(v1::RISK_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0);
  const v1::AssessRiskRequest low = Assessment(v1::RISK_LOW, v1::RISK_LOW, v1::RISK_LOW, 0);
  v1::ReviewCaseRequest review;
  review.set_meeting(meeting);
  review.set_summary("Engaging with the drug and alcohol service");
  v1::MoveCaseRequest to_monitoring;
  to_monitoring.set_meeting(meeting);
  to_monitoring.set_to(v1::PanelCase::MONITORING);
  to_monitoring.set_reason("Risk reduced since the tenancy was secured");
  v1::MoveCaseRequest to_main = to_monitoring;
  to_main.set_to(v1::PanelCase::MAIN_AGENDA);
  to_main.set_reason("New missing episodes");
  v1::RecordStageRequest stage;
  stage.set_stage("warning letter");
  *stage.mutable_date() = Date(2026, 11, 1);
  v1::CloseCaseRequest close;
  close.set_meeting(meeting);
  close.set_reason("risk reduced");
  v1::ReopenCaseRequest reopen;
  reopen.set_reason("Referred again by housing");

  ex.requests[name(kReferCase)] = Fixed(refer);
  ex.requests[name(kReceiveEscalation)] = Fixed(receive);
  ex.requests[name(kAssessRisk)] = Named(very_high);
  ex.requests[name(kReviewCase)] = Named(review);
  ex.requests[name(kMoveCase)] = Named(to_monitoring);
  ex.requests[name(kRecordStage)] = Named(stage);
  ex.requests[name(kCloseCase)] = Named(close);
  ex.requests[name(kReopenCase)] = Named(reopen);
  ex.requests[name(kEscalateCase)] = Named(escalate);
  ex.requests[name(kLinkEscalation)] = Named(link);
  // A case review's recommendation handed to the AARG, about an adult.
  v1::ReceiveRecommendationRequest recommendation;
  recommendation.set_parent("partnerships/eastbrook");
  recommendation.set_request_id("recommendation");
  recommendation.set_case_review("partnerships/eastbrook/caseReviews/1");
  recommendation.set_recommendation_id(1);
  recommendation.set_panel("aarg");
  *recommendation.mutable_subject() = young.subject();
  recommendation.set_lawful_basis(v1::LAW_ENFORCEMENT);
  recommendation.set_reason("Joint visit by housing and police");
  recommendation.set_referrer_agency("eastbrook-council");
  *recommendation.mutable_due_date() = Date(2026, 12, 4);
  ex.requests[name(kReceiveRecommendation)] = Fixed(recommendation);

  const Step received = step(kReceiveEscalation, Fixed(receive));
  ex.paths["REFERRED"] = {received};
  ex.paths["MAIN_AGENDA"] = {received, step(kAssessRisk, Named(very_high))};
  ex.paths["MONITORING"] = {received, step(kAssessRisk, Named(high))};
  ex.paths["DECLINED"] = {received, step(kAssessRisk, Named(low))};
  ex.paths["CLOSED"] = {received, step(kCloseCase, Named(close))};
  ex.paths["ESCALATED"] = {received, step(kAssessRisk, Named(very_high)),
                           step(kEscalateCase, Named(escalate))};
  ex.cases = {
      // The table places a referral on the main agenda, in monitoring, or
      // declines it.
      {"REFERRED", {}, step(kAssessRisk, Named(very_high))},
      {"REFERRED", {}, step(kAssessRisk, Named(high))},
      {"REFERRED", {}, step(kAssessRisk, Named(low))},
      {"MONITORING", {}, step(kMoveCase, Named(to_main))},
      // The JAG opens case 3 for the example case, which then links to it.
      {"ESCALATED", {Step{name(kReceiveEscalation), Fixed(receive_example), /*elsewhere=*/true}},
       step(kLinkEscalation, Named(link))},
  };
  // A repeated ReceiveRecommendation reaches the referral it opened.
  const Step recommended = step(kReceiveRecommendation, Fixed(recommendation));
  const Step repeat = recommended;
  const std::map<std::string, std::vector<Step>> by_recommendation = {
      {"REFERRED", {recommended}},
      {"MAIN_AGENDA", {recommended, step(kAssessRisk, Named(very_high))}},
      {"MONITORING", {recommended, step(kAssessRisk, Named(high))}},
      {"DECLINED", {recommended, step(kAssessRisk, Named(low))}},
      {"CLOSED", {recommended, step(kCloseCase, Named(close))}},
      {"ESCALATED", {recommended, step(kAssessRisk, Named(very_high)), step(kEscalateCase, Named(escalate))}},
  };
  for (const auto& [state, path] : by_recommendation) ex.cases.push_back({state, {}, repeat, path});
  return ex;
}

WorkflowExamples PanelMeetingExamples() {
  using namespace workflow::panels;  // NOLINT(build/namespaces)
  auto name = [](auto command) { return std::string(command.name); };
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/panelMeetings/1";
  ex.setup = [](World& world) { PublishDefault(world); };
  v1::ScheduleMeetingRequest schedule;
  schedule.set_parent("partnerships/eastbrook");
  schedule.set_request_id("schedule");
  schedule.set_panel("yjag");
  *schedule.mutable_date() = Date(2026, 11, 2);
  v1::CloseMeetingRequest close;
  close.set_notes("Next meeting in six weeks");
  ex.requests[name(kScheduleMeeting)] = Fixed(schedule);
  ex.requests[name(kRecordAttendance)] = Named(QuorateAttendance());
  ex.requests[name(kCloseMeeting)] = Named(close);
  const Step scheduled{name(kScheduleMeeting), Fixed(schedule)};
  ex.paths["SCHEDULED"] = {scheduled};
  ex.paths["CLOSED"] = {scheduled, {name(kCloseMeeting), Named(close)}};
  return ex;
}

}  // namespace casework::testing
