// Requests and worlds the case review's pure tests and table examples share.
#ifndef CASEWORK_TESTS_WORKFLOW_CASE_REVIEW_CASE_REVIEW_WORLD_H_
#define CASEWORK_TESTS_WORKFLOW_CASE_REVIEW_CASE_REVIEW_WORLD_H_

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "casework/v1/case_reviews.pb.h"
#include "casework/v1/complaints.pb.h"
#include "casework/v1/policy.pb.h"
#include "tests/support/test_support.h"
#include "tests/support/world.h"

namespace casework::testing {

// A complaint by `complainant` to the police about its own incident.
v1::RecordComplaintRequest ComplaintRequest(const std::string& source_ref,
                                            const std::string& complainant,
                                            v1::CivilDate behaviour, v1::CivilDate reported);
// An application by `complainant` about Mill Lane.
v1::ReceiveApplicationRequest Application(const std::string& complainant);

// Publishes `policy` (the LLR default when omitted) for "eastbrook".
void Publish(World& world, const v1::Policy& policy);
void PublishDefault(World& world);

// Three qualifying complaints by "cmp-met" (the R1 threshold of the default
// policy is met on 2 November 2026) and none by anyone else.
void RecordThreeComplaints(World& world);

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_WORKFLOW_CASE_REVIEW_CASE_REVIEW_WORLD_H_
