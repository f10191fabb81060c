// Table examples of the panel case and panel meeting workflows.
#include "tests/workflow/case_review/case_review_world.h"
#include "tests/workflow/examples.h"
#include "tests/workflow/panels/panels_world.h"
#include "workflow/panels/commands.h"

namespace casework::testing {

WorkflowExamples PanelCaseExamples() {
  using namespace workflow::panels;  // NOLINT(build/namespaces)
  auto name = [](auto command) { return std::string(command.name); };
  auto step = [&](auto command, RequestMaker maker) { return Step{name(command), maker}; };
  const std::string meeting = "partnerships/eastbrook/panelMeetings/1";
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/panelCases/1";
  ex.setup = [](World& world) {
    PublishDefault(world);
    HoldMeeting(world, "aarg", Date(2026, 11, 2));
  };
  const v1::ReferCaseRequest refer = PersonReferral("aarg", Date(1990, 1, 1), Date(2026, 11, 2));
  const v1::AssessRiskRequest very_high = Assessment(v1::RISK_VERY_HIGH, v1::RISK_LOW, v1::RISK_LOW, 0);
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
  ex.requests[name(kAssessRisk)] = Named(very_high);
  ex.requests[name(kReviewCase)] = Named(review);
  ex.requests[name(kMoveCase)] = Named(to_monitoring);
  ex.requests[name(kRecordStage)] = Named(stage);
  ex.requests[name(kCloseCase)] = Named(close);
  ex.requests[name(kReopenCase)] = Named(reopen);

  const Step referred = step(kReferCase, Fixed(refer));
  ex.paths["REFERRED"] = {referred};
  ex.paths["MAIN_AGENDA"] = {referred, step(kAssessRisk, Named(very_high))};
  ex.paths["MONITORING"] = {referred, step(kAssessRisk, Named(high))};
  ex.paths["DECLINED"] = {referred, step(kAssessRisk, Named(low))};
  ex.paths["CLOSED"] = {referred, step(kCloseCase, Named(close))};
  ex.cases = {
      // The table places a referral on the main agenda, in monitoring, or
      // declines it.
      {"REFERRED", {}, step(kAssessRisk, Named(very_high))},
      {"REFERRED", {}, step(kAssessRisk, Named(high))},
      {"REFERRED", {}, step(kAssessRisk, Named(low))},
      {"MONITORING", {}, step(kMoveCase, Named(to_main))},
  };
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
