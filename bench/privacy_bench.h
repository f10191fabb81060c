// The cost of sealing personal data (docs/data-protection.md), measured
// through two in-process engines (bench/in_process.h) on the same workload,
// one sealing and one not:
//
// * complaint intake (RecordComplaint: complainant reference, summary and a
//   perpetrator reference sealed), recorded in groups as a busy integration
//   sends them, and single commands' writer holds;
// * reading the whole log back (EventStore::ScanLog, which opens every
//   sealed field), as the event feed and a rebuild do;
// * erasing a complainant with many complaints (EraseSubject, through the
//   engine: the reply comes once the key is destroyed and the read models
//   derived again).
#ifndef CASEWORK_BENCH_PRIVACY_BENCH_H_
#define CASEWORK_BENCH_PRIVACY_BENCH_H_

#include <string>

#include "absl/status/statusor.h"

namespace casework::bench {

struct SealingFigures {
  struct Side {
    double intake_per_s = 0;      // grouped RecordComplaint
    double hold_mean_us = 0;      // single RecordComplaint's writer hold
    double scan_events_per_s = 0; // ScanLog of the whole log
    double data_mb = 0;           // data directory after a clean close
  };
  int complaints = 0;
  int singles = 0;
  Side plain;
  Side sealed;
  int erased_complaints = 0;
  double erase_ms = 0;  // EraseSubject: Submit to reply
};

absl::StatusOr<SealingFigures> MeasureSealing(const std::string& dir, bool sync);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_PRIVACY_BENCH_H_
