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
// Items of one stream submitted and not yet complete: beyond it the stream is
// not read further until some complete (HTTP/2 flow control then holds the
// client back). Reading resumes below kResumeReadingBelow.
constexpr int kMaxPendingItems = 64;
constexpr int kResumeReadingBelow = 32;
// Results are filled in full while the reply stays under this many bytes.
constexpr size_t kMaxReplyDetailBytes = 1 << 20;

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
    if (correlation_id_.size() > 128) correlation_id_.resize(128);
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
    bool read_on = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++pending_;
      read_on = pending_ < kMaxPendingItems;
      if (!read_on) read_paused_ = true;
    }
    if (!command.ok()) {
      Complete(index, command.status(), false);
    } else {
      storage::Command& c = *command;
      c.meta.actor = actor_;
      c.meta.correlation_id = correlation_id_;
      c.done = [this, index](absl::StatusOr<std::string> reply, bool replayed) {
        if (!reply.ok()) return Complete(index, reply.status(), replayed);
        v1::RecordComplaintResponse response;
        response.ParseFromString(*reply);
        Complete(index, std::move(response), replayed);
      };
      deps_.engine->Submit(std::move(c));
    }
    if (read_on) StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  // Records item `index`'s outcome, keeping only what its result carries.
  void Complete(int index, absl::StatusOr<v1::RecordComplaintResponse> outcome, bool replayed) {
    v1::ComplaintResult result;
    result.set_index(index);
    bool duplicate = false;
    if (outcome.ok()) {
      v1::RecordComplaintResponse& full = *outcome;
      duplicate = full.duplicate() || replayed;
      v1::RecordComplaintResponse& slim = *result.mutable_response();
      slim.mutable_complaint()->set_name(full.complaint().name());
      slim.set_duplicate(full.duplicate());
      *slim.mutable_commit() = std::move(*full.mutable_commit());
    } else {
      grpc::Status status = ToGrpcStatus(outcome.status());
      result.set_code(status.error_code());
      result.set_message(status.error_message());
      result.set_error_details(status.error_details());
    }
    bool resume_reading = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!outcome.ok()) {
        ++failed_;
      } else if (duplicate) {
        ++duplicates_;
      } else {
        ++recorded_;
      }
      results_.emplace(index, std::move(result));
      --pending_;
      if (read_paused_ && pending_ < kResumeReadingBelow) {
        read_paused_ = false;
        resume_reading = true;
      }
      MaybeFinishLocked();
    }
    if (resume_reading) StartRead(&request_);
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
    size_t bytes = 0;
    int omitted = 0;
    for (auto& [index, result] : results_) {
      v1::ComplaintResult* out = response_->add_results();
      const size_t size = result.ByteSizeLong();
      if (bytes + size <= kMaxReplyDetailBytes) {
        bytes += size;
        *out = std::move(result);
      } else {
        out->set_index(result.index());
        out->set_code(result.code());
        ++omitted;
      }
    }
    response_->set_recorded(recorded_);
    response_->set_duplicates(duplicates_);
    response_->set_failed(failed_);
    response_->set_details_omitted(omitted);
    results_.clear();
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
  int recorded_ = 0, duplicates_ = 0, failed_ = 0;  // guarded by mu_
  bool read_paused_ = false;                     // guarded by mu_
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
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request->parent(), errors);
  if (request->complainant_reference().empty()) {
    errors.Add("complainant_reference", "required", "is required");
  } else if (request->complainant_reference().size() > 100) {
    errors.Add("complainant_reference", "length",
               absl::StrCat("must be at most 100 characters, got ",
                            request->complainant_reference().size()));
  }
  PageRequest page = CheckPage(*request, errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::Status status = PageRows(
      *deps_.store, workflow::case_review::ComplainantLedgerPrefix(*p, request->complainant_reference()), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        v1::LedgerEntry entry;
        if (!entry.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt ledger row ", row.key));
        }
        ASSIGN_OR_RETURN(v1::Complaint complaint,
                         ReadState<v1::Complaint>(*deps_.store, workflow_, entry.complaint()));
        ASSIGN_OR_RETURN(const bool may_read,
                         filter.MayReadState(workflow_, complaint.name(), complaint));
        if (!may_read) return Visit::kSkipped;
        *response->add_complaints() = std::move(complaint);
        return Visit::kTaken;
      },
      response);
  return FinishNow(context, status);
}

grpc::ServerUnaryReactor* ComplaintService::ListNotices(grpc::CallbackServerContext* context,
                                                        const v1::ListNoticesRequest* request,
                                                        v1::ListNoticesResponse* response) {
  v1::Actor actor;
  if (auto* refused = RefuseUnlessAllowed(context, &actor)) return refused;
  ReadFilter filter(deps_, std::move(actor));
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request->parent(), errors);
  PageRequest page = CheckPage(*request, errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::Status status = PageRows(
      *deps_.store, workflow::case_review::OpenNoticesPrefix(*p), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        v1::Notice notice;
        if (!notice.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt notice row ", row.key));
        }
        // A notice is for the agency of its complaint.
        ASSIGN_OR_RETURN(const bool may_read, filter.MayRead(notice.complaint()));
        if (!may_read) return Visit::kSkipped;
        *response->add_notices() = std::move(notice);
        return Visit::kTaken;
      },
      response);
  return FinishNow(context, status);
}

}  // namespace casework::services
