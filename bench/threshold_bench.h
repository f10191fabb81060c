// The complaint ledger under load, measured through an in-process engine
// (bench/in_process.h), each figure the writer hold of single commands:
//
// * threshold evaluation for one applicant with 10,000 complaints on record,
//   of which only a handful were reported inside the 6-month window (the
//   ledger is keyed by reported date, so only the window should be read);
// * complaint intake (RecordComplaint, which reads the complainant's window
//   for the proactive notices) for that complainant;
// * a community-rule evaluation over a locality with 100,000 complaints
//   spread over five years (about 10,000 inside the window), and how long an
//   unrelated write (CreateAction) issued while it runs waits for its reply.
#ifndef CASEWORK_BENCH_THRESHOLD_BENCH_H_
#define CASEWORK_BENCH_THRESHOLD_BENCH_H_

#include <string>

#include "absl/status/statusor.h"

namespace casework::bench {

struct LedgerFigures {
  double setup_s = 0;  // recording the ledgers and publishing the policy

  // The applicant with a long ledger.
  int applicant_complaints = 0;
  int applicant_in_window = 0;
  int evaluations = 0;
  double eval_hold_median_ms = 0;  // EvaluateThreshold's writer hold
  double eval_hold_max_ms = 0;
  double eval_reply_median_ms = 0;  // Submit to durable reply
  std::string eval_rule;            // the deciding rule

  // RecordComplaint for that complainant.
  int intakes = 0;
  double intake_hold_mean_us = 0;
  double intake_hold_max_us = 0;

  // The community rule.
  int locality_complaints = 0;
  int locality_in_window = 0;
  int community_evaluations = 0;
  double community_hold_median_ms = 0;
  double community_hold_max_ms = 0;
  std::string community_rule;
  // The unrelated CreateAction submitted 1 ms after each evaluation:
  // Submit to durable reply.
  double unrelated_wait_median_ms = 0;
  double unrelated_wait_max_ms = 0;
};

// Builds the ledgers in the fresh directory `dir` (WAL not synced while
// loading), then reopens it with the WAL synced as `sync` says and measures.
absl::StatusOr<LedgerFigures> MeasureLedger(const std::string& dir, bool sync);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_THRESHOLD_BENCH_H_
