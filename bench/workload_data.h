// The fictional partnership data the engine's mix draws from (agencies,
// source systems, action titles, complaint summaries) and how complainants
// and localities are drawn. Shared by workloads.cc and workloads_cases.cc.
#ifndef CASEWORK_BENCH_WORKLOAD_DATA_H_
#define CASEWORK_BENCH_WORKLOAD_DATA_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"
#include "casework/v1/complaints.pb.h"

namespace casework::bench::workload_data {

// Fictional partnerships, agencies and action titles in the style of a CSP
// action log.
inline constexpr const char* kPartnerships[] = {"eastbrook", "westmere", "northfield", "southwick"};
inline constexpr const char* kAgencies[] = {"eastbrook-council", "shire-police",    "shire-fire",
                                     "nhs-shire-icb",     "probation-shire", "eastbrook-homes"};
inline constexpr const char* kTitles[] = {
    "Arrange joint visit to the flats with housing and neighbourhood police",
    "Share ASB hotspot data for the town centre with the licensing team",
    "Review CCTV coverage on the canal towpath after recent incidents",
    "Agree a youth diversion offer for the skate park group",
    "Write to the landlord about fly-tipping behind the shopping parade",
    "Refer the repeat-caller household to the community MARAC coordinator",
};
inline constexpr const char* kNotes[] = {
    "Visited with housing officer; residents report less noise since the last meeting",
    "Data shared with licensing; awaiting their review at the next panel",
    "Landlord replied, clearance booked for next week",
    "Spoke to the youth service, two sessions offered on Friday evenings",
};
// The agency every caller of the mix acts for: the council that runs the
// partnerships' casework raises the actions, receives the applications and
// records the complaints, so it is a party to every case; each call still
// pays for the party check.
inline constexpr const char kCallerAgency[] = "eastbrook-council";
// The systems that push complaints, with the agency each records for.
struct SourceSystem {
  const char* name;
  const char* agency;
  v1::AgencyKind kind;
};
inline constexpr SourceSystem kSourceSystems[] = {
    {"sentinel", "eastbrook-council", v1::COUNCIL},
    {"niche-rms", "shire-police", v1::POLICE},
    {"northgate-housing", "eastbrook-homes", v1::HOUSING_PROVIDER},
    {"ecins", "eastbrook-council", v1::COUNCIL},
    {"mosaic-health", "nhs-shire-icb", v1::HEALTH},
};
inline constexpr const char* kComplaintSummaries[] = {
    "Loud music and shouting from the flat above until 3am, third night this week",
    "Group of youths throwing stones at windows on the estate",
    "Rubbish dumped behind the parade again, now attracting rats",
    "Neighbour's visitors blocking the drive and being abusive when asked to move",
    "Drug dealing from the car park behind the community centre",
};
// Complainants and localities per partnership, drawn from Zipf
// distributions: P(k) ~ (v + k)^-q. A few complainants (the first get about
// 3% of a partnership's complaints each) and localities have long ledgers.
inline constexpr int kComplainants = 20000;
inline constexpr double kComplainantQ = 1.3, kComplainantV = 10;
inline constexpr int kLocalities = 30;
inline constexpr double kLocalityQ = 1.5, kLocalityV = 3;
// Complaints an integration pushes in one StreamComplaints call of the mix,
// and in one call while seeding.
inline constexpr int kStreamedComplaints = 10;
inline constexpr int kSeedStreamedComplaints = 500;
// Live complaints are reported up to this many days ago; seeded ones over
// three years.
inline constexpr int kLiveMaxAgeDays = 60;
inline constexpr int kSeedMaxAgeDays = 3 * 365;
// Integrations resend a complaint already recorded this often (per mille).
inline constexpr int kDuplicatePerMille = 20;
inline constexpr size_t kRecentComplaints = 1000;
inline constexpr int kListPageSize = 20;
inline constexpr int kReadLogPageSize = 50;
// Most known actions and case reviews kept for the mix to pick from.
inline constexpr size_t kMaxKnownActions = 200000;
inline constexpr size_t kMaxKnownReviews = 200000;

template <typename T, size_t N>
const T& PickFrom(const T (&items)[N], absl::BitGen& rng) {
  return items[absl::Uniform<size_t>(rng, 0, N)];
}

inline std::string NewRunId() {
  absl::BitGen rng;
  return absl::StrFormat("%012x", absl::Uniform<uint64_t>(rng) & 0xffffffffffffULL);
}

inline std::string Complainant(absl::BitGen& rng) {
  return absl::StrFormat("cmp-%05d",
                         absl::Zipf<int>(rng, kComplainants - 1, kComplainantQ, kComplainantV));
}

inline std::string Locality(absl::BitGen& rng) {
  return absl::StrFormat("ward-%02d", absl::Zipf<int>(rng, kLocalities - 1, kLocalityQ, kLocalityV));
}

inline v1::ComplaintCategory Category(absl::BitGen& rng) {
  const int p = absl::Uniform(rng, 0, 100);
  return p < 60 ? v1::NUISANCE : (p < 85 ? v1::PERSONAL : v1::ENVIRONMENTAL);
}

}  // namespace casework::bench::workload_data

#endif  // CASEWORK_BENCH_WORKLOAD_DATA_H_
