// The request kinds fuzz_requests knows: every mutating command of the API,
// each with the request message its gRPC method takes and the validator the
// service runs on it before anything else.
//
// The first byte of a fuzz_requests input selects the kind (byte modulo the
// number of kinds); the rest is the serialized request. make_corpus writes
// its seeds in the same shape. Only ever APPEND kinds: the committed corpus
// refers to them by position.
#ifndef CASEWORK_TESTS_FUZZ_REQUEST_KINDS_H_
#define CASEWORK_TESTS_FUZZ_REQUEST_KINDS_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "casework/v1/actions.pb.h"
#include "casework/v1/case_reviews.pb.h"
#include "casework/v1/complaints.pb.h"
#include "casework/v1/deadlines.pb.h"
#include "casework/v1/policy.pb.h"
#include "google/protobuf/message.h"
#include "workflow/actions.h"
#include "workflow/calendar_stream.h"
#include "workflow/case_reviews.h"
#include "workflow/complaints.h"
#include "workflow/policy_stream.h"

namespace casework::fuzz {

// The fixed "today" (Europe/London) the date checks are made against.
inline constexpr absl::CivilDay kFuzzToday(2026, 11, 21);

struct RequestKind {
  // The gRPC method, e.g. "CreateAction".
  const char* method;
  // A new, empty request message of the method's type.
  std::unique_ptr<google::protobuf::Message> (*make)();
  // Runs the service's validator on a request made by `make`.
  absl::Status (*validate)(const google::protobuf::Message& request, absl::CivilDay today);
};

namespace internal {

template <typename T>
std::unique_ptr<google::protobuf::Message> Make() {
  return std::make_unique<T>();
}

template <typename T>
absl::Status ValidateAction(const google::protobuf::Message& m, absl::CivilDay) {
  return workflow::ValidateActionCommand(workflow::ActionCommand(static_cast<const T&>(m)));
}

template <workflow::ReviewCommand kKind, typename T>
absl::Status ValidateReview(const google::protobuf::Message& m, absl::CivilDay today) {
  workflow::CaseReviewCommandSpec spec{kKind,
                                       std::make_shared<const T>(static_cast<const T&>(m))};
  return workflow::ValidateCaseReviewCommand(spec, today);
}

inline absl::Status ValidateRecordComplaint(const google::protobuf::Message& m,
                                            absl::CivilDay today) {
  return workflow::ValidateRecordComplaint(static_cast<const v1::RecordComplaintRequest&>(m),
                                           today);
}

inline absl::Status ValidateAcknowledgeNotice(const google::protobuf::Message& m,
                                              absl::CivilDay) {
  return workflow::ValidateAcknowledgeNotice(static_cast<const v1::AcknowledgeNoticeRequest&>(m));
}

inline absl::Status ValidatePublishPolicy(const google::protobuf::Message& m, absl::CivilDay) {
  return workflow::ValidatePublishPolicy(static_cast<const v1::PublishPolicyRequest&>(m));
}

inline absl::Status ValidateAddHoliday(const google::protobuf::Message& m, absl::CivilDay) {
  return workflow::ValidateAddHoliday(static_cast<const v1::AddHolidayRequest&>(m));
}

}  // namespace internal

// Every kind, in selector order. The pairing of review commands and request
// types is the one of services/case_review_service.h.
inline const std::vector<RequestKind>& RequestKinds() {
  using workflow::ReviewCommand;
  using namespace internal;  // NOLINT(build/namespaces)
#define CASEWORK_ACTION(Method) \
  RequestKind { #Method, &Make<v1::Method##Request>, &ValidateAction<v1::Method##Request> }
#define CASEWORK_REVIEW(Method, Request)                   \
  RequestKind {                                            \
    #Method, &Make<v1::Request>,                           \
        &ValidateReview<ReviewCommand::k##Method, v1::Request> \
  }
  static const std::vector<RequestKind>* kinds = new std::vector<RequestKind>{
      // 0-7: ActionService.
      CASEWORK_ACTION(CreateAction),
      CASEWORK_ACTION(RecordProgress),
      CASEWORK_ACTION(ChangeDueDate),
      CASEWORK_ACTION(CompleteAction),
      CASEWORK_ACTION(CancelAction),
      CASEWORK_ACTION(ReopenAction),
      CASEWORK_ACTION(PutActionOnHold),
      CASEWORK_ACTION(ResumeAction),
      // 8-9: ComplaintService.
      {"RecordComplaint", &Make<v1::RecordComplaintRequest>, &ValidateRecordComplaint},
      {"AcknowledgeNotice", &Make<v1::AcknowledgeNoticeRequest>, &ValidateAcknowledgeNotice},
      // 10-28: CaseReviewService.
      CASEWORK_REVIEW(ReceiveApplication, ReceiveApplicationRequest),
      CASEWORK_REVIEW(AcknowledgeApplication, CaseReviewCommand),
      CASEWORK_REVIEW(EvaluateThreshold, CaseReviewCommand),
      CASEWORK_REVIEW(OverrideThreshold, OverrideThresholdRequest),
      CASEWORK_REVIEW(NotifyApplicant, NotifyApplicantRequest),
      CASEWORK_REVIEW(AssignLeadOfficer, AssignLeadOfficerRequest),
      CASEWORK_REVIEW(RequestAgencyInformation, AgencyInformationRequest),
      CASEWORK_REVIEW(RecordAgencyInformation, AgencyInformationRequest),
      CASEWORK_REVIEW(InviteVictim, CaseReviewCommand),
      CASEWORK_REVIEW(RecordReviewMeeting, RecordReviewMeetingRequest),
      CASEWORK_REVIEW(RecordOfficerHours, RecordOfficerHoursRequest),
      CASEWORK_REVIEW(RecordOutcome, RecordOutcomeRequest),
      CASEWORK_REVIEW(CommunicateOutcome, CaseReviewCommand),
      CASEWORK_REVIEW(LodgeAppeal, LodgeAppealRequest),
      CASEWORK_REVIEW(SendAppealPapers, SendAppealPapersRequest),
      CASEWORK_REVIEW(DecideAppeal, DecideAppealRequest),
      CASEWORK_REVIEW(RecordRecommendationProgress, RecommendationProgressRequest),
      CASEWORK_REVIEW(CloseCaseReview, CloseCaseReviewRequest),
      CASEWORK_REVIEW(WithdrawApplication, WithdrawApplicationRequest),
      // 29: PolicyService.
      {"PublishPolicy", &Make<v1::PublishPolicyRequest>, &ValidatePublishPolicy},
      // 30: CalendarService.
      {"AddHoliday", &Make<v1::AddHolidayRequest>, &ValidateAddHoliday},
  };
#undef CASEWORK_ACTION
#undef CASEWORK_REVIEW
  return *kinds;
}

}  // namespace casework::fuzz

#endif  // CASEWORK_TESTS_FUZZ_REQUEST_KINDS_H_
