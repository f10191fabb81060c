#include "services/case_review_service.h"

#include <mutex>

#include "absl/strings/str_cat.h"
#include "services/call_context.h"
#include "services/command_runner.h"
#include "services/grpc_status.h"
#include "services/paging.h"
#include "workflow/complaints.h"
#include "workflow/figures.h"
#include "workflow/policy_stream.h"
#include "workflow/status.h"
#include "workflow/validation.h"

namespace casework::services {
namespace {

constexpr char kReviewMethods[] = "casework.v1.CaseReviewService/";
constexpr int kMaxStreamedComplaints = 10000;

absl::CivilDay Today(const CaseReviewDeps& deps) {
  return absl::ToCivilDay(deps.clock->Now(), deps.london);
}

absl::Status RequireAdmin(const grpc::ServerContextBase& context, absl::string_view what) {
  absl::StatusOr<v1::Actor> actor = ActorFromMetadata(context);
  if (!actor.ok()) return actor.status();
  if (actor->role() != "admin") {
    return ErrorWithReason(absl::StatusCode::kPermissionDenied, "ADMIN_ONLY",
                           absl::StrCat(what, " requires role \"admin\""));
  }
  return absl::OkStatus();
}

template <typename State>
absl::StatusOr<State> ReadState(const storage::EventStore& store,
                                const workflow::Aggregate& aggregate, const std::string& stream) {
  ASSIGN_OR_RETURN(storage::LoadedState loaded, storage::LoadState(store, aggregate, stream));
  if (loaded.version == 0) return absl::NotFoundError(absl::StrCat(stream, " does not exist"));
  return static_cast<const State&>(*loaded.state);
}

}  // namespace

storage::Command BuildCaseReviewCommand(workflow::CaseReviewCommandSpec spec,
                                        std::shared_ptr<const workflow::Calendar> calendar) {
  storage::Command c;
  const google::protobuf::Message& request = *spec.request;
  const google::protobuf::Descriptor* d = request.GetDescriptor();
  const google::protobuf::Reflection* r = request.GetReflection();
  c.meta.method = absl::StrCat(kReviewMethods, workflow::ReviewCommandName(spec.kind));
  c.meta.request_id = r->GetString(request, d->FindFieldByName("request_id"));
  c.meta.fingerprint = storage::Fingerprint(request);
  c.aggregate = &workflow::CaseReviewAggregate();
  c.calendar = std::move(calendar);
  if (spec.kind == workflow::ReviewCommand::kReceiveApplication) {
    c.stream = absl::StrCat(r->GetString(request, d->FindFieldByName("parent")), "/caseReviews/");
    c.numbered = true;
  } else {
    c.stream = r->GetString(request, d->FindFieldByName("name"));
    const google::protobuf::FieldDescriptor* expected = d->FindFieldByName("expected_version");
    if (expected != nullptr && r->HasField(request, expected)) {
      c.meta.expected_version = r->GetInt64(request, expected);
    }
  }
  c.decide = [spec = std::move(spec)](const google::protobuf::Message& state,
                                      const workflow::DecideContext& context) {
    return workflow::DecideCaseReview(static_cast<const v1::CaseReview&>(state), spec, context);
  };
  c.reply = [](const google::protobuf::Message& state, const v1::CommitInfo& commit) {
    v1::CaseReviewResponse reply;
    *reply.mutable_case_review() = static_cast<const v1::CaseReview&>(state);
    *reply.mutable_commit() = commit;
    return reply.SerializeAsString();
  };
  return c;
}

storage::Command BuildRecordComplaintCommand(const v1::RecordComplaintRequest& request,
                                             std::shared_ptr<const workflow::Calendar> calendar) {
  storage::Command c;
  c.meta.method = "casework.v1.ComplaintService/RecordComplaint";
  c.meta.request_id = request.request_id();
  c.meta.fingerprint = storage::Fingerprint(request);
  c.aggregate = &workflow::ComplaintAggregate();
  c.calendar = std::move(calendar);
  c.stream = absl::StrCat(request.parent(), "/complaints/");
  c.numbered = true;
  FieldErrors ignored;
  std::optional<std::string> partnership =
      workflow::ParsePartnershipName("parent", request.parent(), ignored);
  c.natural_key = workflow::ComplaintSourceKey(partnership.value_or(""),
                                               request.complaint().source_system(),
                                               request.complaint().source_reference());
  c.decide = [request](const google::protobuf::Message& state,
                       const workflow::DecideContext& context) {
    return workflow::DecideRecordComplaint(static_cast<const v1::Complaint&>(state), request,
                                           context);
  };
  c.reply = [](const google::protobuf::Message& state, const v1::CommitInfo& commit) {
    v1::RecordComplaintResponse reply;
    *reply.mutable_complaint() = static_cast<const v1::Complaint&>(state);
    reply.set_duplicate(commit.first_position() == 0);
    *reply.mutable_commit() = commit;
    return reply.SerializeAsString();
  };
  return c;
}

storage::Command BuildPublishPolicyCommand(const v1::PublishPolicyRequest& request) {
  storage::Command c;
  c.meta.method = "casework.v1.PolicyService/PublishPolicy";
  c.meta.request_id = request.request_id();
  c.meta.fingerprint = storage::Fingerprint(request);
  c.aggregate = &workflow::PolicyAggregate();
  FieldErrors ignored;
  c.stream = workflow::PolicyStream(
      workflow::ParsePartnershipName("parent", request.parent(), ignored).value_or(""));
  c.decide = [request](const google::protobuf::Message& state,
                       const workflow::DecideContext& context) {
    return workflow::DecidePublishPolicy(static_cast<const v1::PolicyHistory&>(state), request,
                                         context);
  };
  c.reply = [](const google::protobuf::Message& state, const v1::CommitInfo&) {
    const auto& history = static_cast<const v1::PolicyHistory&>(state);
    return history.versions(history.versions_size() - 1).SerializeAsString();
  };
  return c;
}

// ---- CaseReviewService ----

template <typename Request>
grpc::ServerUnaryReactor* CaseReviewService::Mutate(grpc::CallbackServerContext* context,
                                                    workflow::ReviewCommand kind,
                                                    const Request& request,
                                                    v1::CaseReviewResponse* response) {
  workflow::CaseReviewCommandSpec spec{kind, std::make_shared<const Request>(request)};
  absl::Status validation = workflow::ValidateCaseReviewCommand(spec, Today(deps_));
  return RunCommand(context, *deps_.engine, validation,
                    BuildCaseReviewCommand(std::move(spec), deps_.calendars->Current()), response);
}

grpc::ServerUnaryReactor* CaseReviewService::GetCaseReview(grpc::CallbackServerContext* context,
                                                           const v1::GetCaseReviewRequest* request,
                                                           v1::CaseReview* response) {
  FieldErrors errors;
  workflow::ParseResourceName("name", request->name(), "caseReviews", errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::StatusOr<v1::CaseReview> review =
      ReadState<v1::CaseReview>(*deps_.store, workflow::CaseReviewAggregate(), request->name());
  if (review.ok()) *response = *std::move(review);
  return FinishNow(context, review.status());
}

grpc::ServerUnaryReactor* CaseReviewService::ListCaseReviews(
    grpc::CallbackServerContext* context, const v1::ListCaseReviewsRequest* request,
    v1::ListCaseReviewsResponse* response) {
  return FinishNow(context, List(*request, response));
}

absl::Status CaseReviewService::List(const v1::ListCaseReviewsRequest& request,
                                     v1::ListCaseReviewsResponse* response) const {
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request.parent(), errors);
  PageRequest page = CheckPage(request.page_size(), request.page_token(), errors);
  if (!request.lead_officer().empty()) workflow::CheckId("lead_officer", request.lead_officer(), errors);
  RETURN_IF_ERROR(errors.ToStatus());
  // Walk the most selective index; check the other filters on each review.
  std::string prefix;
  if (request.overdue_only()) {
    prefix = workflow::CaseReviewRowPrefix(*p, "overdue");
  } else if (!request.lead_officer().empty()) {
    prefix = absl::StrCat(workflow::CaseReviewRowPrefix(*p, "lead"),
                          workflow::EscapeKeyPart(request.lead_officer()), "/");
  } else if (request.state() != v1::CaseReview::STATE_UNSPECIFIED) {
    prefix = absl::StrCat(workflow::CaseReviewRowPrefix(*p, "state"),
                          v1::CaseReview::State_Name(request.state()), "/");
  } else {
    prefix = workflow::CaseReviewRowPrefix(*p, "all");
  }
  const std::string all = workflow::CaseReviewRowPrefix(*p, "all");
  return PageRows(
      *deps_.store, prefix, page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        const std::string number = row.key.substr(row.key.rfind('/') + 1);
        ASSIGN_OR_RETURN(std::optional<std::string> value, deps_.store->GetRow(all + number));
        v1::CaseReview review;
        if (!value.has_value() || !review.ParseFromString(*value)) {
          return absl::DataLossError(absl::StrCat("index row ", row.key, " has no case review"));
        }
        if (request.state() != v1::CaseReview::STATE_UNSPECIFIED && review.state() != request.state()) {
          return Visit::kSkipped;
        }
        if (!request.lead_officer().empty() && review.lead_officer() != request.lead_officer()) {
          return Visit::kSkipped;
        }
        *response->add_case_reviews() = std::move(review);
        return Visit::kTaken;
      },
      response->mutable_next_page_token());
}

grpc::ServerUnaryReactor* CaseReviewService::GetCaseReviewFigures(
    grpc::CallbackServerContext* context, const v1::GetCaseReviewFiguresRequest* request,
    v1::CaseReviewFigures* response) {
  return FinishNow(context, Figures(*request, response));
}

absl::Status CaseReviewService::Figures(const v1::GetCaseReviewFiguresRequest& request,
                                        v1::CaseReviewFigures* response) const {
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request.parent(), errors);
  std::optional<absl::CivilDay> from = workflow::CheckDate("from", request.from(), errors);
  std::optional<absl::CivilDay> to = workflow::CheckDate("to", request.to(), errors);
  if (from && to && *to < *from) {
    errors.Add("to", "date_order", absl::StrCat("must not be before from (",
                                                workflow::FormatDate(request.from()), ")"));
  }
  RETURN_IF_ERROR(errors.ToStatus());
  std::vector<v1::CaseReview> reviews;
  const std::string prefix = workflow::CaseReviewRowPrefix(*p, "all");
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<storage::StoredRow> rows, deps_.store->ScanRows(prefix, after, 1000));
    for (const storage::StoredRow& row : rows) {
      if (!reviews.emplace_back().ParseFromString(row.value)) {
        return absl::DataLossError(absl::StrCat("corrupt case review row ", row.key));
      }
    }
    if (rows.size() < 1000) break;
    after = rows.back().key;
  }
  *response = workflow::ComputeCaseReviewFigures(reviews, *from, *to);
  if (request.csv()) response->set_csv(workflow::CaseReviewFiguresCsv(*response));
  return absl::OkStatus();
}

// ---- ComplaintService ----

grpc::ServerUnaryReactor* ComplaintService::RecordComplaint(
    grpc::CallbackServerContext* context, const v1::RecordComplaintRequest* request,
    v1::RecordComplaintResponse* response) {
  return RunCommand(context, *deps_.engine,
                    workflow::ValidateRecordComplaint(*request, Today(deps_)),
                    BuildRecordComplaintCommand(*request, deps_.calendars->Current()), response);
}

namespace {

// Client-streaming intake: each request is submitted as it arrives; the call
// finishes once the client has half-closed and every item has its result.
class ComplaintStreamReactor final : public grpc::ServerReadReactor<v1::RecordComplaintRequest> {
 public:
  ComplaintStreamReactor(grpc::CallbackServerContext* context, const CaseReviewDeps& deps,
                         v1::StreamComplaintsResponse* response)
      : deps_(deps), response_(response) {
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
    absl::Status validation = workflow::ValidateRecordComplaint(request_, Today(deps_));
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++pending_;
    }
    if (!validation.ok()) {
      Complete(index, validation);
    } else {
      storage::Command c = BuildRecordComplaintCommand(request_, deps_.calendars->Current());
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

  CaseReviewDeps deps_;
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
  return new ComplaintStreamReactor(context, deps_, response);
}

grpc::ServerUnaryReactor* ComplaintService::GetComplaint(grpc::CallbackServerContext* context,
                                                         const v1::GetComplaintRequest* request,
                                                         v1::Complaint* response) {
  FieldErrors errors;
  workflow::ParseResourceName("name", request->name(), "complaints", errors);
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::StatusOr<v1::Complaint> complaint =
      ReadState<v1::Complaint>(*deps_.store, workflow::ComplaintAggregate(), request->name());
  if (complaint.ok()) *response = *std::move(complaint);
  return FinishNow(context, complaint.status());
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
      *deps_.store, workflow::ComplainantLedgerPrefix(*p, request->complainant_reference()), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        v1::LedgerEntry entry;
        if (!entry.ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt ledger row ", row.key));
        }
        ASSIGN_OR_RETURN(*response->add_complaints(),
                         ReadState<v1::Complaint>(*deps_.store, workflow::ComplaintAggregate(),
                                                  entry.complaint()));
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
      *deps_.store, workflow::OpenNoticesPrefix(*p), page,
      [&](const storage::StoredRow& row) -> absl::StatusOr<Visit> {
        if (!response->add_notices()->ParseFromString(row.value)) {
          return absl::DataLossError(absl::StrCat("corrupt notice row ", row.key));
        }
        return Visit::kTaken;
      },
      response->mutable_next_page_token());
  return FinishNow(context, status);
}

grpc::ServerUnaryReactor* ComplaintService::AcknowledgeNotice(
    grpc::CallbackServerContext* context, const v1::AcknowledgeNoticeRequest* request,
    v1::RecordComplaintResponse* response) {
  storage::Command c;
  c.meta.method = "casework.v1.ComplaintService/AcknowledgeNotice";
  c.meta.request_id = request->request_id();
  c.meta.fingerprint = storage::Fingerprint(*request);
  c.aggregate = &workflow::ComplaintAggregate();
  c.stream = request->name();
  c.decide = [request = *request](const google::protobuf::Message& state,
                                  const workflow::DecideContext& ctx) {
    return workflow::DecideAcknowledgeNotice(static_cast<const v1::Complaint&>(state), request, ctx);
  };
  c.reply = [](const google::protobuf::Message& state, const v1::CommitInfo& commit) {
    v1::RecordComplaintResponse reply;
    *reply.mutable_complaint() = static_cast<const v1::Complaint&>(state);
    *reply.mutable_commit() = commit;
    return reply.SerializeAsString();
  };
  return RunCommand(context, *deps_.engine, workflow::ValidateAcknowledgeNotice(*request),
                    std::move(c), response);
}

// ---- PolicyService ----

grpc::ServerUnaryReactor* PolicyService::PublishPolicy(grpc::CallbackServerContext* context,
                                                       const v1::PublishPolicyRequest* request,
                                                       v1::Policy* response) {
  absl::Status validation = RequireAdmin(*context, "publishing a policy");
  if (validation.ok()) validation = workflow::ValidatePublishPolicy(*request);
  return RunCommand(context, *deps_.engine, validation, BuildPublishPolicyCommand(*request),
                    response);
}

grpc::ServerUnaryReactor* PolicyService::GetPolicy(grpc::CallbackServerContext* context,
                                                   const v1::GetPolicyRequest* request,
                                                   v1::Policy* response) {
  FieldErrors errors;
  std::optional<std::string> p = workflow::ParsePartnershipName("parent", request->parent(), errors);
  if (request->version() < 0) errors.Add("version", "range", "must not be negative");
  if (!errors.empty()) return FinishNow(context, errors.ToStatus());
  absl::StatusOr<v1::PolicyHistory> history = ReadState<v1::PolicyHistory>(
      *deps_.store, workflow::PolicyAggregate(), workflow::PolicyStream(*p));
  if (!history.ok()) {
    return FinishNow(context, absl::NotFoundError(absl::StrCat(
                                  "partnership ", *p, " has published no policy")));
  }
  const int64_t version = request->version() == 0 ? history->versions_size() : request->version();
  if (version > history->versions_size()) {
    return FinishNow(context, absl::NotFoundError(absl::StrCat(
                                  "policy version ", version, " of ", *p, " does not exist; ",
                                  "the latest is ", history->versions_size())));
  }
  *response = history->versions(static_cast<int>(version - 1));
  return FinishNow(context, absl::OkStatus());
}

}  // namespace casework::services
