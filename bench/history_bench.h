// What a long history costs:
//
// * growth: the writer hold of RecordProgress on an action that already has
//   about 10, 100, 1,000 and 10,000 events, through an in-process engine
//   (bench/in_process.h). A command should cost the same whatever the
//   stream's length: growth_ratio = mean hold at 10,000 / mean hold at 10.
// * notes: one action given 1,100 progress notes of 4,000 characters through
//   a caseworkd child: the size of its data directory on disk (after the
//   clean stop, which flushes the memtables, and again after a full
//   compaction) and the sizes of the RecordProgress and GetAction replies.
#ifndef CASEWORK_BENCH_HISTORY_BENCH_H_
#define CASEWORK_BENCH_HISTORY_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace casework::bench {

struct GrowthPoint {
  int target_events = 0;       // 10, 100, 1000, 10000
  double mean_events = 0;      // stream version before the measured commands
  int actions = 0;             // actions measured round-robin
  int measured = 0;            // RecordProgress commands measured, one at a time
  double hold_mean_us = 0;     // writer hold
  double hold_median_us = 0;
  double hold_max_us = 0;
  double reply_median_us = 0;  // Submit to reply (WAL not synced)
};

struct GrowthFigures {
  std::vector<GrowthPoint> points;
  double growth_ratio = 0;  // hold_mean_us at 10,000 / at 10
  double setup_s = 0;       // filling the streams
};

// In the fresh directory `dir`.
absl::StatusOr<GrowthFigures> MeasureGrowth(const std::string& dir);

struct NotesFigures {
  int notes = 0;
  int note_chars = 0;
  double record_s = 0;                  // recording them, one call after another
  uint64_t progress_reply_bytes = 0;    // the last RecordProgress reply
  uint64_t get_reply_bytes = 0;         // GetAction after the last note
  uint64_t notes_page_bytes = 0;        // ListActionNotes, first page of the default size
  int notes_page_size = 0;
  uint64_t stopped_bytes = 0;           // data directory after caseworkd's clean stop
  uint64_t compacted_bytes = 0;         // after a full compaction
  double compact_s = 0;
};

// Starts `caseworkd` on the fresh directory `dir` (WAL synced as `sync`
// says), records the notes, reads the action, stops it, measures the
// directory, compacts it and measures again.
absl::StatusOr<NotesFigures> MeasureNotes(const std::string& caseworkd, const std::string& dir,
                                          bool sync);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_HISTORY_BENCH_H_
