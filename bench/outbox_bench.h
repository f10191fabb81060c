// What a link between workflows costs: the outbox delivering case review
// recommendations as panel referrals (ReceiveRecommendation on the panel,
// then LinkPanelReferral on the review), `messages` of them, drained by one
// DeliverDue:
//   * in-process: one server hosting every workflow;
//   * over gRPC: a case reviews server and a panels server (loopback TCP,
//     the link key), as a split deployment runs them.
// Deliveries are sequential (each waits for its reply), so the figure is
// the latency of one delivery: two synced commands, one of them across
// the network in the split case. Both servers are in this process, with
// the WAL synced or not as the run says.
#ifndef CASEWORK_BENCH_OUTBOX_BENCH_H_
#define CASEWORK_BENCH_OUTBOX_BENCH_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace casework::bench {

struct OutboxFigures {
  int messages = 0;          // deliveries in each topology
  double in_process_us = 0;  // mean time per delivery, all-in-one
  double grpc_us = 0;        // the same, the panel in another server over gRPC
  double ratio = 0;          // grpc_us / in_process_us
  bool all_linked = false;   // every recommendation linked once, in both
};

absl::StatusOr<OutboxFigures> MeasureOutbox(const std::string& dir, bool sync, int messages);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_OUTBOX_BENCH_H_
