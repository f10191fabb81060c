#include "services/complaint_service.h"

#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "services/call_context.h"
#include "services/grpc_status.h"
#include "services/paging.h"
#include "workflow/common/status.h"
#include "workflow/common/validation.h"

namespace casework::services {
namespace {

constexpr int kMaxStreamedComplaints = 10000;

// Client-streaming intake: each request is submitted as it arrives; the call
// finishes once the client has half-closed and every item has its result.
class ComplaintStreamReactor final : public grpc::ServerReadReactor<v1::RecordComplaintRequest> {
 public:
  ComplaintStreamReactor(grpc::CallbackServerContext* context, const ServiceDeps& deps,
                         const workflow::Workflow& workflow, v1::StreamComplaintsResponse* response)
      : deps_(deps), type_(workflow.Command(workflow::case_review::kRecordComplaint)),
        response_(response) {
    absl::StatusOr<v1::Actor> actor = ActorFromMetadata(*context);
    if (!actor.ok()) {
      Finish(ToGrpcStatus(actor.status()));
      return;
    }
    actor_ = *std::move(actor);
    correlation_id_ = MetadataValue(*context, kCorrelationHeader);
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      std::lock_guard<std::mutex> lock(mu_);
      reading_done_ = true;
      MaybeFinishLocked();
      return;
    }
    const int index = next_index_++;
    if (index >= kMaxStreamedComplaints) {
      // Too many: stop reading and fail the call; items already submitted
      // still complete, and are answered on a retry by their request_id.
      std::lock_guard<std::mutex> lock(mu_);
      overflow_ = true;
      reading_done_ = true;
      MaybeFinishLocked();
      return;
    }
    absl::StatusOr<storage::Command> command =
        BuildCommand(deps_, type_, std::make_shared<const v1::RecordComplaintRequest>(request_));
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++pending_;
    }
    if (!command.ok()) {
      Complete(index, command.status());
    } else {
      storage::Command& c = *command;
      c.meta.actor = actor_;
      c.meta.correlation_id = correlation_id_;
      c.done = [this, index](absl::StatusOr<std::string> reply, bool) {
        if (!reply.ok()) return Complete(index, reply.status());
        v1::RecordComplaintResponse response;
        response.ParseFromString(*reply);
        Complete(index, std::move(response));
      };
      deps_.engine->Submit(std::move(c));
    }
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  void Complete(int index, absl::StatusOr<v1::RecordComplaintResponse> outcome) {
    v1::ComplaintResult result;
    result.set_index(index);
    if (outcome.ok()) {
      *result.mutable_response() = *std::move(outcome);
    } else {
      grpc::Status status = ToGrpcStatus(outcome.status());
      result.set_code(status.error_code());
      result.set_message(status.error_message());
      result.set_error_details(status.error_details());
    }
    std::lock_guard<std::mutex> lock(mu_);
    results_.emplace(index, std::move(result));
    --pending_;
    MaybeFinishLocked();
  }

  void MaybeFinishLocked() {
    if (!reading_done_ || pending_ > 0 || finished_) return;
    finished_ = true;
    if (overflow_) {
      Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("at most ", kMaxStreamedComplaints,
                                       " complaints per stream; split the upload")));
      return;
    }
    for (auto& [index, result] : results_) *response_->add_results() = std::move(result);
    Finish(grpc::Status::OK);
  }

  const ServiceDeps deps_;
  const workflow::CommandType& type_;
  v1::StreamComplaintsResponse* response_;
  v1::Actor actor_;
  std::string correlation_id_;
  v1::RecordComplaintRequest request_;
  int next_index_ = 0;
  std::mutex mu_;
  std::map<int, v1::ComplaintResult> results_;  // guarded by mu_
  int pending_ = 0;                              // guarded by mu_
  bool reading_done_ = false;                    // guarded by mu_
  bool overflow_ = false;                        // guarded by mu_
  bool finished_ = false;                        // guarded by mu_
};

}  // namespace

grpc::ServerReadReactor<v1::RecordComplaintRequest>* ComplaintService::StreamComplaints(
    grpc::CallbackServerContext* context, v1::StreamComplaintsResponse* response) {
  return new ComplaintStreamReactor(context, deps_, workflow_, response);
}

grpc::ServerUnaryReactor* ComplaintService::GetComplaint(grpc::CallbackServerContext* context,
                                                         const v1::GetComplaintRequest* request,
                                                         v1::Complaint* response) {
  return FinishGet(deps_, context, workflow_, request->name(), response);
}

grpc::ServerUnaryReactor* ComplaintService::ListComplaints(
    grpc::CallbackServerContext* context, const v1::ListComplaintsRequest* request,
    v1::ListComplaintsResponse* response) {
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request->parent(), errors);
  if (request->complainant_reference().empty()) {
    errors.Add("complainant_reference", "required", "is required");
  }
  PageRequest page = CheckPage(request->page_size(), request->page_token(), errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::Status status = PageRows(
      *deps_.store, workflow::case_review::ComplainantLedgerPrefix(*p, request->complainant_reference()), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        v1::LedgerEntry entry;
        if (!entry.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt ledger row ", row.key));
        }
        ASSIGN_OR_RETURN(*response->add_complaints(),
                         ReadState<v1::Complaint>(*deps_.store, workflow_, entry.complaint()));
        return Visit::kTaken;
      },
      response->mutable_next_page_token());
  return FinishNow(context, status);
}

grpc::ServerUnaryReactor* ComplaintService::ListNotices(grpc::CallbackServerContext* context,
                                                        const v1::ListNoticesRequest* request,
                                                        v1::ListNoticesResponse* response) {
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request->parent(), errors);
  PageRequest page = CheckPage(request->page_size(), request->page_token(), errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::Status status = PageRows(
      *deps_.store, workflow::case_review::OpenNoticesPrefix(*p), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        if (!response->add_notices()->ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt notice row ", row.key));
        }
        return Visit::kTaken;
      },
      response->mutable_next_page_token());
  return FinishNow(context, status);
}

}  // namespace casework::services
