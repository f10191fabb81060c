#include "services/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "privacy/key_store.h"
#include "privacy/sealer.h"
#include "services/request_log.h"
#include "services/server.h"
#include "services/timer_worker.h"
#include "storage/engine.h"
#include "storage/event_store.h"
#include "workflow/common/status.h"

namespace casework::services {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Deadline rows read per scrape at most, so that a scrape stays cheap
// whatever the backlog.
constexpr int kMaxDeadlineRows = 100000;
constexpr int kMaxDueTimers = 10000;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily family;
  family.name = absl::StrCat("casework_", name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddValue(MetricFamily& family, double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (family.type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
}

MetricFamily Single(std::string name, std::string help, MetricType type, double value) {
  MetricFamily family = Family(std::move(name), std::move(help), type);
  AddValue(family, value);
  return family;
}

MetricFamily HistogramOf(std::string name, std::string help, const storage::Distribution& d) {
  MetricFamily family = Family(std::move(name), std::move(help), MetricType::Histogram);
  ClientMetric metric;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < d.counts.size(); ++i) {
    cumulative += d.counts[i];
    metric.histogram.bucket.push_back(
        {cumulative, i < d.bounds.size() ? d.bounds[i] : std::numeric_limits<double>::infinity()});
  }
  metric.histogram.sample_count = cumulative;
  metric.histogram.sample_sum = d.sum;
  family.metric.push_back(std::move(metric));
  return family;
}

// "/casework.v1.ActionService/CreateAction" for every method of the
// contract, and the standard health checks.
std::set<std::string> KnownMethods() {
  std::set<std::string> methods = {"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"};
  for (const auto& [service, make] : ServiceFactories()) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(service));
    if (descriptor == nullptr) continue;
    for (int i = 0; i < descriptor->method_count(); ++i) {
      methods.insert(absl::StrCat("/", service, "/", descriptor->method(i)->name()));
    }
  }
  return methods;
}

}  // namespace

// The figures read at each scrape from the engine, the store and the timers.
class Metrics::Collector final : public prometheus::Collectable {
 public:
  void Attach(MetricsSources sources) {
    std::lock_guard<std::mutex> lock(mu_);
    sources_ = std::move(sources);
    attached_ = true;
  }
  void Detach() {
    std::lock_guard<std::mutex> lock(mu_);
    attached_ = false;
    sources_ = MetricsSources();
    overdue_.reset();
  }

  std::vector<MetricFamily> Collect() const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<MetricFamily> out;
    if (!attached_) return out;
    if (sources_.serving) {
      out.push_back(Single("serving", "1 while health reports SERVING, else 0.", MetricType::Gauge,
                           sources_.serving() ? 1 : 0));
    }
    if (sources_.engine != nullptr) CollectEngine(*sources_.engine, out);
    if (sources_.store != nullptr) CollectStore(*sources_.store, out);
    if (sources_.timers != nullptr) {
      out.push_back(Single("timers_fired_total", "Durable timers that fired and recorded an event.",
                           MetricType::Counter,
                           static_cast<double>(sources_.timers->fired_total())));
    }
    return out;
  }

 private:
  static void CollectEngine(const storage::Engine& engine, std::vector<MetricFamily>& out) {
    const storage::EngineStats stats = engine.stats();
    out.push_back(Single("engine_commands_total", "Commands the engine completed, any outcome.",
                         MetricType::Counter, static_cast<double>(stats.commands)));
    out.push_back(Single("engine_groups_total", "Group commits: synced writes of the engine.",
                         MetricType::Counter, static_cast<double>(stats.groups)));
    out.push_back(Single("engine_aborted_groups_total",
                         "Groups abandoned after an internal error (nothing written).",
                         MetricType::Counter, static_cast<double>(stats.aborted_groups)));
    out.push_back(Single("engine_replays_total",
                         "Retries answered from their request record, nothing written.",
                         MetricType::Counter, static_cast<double>(stats.replays)));
    out.push_back(Single("engine_state_cache_hits_total",
                         "States the writer found in its cache.", MetricType::Counter,
                         static_cast<double>(stats.cache_hits)));
    out.push_back(Single("engine_row_cache_hits_total",
                         "Rows a decision scanned that the writer held in its scanned ranges.",
                         MetricType::Counter, static_cast<double>(stats.row_cache_hits)));
    out.push_back(Single("engine_row_cache_misses_total",
                         "Rows a decision scanned that the writer read from the store.",
                         MetricType::Counter, static_cast<double>(stats.row_cache_misses)));
    out.push_back(Single("engine_row_cache_bytes",
                         "Memory of the index ranges the writer keeps (EngineOptions::"
                         "row_cache_bytes bounds it).",
                         MetricType::Gauge, static_cast<double>(stats.row_cache_bytes)));
    out.push_back(Single("engine_state_loads_total", "States the writer read from the store.",
                         MetricType::Counter, static_cast<double>(stats.state_loads)));
    out.push_back(Single("engine_queue_depth", "Commands waiting for the writer thread.",
                         MetricType::Gauge, static_cast<double>(engine.queued())));
    out.push_back(HistogramOf("engine_write_seconds",
                              "Each group commit's synced write (fsync included), in seconds.",
                              stats.write_seconds));
    out.push_back(HistogramOf("engine_group_commands", "Commands carried by each group commit.",
                              stats.group_commands));
    MetricFamily total = Family("engine_writer_hold_seconds_total",
                                "Writer time deciding and staging commands, by method.",
                                MetricType::Counter);
    MetricFamily longest = Family("engine_writer_hold_max_seconds",
                                  "The longest one command held the writer, by method.",
                                  MetricType::Gauge);
    for (const auto& [method, hold] : stats.holds) {
      AddValue(total, absl::ToDoubleSeconds(hold.total), {{"method", method}});
      AddValue(longest, absl::ToDoubleSeconds(hold.longest), {{"method", method}});
    }
    out.push_back(std::move(total));
    out.push_back(std::move(longest));
  }

  void CollectStore(const storage::EventStore& store, std::vector<MetricFamily>& out) const {
    const storage::StoreProperties p = store.Properties();
    auto gauge = [&out](std::string name, std::string help, double value) {
      out.push_back(Single(std::move(name), std::move(help), MetricType::Gauge, value));
    };
    gauge("store_free_disk_bytes", "Free bytes on the data directory's filesystem.",
          static_cast<double>(p.free_bytes));
    gauge("store_table_bytes", "Bytes of the data directory's live table files.",
          static_cast<double>(p.table_bytes));
    gauge("store_wal_bytes", "Bytes of RocksDB's live write-ahead log files.",
          static_cast<double>(p.wal_bytes));
    gauge("store_memtable_bytes", "Bytes of RocksDB's memtables, all column families.",
          static_cast<double>(p.memtable_bytes));
    gauge("store_block_cache_bytes", "Bytes of RocksDB's block cache in use.",
          static_cast<double>(p.block_cache_bytes));
    gauge("store_block_cache_capacity_bytes", "RocksDB's block cache capacity.",
          static_cast<double>(p.block_cache_capacity));
    gauge("store_table_readers_bytes",
          "Bytes of the open table files' index and filter blocks, held outside the block cache.",
          static_cast<double>(p.table_readers_bytes));
    // A readers' cache: its size, and the reads that found a value in it or
    // did not (storage/lru_cache.h).
    auto cache = [&](const std::string& name, const auto& kept, const char* bytes_help,
                     const char* hits_help, const char* misses_help) {
      gauge(absl::StrCat("store_", name, "_bytes"), bytes_help,
            static_cast<double>(kept.bytes()));
      out.push_back(Single(absl::StrCat("store_", name, "_hits_total"), hits_help,
                           MetricType::Counter, static_cast<double>(kept.hits())));
      out.push_back(Single(absl::StrCat("store_", name, "_misses_total"), misses_help,
                           MetricType::Counter, static_cast<double>(kept.misses())));
    };
    cache("opened_row_cache", store.opened_rows(),
          "Bytes of the readers' cache of opened sealed rows (stored and opened values).",
          "Sealed rows a read found opened in the readers' cache.",
          "Sealed rows a read looked for in the readers' cache and opened.");
    cache("parsed_row_cache", store.parsed_rows(),
          "Bytes counted by the readers' cache of parsed summary rows.",
          "Case summaries a read found parsed in the readers' cache.",
          "Case summaries a read looked for in the readers' cache and read.");
    if (privacy::Sealer* sealer = store.sealer()) {
      // Keys made ahead of need (privacy/key_store.h): a key made on demand
      // costs its command's group a second synced write.
      const privacy::KeyStore::Counts keys = sealer->keys().counts();
      gauge("key_store_pool_keys", "Subjects' keys made ahead of need and not yet given out.",
            static_cast<double>(keys.pool));
      out.push_back(Single("key_store_keys_from_pool_total",
                           "Subjects' keys given out from those made ahead of need.",
                           MetricType::Counter, static_cast<double>(keys.from_pool)));
      out.push_back(Single("key_store_keys_made_on_demand_total",
                           "Subjects' keys made when needed (none were made ahead): each cost its "
                           "group a synced write of the key store.",
                           MetricType::Counter, static_cast<double>(keys.outside_pool)));
      out.push_back(Single("key_store_pool_refills_total",
                           "Synced writes of the key store that made keys ahead of need.",
                           MetricType::Counter, static_cast<double>(keys.refills)));
    }
    gauge("store_pending_compaction_bytes",
          "Bytes RocksDB estimates its compactions must rewrite.",
          static_cast<double>(p.pending_compaction_bytes));
    gauge("store_running_compactions", "Compactions running.",
          static_cast<double>(p.running_compactions));
    gauge("store_writes_stopped", "1 while RocksDB stops writes (a write stall), else 0.",
          p.writes_stopped ? 1 : 0);
    gauge("store_delayed_write_rate_bytes",
          "The rate RocksDB slows writes to while it delays them, else 0.",
          static_cast<double>(p.delayed_write_rate));
    if (sources_.clock != nullptr) {
      absl::StatusOr<std::vector<std::pair<std::string, internal::TimerRecord>>> due =
          store.DueTimers(absl::ToUnixSeconds(sources_.clock->Now()), kMaxDueTimers);
      if (due.ok()) {
        gauge("timers_due", "Durable timers due and not yet fired (at most 10000 counted).",
              static_cast<double>(due->size()));
      }
    }
    // Counting reads up to kMaxDeadlineRows rows: done at most once per
    // kOverdueEvery, whatever the scrape rate.
    const auto now = std::chrono::steady_clock::now();
    if (!overdue_.has_value() || now - overdue_at_ >= kOverdueEvery) {
      overdue_ = CountOverdue(store);
      overdue_at_ = now;
    }
    out.push_back(*overdue_);
  }

  // deadlines/{p}/overdue/{due}/{stream}#{name}: counted by partnership
  // and the stream's collection, one partnership at a time.
  static MetricFamily CountOverdue(const storage::EventStore& store) {
    MetricFamily family =
        Family("deadlines_overdue",
               "Statutory and case deadlines past due, not yet met (counted at most every 30 s).",
               MetricType::Gauge);
    std::map<std::pair<std::string, std::string>, double> counts;
    int read = 0;
    std::string after;
    while (read < kMaxDeadlineRows) {
      absl::StatusOr<std::vector<storage::StoredRow>> next =
          store.ScanRows("deadlines/", after, 1);
      if (!next.ok() || next->empty()) break;
      std::vector<absl::string_view> parts = absl::StrSplit(next->front().key, '/');
      if (parts.size() < 2) break;
      const std::string partnership(parts[1]);
      const std::string prefix = absl::StrCat("deadlines/", partnership, "/overdue/");
      std::string page_after;
      for (;;) {
        absl::StatusOr<std::vector<storage::StoredRow>> rows =
            store.ScanRows(prefix, page_after, 1000);
        if (!rows.ok() || rows->empty()) break;
        for (const storage::StoredRow& row : *rows) {
          // {due}/partnerships/{p}/{collection}/{n}#{name}
          std::vector<absl::string_view> key =
              absl::StrSplit(absl::string_view(row.key).substr(prefix.size()), '/');
          counts[{partnership, key.size() > 3 ? std::string(key[3]) : "other"}] += 1;
        }
        read += static_cast<int>(rows->size());
        page_after = rows->back().key;
        if (rows->size() < 1000 || read >= kMaxDeadlineRows) break;
      }
      after = absl::StrCat("deadlines/", partnership, "/\xff");
    }
    for (const auto& [key, count] : counts) {
      AddValue(family, count, {{"partnership", key.first}, {"collection", key.second}});
    }
    return family;
  }

  static constexpr std::chrono::seconds kOverdueEvery{30};

  mutable std::mutex mu_;
  mutable std::optional<MetricFamily> overdue_;  // the last count, guarded by mu_
  mutable std::chrono::steady_clock::time_point overdue_at_;
  bool attached_ = false;
  MetricsSources sources_;
};

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(const std::string& listen) {
  std::unique_ptr<Metrics> metrics(new Metrics());
  metrics->registry_ = std::make_shared<prometheus::Registry>();
  metrics->collector_ = std::make_shared<Collector>();
  metrics->known_methods_ = KnownMethods();
  metrics->calls_ = &prometheus::BuildCounter()
                         .Name("casework_calls_total")
                         .Help("gRPC calls finished, by method and status code.")
                         .Register(*metrics->registry_);
  metrics->durations_ = &prometheus::BuildHistogram()
                             .Name("casework_call_duration_seconds")
                             .Help("How long gRPC calls took, by method, in seconds.")
                             .Register(*metrics->registry_);
  try {
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return ErrorWithReason(absl::StatusCode::kUnavailable, "METRICS_LISTEN_FAILED",
                           absl::StrCat("cannot serve metrics on ", listen, ": ", e.what(),
                                        "; choose another --metrics_listen"));
  }
  const std::vector<int> ports = metrics->exposer_->GetListeningPorts();
  metrics->port_ = ports.empty() ? 0 : ports.front();
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  metrics->exposer_->RegisterCollectable(metrics->collector_);
  return metrics;
}

Metrics::~Metrics() {
  Detach();
  exposer_.reset();  // stops serving before the registry and collector go
}

void Metrics::ObserveCall(const std::string& method, grpc::StatusCode code,
                          absl::Duration latency) {
  static const std::string kOther = "other";
  const std::string& name = known_methods_.count(method) > 0 ? method : kOther;
  calls_->Add({{"method", name}, {"code", CodeName(code)}}).Increment();
  durations_
      ->Add({{"method", name}},
            prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})
      .Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::Attach(MetricsSources sources) { collector_->Attach(std::move(sources)); }
void Metrics::Detach() {
  if (collector_ != nullptr) collector_->Detach();
}

}  // namespace casework::services
