// The Prometheus endpoint (caseworkd --metrics_listen): GET /metrics on a
// plain HTTP address of its own, apart from gRPC, in the text exposition
// format (prometheus-cpp, Debian's prometheus-cpp-dev).
//
// Series (every name starts with casework_; docs/operations.md lists them
// with what to alert on):
//   calls_total{method,code}, call_duration_seconds{method}   every gRPC call
//   engine_commands_total, engine_groups_total, engine_replays_total,
//   engine_group_commands (histogram), engine_write_seconds (histogram: the
//   group commit, fsync included), engine_queue_depth,
//   engine_writer_hold_seconds_total{method}, engine_writer_hold_max_seconds{method},
//   engine_state_cache_hits_total, engine_state_loads_total
//   store_* (RocksDB: WAL, memtables, block cache, pending compaction,
//   write stalls; table bytes; free disk bytes)
//   timers_due, timers_fired_total, deadlines_overdue{partnership,collection}
//   serving (1 while health is SERVING)
// Methods not in the contract are counted under method "other", so a
// caller cannot make the series grow without bound.
#ifndef CASEWORK_SERVICES_METRICS_H_
#define CASEWORK_SERVICES_METRICS_H_

#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/clock.h"

namespace prometheus {
class Counter;
class Exposer;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace casework::storage {
class Engine;
class EventStore;
}  // namespace casework::storage

namespace casework::services {

class TimerWorker;

// What the endpoint reads at each scrape. Every pointer must outlive the
// Metrics it is given to (Metrics::Detach stops reading them).
struct MetricsSources {
  const storage::Engine* engine = nullptr;
  const storage::EventStore* store = nullptr;
  const TimerWorker* timers = nullptr;
  const Clock* clock = nullptr;
  // True while health reports SERVING.
  std::function<bool()> serving;
};

class Metrics {
 public:
  // Serves /metrics on `listen` ("HOST:PORT"; port 0 picks a free port).
  // UNAVAILABLE (METRICS_LISTEN_FAILED) naming the address if it cannot be
  // bound.
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(const std::string& listen);
  ~Metrics();

  // The port bound.
  int port() const { return port_; }

  // Counts one finished call (CallGuardOptions::on_finished). Thread-safe.
  void ObserveCall(const std::string& method, grpc::StatusCode code, absl::Duration latency);

  // From now on each scrape also reads `sources`; Detach stops it (before
  // they are destroyed). Thread-safe.
  void Attach(MetricsSources sources);
  void Detach();

 private:
  Metrics() = default;
  class Collector;

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<Collector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  prometheus::Family<prometheus::Counter>* calls_ = nullptr;
  prometheus::Family<prometheus::Histogram>* durations_ = nullptr;
  std::set<std::string> known_methods_;
  int port_ = 0;
};

}  // namespace casework::services

#endif  // CASEWORK_SERVICES_METRICS_H_
