#include "tests/support/widget_workflow.h"

#include "absl/strings/str_cat.h"
#include "workflow/common/validation.h"
#include "workflow/kernel/definition.h"

namespace casework::testing {
namespace {

absl::Status DecideMake(const v1::Action&, const v1::CreateActionRequest& r,
                        const workflow::DecideContext& ctx, workflow::Decision& out) {
  v1::ActionCreated e;
  e.set_partnership(std::string(ctx.partnership));
  e.set_number(ctx.number);
  e.set_title(r.title());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

absl::Status DecideFinish(const v1::Action&, const v1::CompleteActionRequest& r,
                          const workflow::DecideContext&, workflow::Decision& out) {
  v1::ActionCompleted e;
  e.set_note(r.note());
  out.Emit(std::move(e));
  return absl::OkStatus();
}

void ApplyMade(v1::Action& a, const v1::ActionCreated& e) {
  a.set_name(workflow::FormatResourceName(e.partnership(), "widgets", e.number()));
  a.set_state(v1::Action::OPEN);
}

void ApplyFinished(v1::Action& a, const v1::ActionCompleted&) {
  a.set_state(v1::Action::COMPLETED);
}

v1::ActionResponse Reply(const v1::Action& a, const v1::CommitInfo& commit) {
  v1::ActionResponse r;
  *r.mutable_action() = a;
  *r.mutable_commit() = commit;
  return r;
}

}  // namespace

std::unique_ptr<const workflow::Workflow> Widgets(absl::string_view finished_to,
                                                  std::string row_namespace) {
  workflow::Definition<v1::Action> d({"widget", "widgets", 1, "casework.test.WidgetService", ""});
  d.StateField(&v1::Action::state);
  d.Transitions({
      {workflow::kNewState, kMakeWidget.name, {"OPEN"}},
      {"OPEN", kFinishWidget.name, {finished_to}},
  });
  d.Create(kMakeWidget, DecideMake);
  d.Update(kFinishWidget, DecideFinish);
  d.On<v1::ActionCreated>(ApplyMade);
  d.On<v1::ActionCompleted>(ApplyFinished);
  d.Rows(
      [](absl::string_view stream, const v1::Action&, std::vector<workflow::Row>* rows) {
        rows->push_back({absl::StrCat("widgets/", stream), ""});
      },
      {std::move(row_namespace)});
  d.Reply(Reply);
  return std::unique_ptr<const workflow::Workflow>(std::move(d).Build());
}

v1::CreateActionRequest MakeWidget(const std::string& request_id) {
  v1::CreateActionRequest make;
  make.set_parent("partnerships/eastbrook");
  make.set_request_id(request_id);
  return make;
}

v1::CompleteActionRequest FinishWidget(const std::string& request_id, const std::string& stream) {
  v1::CompleteActionRequest finish;
  finish.set_name(stream);
  finish.set_request_id(request_id);
  return finish;
}

WorkflowExamples WidgetExamples() {
  WorkflowExamples ex;
  ex.new_stream = "partnerships/eastbrook/widgets/1";
  const v1::CreateActionRequest make = MakeWidget("w-1");
  ex.requests["Make"] = [make](const std::string&) {
    return std::make_unique<v1::CreateActionRequest>(make);
  };
  ex.requests["Finish"] = [](const std::string& stream) {
    return std::make_unique<v1::CompleteActionRequest>(FinishWidget("w-2", stream));
  };
  ex.paths["OPEN"] = {{"Make", ex.requests["Make"]}};
  ex.paths["COMPLETED"] = {{"Make", ex.requests["Make"]}, {"Finish", ex.requests["Finish"]}};
  return ex;
}

}  // namespace casework::testing
