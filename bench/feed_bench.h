// What the event feed costs writers: the same closed loop of `calls`
// CreateAction commands (64 in flight) into a fresh caseworkd, after a
// warm-up of half as many, first with no subscriber, then while a
// subscriber that stopped reading holds a Subscribe call open
// (EventService.Subscribe), then with none again. A subscriber must cost
// writers nothing and hold at most one batch in the server: the figures are
// the writers' throughput with the subscriber against the mean of the runs
// without (ratio target >= 0.9) and caseworkd's peak RSS in each run: the
// subscriber's run less the run before it is an upper bound of what the
// subscriber holds (memtables and caches still grow with the data, as the
// last run shows). Between the last two
// runs the stalled subscriber reads again and catches up from the log: how
// fast, and that it saw every event once, in order.
#ifndef CASEWORK_BENCH_FEED_BENCH_H_
#define CASEWORK_BENCH_FEED_BENCH_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "bench/load.h"

namespace casework::bench {

struct FeedFigures {
  uint64_t calls = 0;          // CreateAction calls in each run
  LevelResult alone;           // the writers with no subscriber
  LevelResult stalled;         // the same with a subscriber that reads nothing
  LevelResult alone_after;     // with none again
  double ratio = 0;            // stalled / the mean of alone and alone_after (ops/s)
  double rss_alone_mb = 0;     // caseworkd's peak RSS during each run
  double rss_stalled_mb = 0;
  double rss_alone_after_mb = 0;
  double rss_growth_mb = 0;    // rss_stalled_mb - rss_alone_mb: at most what the subscriber holds
  uint64_t caught_up_events = 0;  // what the subscriber read once it read again
  double catch_up_events_per_s = 0;
  bool in_order = false;       // every event once, positions strictly increasing
};

// A caseworkd from `caseworkd` in the fresh directory `dir`.
absl::StatusOr<FeedFigures> MeasureFeed(const std::string& caseworkd, const std::string& dir,
                                        bool sync, uint64_t calls);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_FEED_BENCH_H_
