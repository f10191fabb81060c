// The engine's complaint intake, case-review and deadline operations; see
// workloads.h.
#include "bench/workloads.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/workload_data.h"
#include "services/call_context.h"
#include "workflow/common/validation.h"
#include "workflow/registry.h"

namespace casework::bench {

using namespace workload_data;  // NOLINT: the mix's fictional data

// ---- Complaint intake ----

v1::RecordComplaintRequest EngineWorkload::NewComplaint(absl::BitGen& rng, int max_age_days,
                                                        const std::string& partnership) {
  const uint64_t n = next_source_reference_.fetch_add(1);
  const SourceSystem& source = PickFrom(kSourceSystems, rng);
  v1::RecordComplaintRequest r;
  r.set_parent(absl::StrCat("partnerships/",
                            partnership.empty() ? PickFrom(kPartnerships, rng) : partnership));
  r.set_request_id(NextRequestId());
  v1::Complaint& c = *r.mutable_complaint();
  c.set_complainant_reference(Complainant(rng));
  c.set_agency(source.agency);
  c.set_agency_kind(source.kind);
  c.set_source_system(source.name);
  c.set_source_reference(absl::StrCat("SRC-", run_id_, "-", n));
  // A quarter of the reports are of the incident reported just before.
  c.set_incident_reference(
      absl::StrCat("INC-", run_id_, "-", n - (n > 0 && absl::Bernoulli(rng, 0.25) ? 1 : 0)));
  const absl::CivilDay reported = today_ - absl::Uniform(rng, 0, max_age_days + 1);
  // Most are reported within two weeks of the behaviour; some too late to
  // count for the threshold.
  const int delay = absl::Bernoulli(rng, 0.9) ? absl::Uniform(rng, 0, 15) : absl::Uniform(rng, 15, 61);
  *c.mutable_reported_date() = workflow::ToCivilDate(reported);
  *c.mutable_behaviour_date() = workflow::ToCivilDate(reported - delay);
  c.set_category(Category(rng));
  if (absl::Bernoulli(rng, 0.03)) {
    c.set_hate_related(true);
    c.set_hate_strand(static_cast<v1::HateStrand>(absl::Uniform(rng, 1, 7)));
  }
  c.set_locality(Locality(rng));
  for (int i = absl::Uniform(rng, 0, 3); i > 0; --i) {
    c.add_perpetrator_references(absl::StrFormat("prp-%04d", absl::Uniform(rng, 0, 5000)));
  }
  c.set_summary(PickFrom(kComplaintSummaries, rng));
  return r;
}

std::unique_ptr<Call> EngineWorkload::RecordComplaint(absl::BitGen& rng, int slot) {
  v1::RecordComplaintRequest r;
  bool resent = false;
  if (absl::Uniform(rng, 0, 1000) < kDuplicatePerMille) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!recent_complaints_.empty()) {
      r = recent_complaints_[absl::Uniform<size_t>(rng, 0, recent_complaints_.size())];
      resent = true;
    }
  }
  if (resent) {
    r.set_request_id(NextRequestId());  // a resend, not a retry
  } else {
    r = NewComplaint(rng, kLiveMaxAgeDays);
  }
  complaints_sent_.fetch_add(1);
  return Identified(
      MakeCall(At(complaints_, slot), &v1::ComplaintService::Stub::PrepareAsyncRecordComplaint, r,
               [this, r](const v1::RecordComplaintResponse& response) {
                 RememberPosition(response.commit().last_position());
                 if (response.duplicate()) return;
                 std::lock_guard<std::mutex> lock(mu_);
                 if (recent_complaints_.size() < kRecentComplaints) {
                   recent_complaints_.push_back(r);
                 } else {
                   recent_complaints_[response.commit().last_position() % kRecentComplaints] = r;
                 }
               }),
      rng);
}

std::unique_ptr<Call> EngineWorkload::ComplaintBatch(absl::BitGen& rng, int slot, int items,
                                                     int max_age_days) {
  // One source system's batch for one partnership.
  const std::string partnership = PickFrom(kPartnerships, rng);
  std::vector<v1::RecordComplaintRequest> requests;
  requests.reserve(static_cast<size_t>(items));
  for (int i = 0; i < items; ++i) requests.push_back(NewComplaint(rng, max_age_days, partnership));
  const SourceSystem& source = PickFrom(kSourceSystems, rng);
  for (v1::RecordComplaintRequest& r : requests) {
    r.mutable_complaint()->set_source_system(source.name);
    r.mutable_complaint()->set_agency(source.agency);
    r.mutable_complaint()->set_agency_kind(source.kind);
  }
  complaints_sent_.fetch_add(static_cast<uint64_t>(items));
  return Identified(
      MakeStreamCall(
          At(complaints_, slot), &v1::ComplaintService::Stub::PrepareAsyncStreamComplaints,
          std::move(requests),
          [items](const v1::StreamComplaintsResponse& response) {
            if (response.failed() == 0 && response.recorded() + response.duplicates() == items) {
              return grpc::Status::OK;
            }
            std::string first;
            for (const v1::ComplaintResult& result : response.results()) {
              if (result.code() != 0) {
                first = absl::StrCat(" (item ", result.index(), ": ", result.message(), ")");
                break;
              }
            }
            return grpc::Status(grpc::StatusCode::INTERNAL,
                                absl::StrCat(response.failed(), " of ", items,
                                             " streamed complaints failed", first));
          },
          [this](const v1::StreamComplaintsResponse& response) {
            for (const v1::ComplaintResult& result : response.results()) {
              RememberPosition(result.response().commit().last_position());
            }
          }),
      rng);
}

std::unique_ptr<Call> EngineWorkload::StreamComplaints(absl::BitGen& rng, int slot) {
  return ComplaintBatch(rng, slot, kStreamedComplaints, kLiveMaxAgeDays);
}

std::unique_ptr<Call> EngineWorkload::SeedComplaintBatch(absl::BitGen& rng, int slot) {
  return ComplaintBatch(rng, slot, kSeedStreamedComplaints, kSeedMaxAgeDays);
}

// ---- Case reviews ----
//
// Each review the mix receives is taken through its life, one call at a
// time (never two calls on one review at once): acknowledged (first among
// the steps), evaluated (EvaluateThreshold, its own operation), the applicant
// told, then, met: lead officer assigned, information requested, meeting
// recorded, outcome recorded and communicated, closed; not met: closed, or
// (one in four) the SPOC overrides and it goes on as met. AdvanceCaseReview
// advances the oldest review first, so few are open at once.

void EngineWorkload::ReviewReceived(const v1::CaseReviewResponse& response) {
  RememberPosition(response.commit().last_position());
  reviews_received_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  Review review;
  review.name = response.case_review().name();
  review.order = next_review_order_++;
  review.next = ReviewStep::kAcknowledge;
  to_acknowledge_.push_back(review);
  if (known_reviews_.size() < kMaxKnownReviews) {
    known_reviews_.push_back(review.name);
  } else {
    known_reviews_[review.order % known_reviews_.size()] = review.name;
  }
}

std::optional<EngineWorkload::Review> EngineWorkload::TakeReview(bool evaluate) {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<Review> review;
  if (evaluate) {
    if (!to_evaluate_.empty()) {
      review = std::move(to_evaluate_.front());
      to_evaluate_.pop_front();
    }
  } else if (!to_acknowledge_.empty()) {
    review = std::move(to_acknowledge_.front());
    to_acknowledge_.pop_front();
  } else if (!to_advance_.empty()) {
    review = std::move(to_advance_.begin()->second);
    to_advance_.erase(to_advance_.begin());
  }
  return review;
}

void EngineWorkload::ReviewAdvanced(Review review, const v1::CaseReviewResponse& response) {
  RememberPosition(response.commit().last_position());
  const v1::CaseReview::State state = response.case_review().state();
  switch (review.next) {
    case ReviewStep::kAcknowledge:
      review.next = ReviewStep::kEvaluate;
      break;
    case ReviewStep::kEvaluate:
      review.met = state == v1::CaseReview::THRESHOLD_MET;
      review.next = ReviewStep::kNotify;
      break;
    case ReviewStep::kNotify:
      review.next = review.met ? ReviewStep::kAssign
                               : (review.order % 4 == 0 ? ReviewStep::kOverride : ReviewStep::kClose);
      break;
    case ReviewStep::kOverride:
      review.met = true;
      review.next = ReviewStep::kNotify;
      break;
    case ReviewStep::kAssign:
      review.next = ReviewStep::kRequestInformation;
      break;
    case ReviewStep::kRequestInformation:
      review.next = ReviewStep::kRecordMeeting;
      break;
    case ReviewStep::kRecordMeeting:
      review.next = ReviewStep::kRecordOutcome;
      break;
    case ReviewStep::kRecordOutcome:
      review.next = ReviewStep::kCommunicateOutcome;
      break;
    case ReviewStep::kCommunicateOutcome:
      review.next = ReviewStep::kClose;
      break;
    case ReviewStep::kClose:
    case ReviewStep::kDone:
      review.next = ReviewStep::kDone;
      break;
  }
  if (review.next == ReviewStep::kDone) {
    reviews_finished_.fetch_add(1);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (review.next == ReviewStep::kEvaluate) {
    to_evaluate_.push_back(std::move(review));
  } else {
    const uint64_t order = review.order;
    to_advance_.emplace(order, std::move(review));
  }
}

std::optional<std::string> EngineWorkload::PickReview(absl::BitGen& rng) {
  std::lock_guard<std::mutex> lock(mu_);
  if (known_reviews_.empty()) return std::nullopt;
  return known_reviews_[absl::Uniform<size_t>(rng, 0, known_reviews_.size())];
}

std::unique_ptr<Call> EngineWorkload::ReceiveApplication(absl::BitGen& rng, int slot) {
  v1::ReceiveApplicationRequest r;
  r.set_parent(absl::StrCat("partnerships/", PickFrom(kPartnerships, rng)));
  r.set_request_id(NextRequestId());
  v1::Applicant& a = *r.mutable_applicant();
  const int kind = absl::Uniform(rng, 0, 20);
  a.set_kind(kind == 0 ? v1::Applicant::BUSINESS
                       : (kind == 1 ? v1::Applicant::COMMUNITY_GROUP : v1::Applicant::INDIVIDUAL));
  // Applicants are complainants: those with long ledgers apply most.
  a.set_complainant_reference(Complainant(rng));
  if (absl::Bernoulli(rng, 0.05)) {
    a.set_representative_reference(absl::StrFormat("cllr-%03d", absl::Uniform(rng, 0, 200)));
    a.set_consent_recorded(true);
  }
  a.set_locality(Locality(rng));
  a.set_category(Category(rng));
  r.set_description(
      "Repeated anti-social behaviour over several months; the applicant feels nothing has been "
      "done and asks for a case review");
  return Identified(
      MakeCall(At(reviews_, slot), &v1::CaseReviewService::Stub::PrepareAsyncReceiveApplication, r,
               [this](const v1::CaseReviewResponse& response) { ReviewReceived(response); }),
      rng);
}

std::unique_ptr<Call> EngineWorkload::EvaluateThreshold(absl::BitGen& rng, int slot) {
  std::optional<Review> review = TakeReview(true);
  if (!review) return Fallback("EvaluateThreshold", rng, slot);
  v1::CaseReviewCommand r;
  r.set_name(review->name);
  r.set_request_id(NextRequestId());
  return Identified(
      MakeCall(At(reviews_, slot), &v1::CaseReviewService::Stub::PrepareAsyncEvaluateThreshold, r,
               [this, review = *review](const v1::CaseReviewResponse& response) {
                 ReviewAdvanced(review, response);
               }),
      rng);
}

std::unique_ptr<Call> EngineWorkload::AdvanceCaseReview(absl::BitGen& rng, int slot) {
  std::optional<Review> review = TakeReview(false);
  if (!review) return Fallback("AdvanceCaseReview", rng, slot);
  return ReviewCommand(*std::move(review), rng, slot);
}

std::unique_ptr<Call> EngineWorkload::ReviewCommand(Review review, absl::BitGen& rng, int slot) {
  v1::CaseReviewService::Stub* stub = At(reviews_, slot);
  using Stub = v1::CaseReviewService::Stub;
  auto next = [this, review](const v1::CaseReviewResponse& response) {
    ReviewAdvanced(review, response);
  };
  const std::string request_id = NextRequestId();
  const absl::CivilDay today = today_;
  switch (review.next) {
    case ReviewStep::kAcknowledge:
    case ReviewStep::kEvaluate:  // not taken here; acknowledged instead
    case ReviewStep::kCommunicateOutcome: {
      v1::CaseReviewCommand r;
      r.set_name(review.name);
      r.set_request_id(request_id);
      if (review.next == ReviewStep::kCommunicateOutcome) {
        return Identified(MakeCall(stub, &Stub::PrepareAsyncCommunicateOutcome, r, next), rng);
      }
      r.set_note("Acknowledged by letter");
      return Identified(MakeCall(stub, &Stub::PrepareAsyncAcknowledgeApplication, r, next), rng);
    }
    case ReviewStep::kNotify: {
      v1::NotifyApplicantRequest r;
      r.set_name(review.name);
      r.set_request_id(request_id);
      r.set_channel(absl::Bernoulli(rng, 0.5) ? "letter" : "email");
      return Identified(MakeCall(stub, &Stub::PrepareAsyncNotifyApplicant, r, next), rng);
    }
    case ReviewStep::kOverride: {
      v1::OverrideThresholdRequest r;
      r.set_name(review.name);
      r.set_request_id(request_id);
      r.set_reason("Vulnerable victim: repeat targeting by the same group, SPOC discretion");
      return Identified(MakeCall(stub, &Stub::PrepareAsyncOverrideThreshold, r, next), rng, "spoc");
    }
    case ReviewStep::kAssign: {
      v1::AssignLeadOfficerRequest r;  // from the pool: fewest open reviews
      r.set_name(review.name);
      r.set_request_id(request_id);
      return Identified(MakeCall(stub, &Stub::PrepareAsyncAssignLeadOfficer, r, next), rng);
    }
    case ReviewStep::kRequestInformation: {
      v1::AgencyInformationRequest r;
      r.set_name(review.name);
      r.set_request_id(request_id);
      r.set_agency(PickFrom(kAgencies, rng));
      r.set_summary("Incident logs and any warnings issued in the last six months");
      return Identified(MakeCall(stub, &Stub::PrepareAsyncRequestAgencyInformation, r, next), rng);
    }
    case ReviewStep::kRecordMeeting: {
      v1::RecordReviewMeetingRequest r;
      r.set_name(review.name);
      r.set_request_id(request_id);
      *r.mutable_date() = workflow::ToCivilDate(today);
      r.add_attendees("eastbrook-council");
      r.add_attendees("shire-police");
      if (absl::Bernoulli(rng, 0.5)) r.add_attendees("eastbrook-homes");
      r.set_victim_attended(absl::Bernoulli(rng, 0.5));
      r.set_notes("Agencies shared their records; options discussed with the victim");
      return Identified(MakeCall(stub, &Stub::PrepareAsyncRecordReviewMeeting, r, next), rng);
    }
    case ReviewStep::kRecordOutcome: {
      v1::RecordOutcomeRequest r;
      r.set_name(review.name);
      r.set_request_id(request_id);
      if (absl::Bernoulli(rng, 0.7)) {
        v1::Recommendation& rec = *r.add_recommendations();
        rec.set_text("Joint visit and acceptable behaviour contract for the main perpetrator");
        rec.set_lead_agency(PickFrom(kAgencies, rng));
        *rec.mutable_due_date() = workflow::ToCivilDate(today + absl::Uniform(rng, 28, 90));
      } else {
        r.set_no_further_action_reason("Agencies had responded appropriately; advice given");
      }
      return Identified(MakeCall(stub, &Stub::PrepareAsyncRecordOutcome, r, next), rng);
    }
    case ReviewStep::kClose:
    case ReviewStep::kDone: {
      v1::CloseCaseReviewRequest r;
      r.set_name(review.name);
      r.set_request_id(request_id);
      r.set_reason(review.met ? "Recommendations agreed and communicated"
                              : "Threshold not met; applicant told and given advice");
      return Identified(MakeCall(stub, &Stub::PrepareAsyncCloseCaseReview, r, next), rng);
    }
  }
  return nullptr;  // unreachable
}

std::unique_ptr<Call> EngineWorkload::GetCaseReview(absl::BitGen& rng, int slot) {
  std::optional<std::string> name = PickReview(rng);
  if (!name) return Fallback("GetCaseReview", rng, slot);
  v1::GetCaseReviewRequest r;
  r.set_name(*name);
  return Identified(
      MakeCall(At(reviews_, slot), &v1::CaseReviewService::Stub::PrepareAsyncGetCaseReview, r),
      rng);
}

std::unique_ptr<Call> EngineWorkload::ListCaseReviews(absl::BitGen& rng, int slot) {
  v1::ListCaseReviewsRequest r;
  r.set_parent(absl::StrCat("partnerships/", PickFrom(kPartnerships, rng)));
  r.set_page_size(kListPageSize);
  switch (absl::Uniform(rng, 0, 4)) {
    case 0:  // every review
      break;
    case 1:
      r.set_state(absl::Bernoulli(rng, 0.5) ? v1::CaseReview::RECEIVED : v1::CaseReview::IN_REVIEW);
      break;
    case 2:  // an officer's workload
      r.set_lead_officer(absl::Bernoulli(rng, 0.5) ? "off-council-1" : "off-police-1");
      break;
    default:
      r.set_overdue_only(true);
      break;
  }
  return Identified(
      MakeCall(At(reviews_, slot), &v1::CaseReviewService::Stub::PrepareAsyncListCaseReviews, r),
      rng);
}

// ---- Deadline queues ----

std::unique_ptr<Call> EngineWorkload::ListDeadlines(absl::BitGen& rng, int slot) {
  v1::ListDeadlinesRequest r;
  r.set_parent(absl::StrCat("partnerships/", PickFrom(kPartnerships, rng)));
  r.set_page_size(kListPageSize);
  if (absl::Bernoulli(rng, 0.7)) {
    r.set_queue(v1::ListDeadlinesRequest::DUE_SOON);
    r.set_within_working_days(absl::Uniform(rng, 5, 21));
    // The queue as it will look up to six weeks ahead.
    *r.mutable_today() = workflow::ToCivilDate(today_ + absl::Uniform(rng, 0, 43));
  } else {
    r.set_queue(v1::ListDeadlinesRequest::OVERDUE);
  }
  return Identified(
      MakeCall(At(deadlines_, slot), &v1::DeadlineService::Stub::PrepareAsyncListDeadlines, r),
      rng);
}

}  // namespace casework::bench
