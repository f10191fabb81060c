// Threshold evaluation for one applicant with many complaints on record,
// measured through the engine (ledger scan, policy read, evaluation, write).
#ifndef CASEWORK_BENCH_THRESHOLD_BENCH_H_
#define CASEWORK_BENCH_THRESHOLD_BENCH_H_

#include "absl/status/statusor.h"

namespace casework::bench {

struct ThresholdFigures {
  int complaints = 0;
  int evaluations = 0;
  // Median and slowest EvaluateThreshold command, milliseconds, from submit
  // to durable reply.
  double median_ms = 0;
  double max_ms = 0;
};

// Records `complaints` complaints for one applicant in a temporary data
// directory, then times `evaluations` EvaluateThreshold commands on as many
// applications by that applicant.
absl::StatusOr<ThresholdFigures> MeasureThreshold(int complaints, int evaluations);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_THRESHOLD_BENCH_H_
