// casework.v1.PanelService and casework.v1.PanelMeetingService: the high-risk
// case panels over gRPC.
#ifndef CASEWORK_SERVICES_PANEL_SERVICE_H_
#define CASEWORK_SERVICES_PANEL_SERVICE_H_

#include "casework/v1/panels.grpc.pb.h"
#include "services/command_runner.h"
#include "services/service_deps.h"
#include "workflow/panels/commands.h"

namespace casework::services {

class PanelService final : public v1::PanelService::CallbackService {
 public:
  explicit PanelService(const ServiceDeps& deps) : deps_(deps) {}

  CASEWORK_COMMAND_METHOD(workflow::panels, ReferCase, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, AssessRisk, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, ReviewCase, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, MoveCase, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, RecordStage, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, CloseCase, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, ReopenCase, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, EscalateCase, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, ReceiveEscalation, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, LinkEscalation, v1::PanelCaseResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, ReceiveRecommendation, v1::PanelCaseResponse)

  grpc::ServerUnaryReactor* GetPanelCase(grpc::CallbackServerContext* context,
                                         const v1::GetPanelCaseRequest* request,
                                         v1::PanelCase* response) override;
  grpc::ServerUnaryReactor* ListPanelCases(grpc::CallbackServerContext* context,
                                           const v1::ListPanelCasesRequest* request,
                                           v1::ListPanelCasesResponse* response) override;
  grpc::ServerUnaryReactor* ListAssessments(grpc::CallbackServerContext* context,
                                            const v1::ListAssessmentsRequest* request,
                                            v1::ListAssessmentsResponse* response) override;
  grpc::ServerUnaryReactor* CountPanelCases(grpc::CallbackServerContext* context,
                                            const v1::CountPanelCasesRequest* request,
                                            v1::CountPanelCasesResponse* response) override;
  grpc::ServerUnaryReactor* GetPanelFigures(grpc::CallbackServerContext* context,
                                            const v1::GetPanelFiguresRequest* request,
                                            v1::PanelFigures* response) override;

 private:
  absl::Status Figures(const v1::GetPanelFiguresRequest& request, v1::PanelFigures* response) const;

  absl::Status List(ReadFilter& filter, const v1::ListPanelCasesRequest& request,
                    v1::ListPanelCasesResponse* response) const;
  absl::Status Assessments(ReadFilter& filter, const v1::ListAssessmentsRequest& request,
                           v1::ListAssessmentsResponse* response) const;
  absl::Status Count(const v1::CountPanelCasesRequest& request,
                     v1::CountPanelCasesResponse* response) const;

  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::panels::PanelCaseWorkflow();
};

class PanelMeetingService final : public v1::PanelMeetingService::CallbackService {
 public:
  explicit PanelMeetingService(const ServiceDeps& deps) : deps_(deps) {}

  CASEWORK_COMMAND_METHOD(workflow::panels, ScheduleMeeting, v1::PanelMeetingResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, RecordAttendance, v1::PanelMeetingResponse)
  CASEWORK_COMMAND_METHOD(workflow::panels, CloseMeeting, v1::PanelMeetingResponse)

  grpc::ServerUnaryReactor* GetMeeting(grpc::CallbackServerContext* context,
                                       const v1::GetMeetingRequest* request,
                                       v1::PanelMeetingMinutes* response) override;
  grpc::ServerUnaryReactor* GetAgenda(grpc::CallbackServerContext* context,
                                      const v1::GetAgendaRequest* request,
                                      v1::PanelAgenda* response) override;
  grpc::ServerUnaryReactor* ListMeetings(grpc::CallbackServerContext* context,
                                         const v1::ListMeetingsRequest* request,
                                         v1::ListMeetingsResponse* response) override;

 private:
  absl::Status List(ReadFilter& filter, const v1::ListMeetingsRequest& request,
                    v1::ListMeetingsResponse* response) const;
  absl::Status Minutes(ReadFilter& filter, const v1::GetMeetingRequest& request,
                       v1::PanelMeetingMinutes* response) const;
  absl::Status Agenda(ReadFilter& filter, const v1::GetAgendaRequest& request,
                      v1::PanelAgenda* response) const;

  const ServiceDeps deps_;
  const workflow::Workflow& workflow_ = workflow::panels::PanelMeetingWorkflow();
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_PANEL_SERVICE_H_
