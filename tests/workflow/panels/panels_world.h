// Requests and worlds the panels' pure tests and table examples share: the
// default policy's panels (jag, aarg, yjag, central-dg, east-dg) for
// "eastbrook", referrals of people, groups and places, and meetings with or
// without quorum.
#ifndef CASEWORK_TESTS_WORKFLOW_PANELS_PANELS_WORLD_H_
#define CASEWORK_TESTS_WORKFLOW_PANELS_PANELS_WORLD_H_

#include <string>

#include "casework/v1/panels.pb.h"
#include "tests/support/world.h"

namespace casework::testing {

// A referral to `panel` of a person born on `born`, dated `referred`.
v1::ReferCaseRequest PersonReferral(const std::string& panel, v1::CivilDate born,
                                    v1::CivilDate referred);
// A referral to `panel` of a place (no date of birth).
v1::ReferCaseRequest LocationReferral(const std::string& panel);

// An assessment at the given levels with the first `factors` aggravating
// factors (vulnerability, substance misuse, mental health, ...).
v1::AssessRiskRequest Assessment(v1::RiskLevel reoffending, v1::RiskLevel others,
                                 v1::RiskLevel self, int factors);

// Who attends a quorate meeting under the default policy: the council, the
// police (chairing) and health.
v1::RecordAttendanceRequest QuorateAttendance();

// Schedules a meeting of `panel` on `date` and, when `quorate`, records
// QuorateAttendance. Returns the meeting's name.
std::string HoldMeeting(World& world, const std::string& panel, v1::CivilDate date,
                        bool quorate = true);

}  // namespace casework::testing

#endif  // CASEWORK_TESTS_WORKFLOW_PANELS_PANELS_WORLD_H_
