// Printing casework-bench's report; see report.h.
#include "bench/report.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace casework::bench {
namespace {

std::string Fixed(double v, int decimals) { return absl::StrFormat("%.*f", decimals, v); }
std::string OrNa(const std::optional<double>& v, int decimals) {
  return v.has_value() ? Fixed(*v, decimals) : "na";
}
double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

}  // namespace

std::vector<MethodHold> ParseWriterHolds(const std::vector<std::string>& lines) {
  std::vector<MethodHold> holds;
  for (const std::string& line : lines) {
    const size_t at = line.find(kWriterHoldLine);
    if (at == std::string::npos) continue;
    MethodHold h;
    bool ok = true;
    int fields = 0;
    for (absl::string_view token : absl::StrSplit(
             absl::string_view(line).substr(at + std::strlen(kWriterHoldLine)), ' ',
             absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(token, absl::MaxSplits('=', 1));
      if (kv.first == "method") {
        h.method = std::string(kv.second);
      } else if (kv.first == "commands") {
        ok &= absl::SimpleAtoi(kv.second, &h.commands);
      } else if (kv.first == "mean_us") {
        ok &= absl::SimpleAtod(kv.second, &h.mean_us);
      } else if (kv.first == "max_us") {
        ok &= absl::SimpleAtod(kv.second, &h.max_us);
      } else {
        continue;
      }
      ++fields;
    }
    if (ok && fields == 4 && !h.method.empty()) holds.push_back(std::move(h));
  }
  std::sort(holds.begin(), holds.end(),
            [](const MethodHold& a, const MethodHold& b) { return a.max_us > b.max_us; });
  return holds;
}

void PrintReport(const Report& report) {
  const Settings& s = report.settings;
  absl::PrintF(
      "casework-bench mode=%s sync=%s seal=%s duration=%s warmup=%s in_flight=%s%s%s\n", s.mode,
      s.sync ? "on" : "off", s.seal ? "on" : "off", absl::FormatDuration(s.duration), absl::FormatDuration(s.warmup),
      absl::StrJoin(s.in_flight, ","), s.target.empty() ? "" : absl::StrCat(" target=", s.target),
      s.mix.empty() ? "" : absl::StrCat(" mix=", s.mix));
  absl::PrintF("machine: %s\n\n", report.machine);

  // Levels measured on all three servers (fewer than asked if one failed).
  size_t complete = report.servers.size() == 3 ? s.in_flight.size() : 0;
  for (const Server& server : report.servers) complete = std::min(complete, server.levels.size());
  const bool loaded = complete == s.in_flight.size() && complete > 0;
  if (!report.servers.empty()) {
    absl::PrintF("Closed-loop load: same client and levels for every server (latency in ms)\n");
    absl::PrintF("%-14s %9s %9s %7s %7s %7s %7s %6s %8s %8s %9s %8s %9s\n", "server", "in_flight",
                 "ops/s", "p50", "p90", "p99", "p99.9", "errors",
                 report.rss_per_level ? "peak_rss" : "rss_hwm", "srv_cpu", "srv_us/op", "cli_cpu",
                 "other_cpu");
    for (size_t i = 0; i < s.in_flight.size(); ++i) {
      for (const Server& server : report.servers) {
        if (i >= server.levels.size()) continue;
        const LevelResult& l = server.levels[i];
        const ProcessFigures& f = server.figures[i];
        std::optional<double> us_per_op;
        if (f.server_cores && l.calls_per_s > 0) us_per_op = *f.server_cores / l.calls_per_s * 1e6;
        absl::PrintF("%-14s %9d %9.0f %7.2f %7.2f %7.2f %7.2f %6d %8s %8s %9s %8s %9s\n",
                     server.name, l.in_flight, l.calls_per_s, l.latency.p50_ms, l.latency.p90_ms,
                     l.latency.p99_ms, l.latency.p999_ms, l.errors, OrNa(f.peak_rss_mb, 1),
                     OrNa(f.server_cores, 2), OrNa(us_per_op, 0), OrNa(f.client_cores, 2),
                     OrNa(f.other_cores, 2));
      }
    }
    absl::PrintF(
        "(peak_rss in MB; srv_cpu, cli_cpu, other_cpu: CPU seconds per second used by the "
        "server,\n this client and every other process of the machine; srv_us/op: server CPU "
        "microseconds per call)\n");
    for (const Server& server : report.servers) {
      for (const LevelResult& l : server.levels) {
        for (const std::string& e : l.error_samples) {
          absl::PrintF("error: %s at %d in flight: %s\n", server.name, l.in_flight, e);
        }
      }
    }
  }
  if (complete > 0) {
    absl::PrintF("\nEngine throughput as a ratio of each baseline at the same level\n");
    absl::PrintF("%9s %9s %17s\n", "in_flight", "vs_echo", "vs_batched_write");
    for (size_t i = 0; i < complete; ++i) {
      const double engine = report.engine().levels[i].calls_per_s;
      absl::PrintF("%9d %9.3f %17.3f\n", s.in_flight[i],
                   Ratio(engine, report.echo().levels[i].calls_per_s),
                   Ratio(engine, report.batched_write().levels[i].calls_per_s));
    }
    const LevelResult& top = report.engine().levels[complete - 1];
    absl::PrintF("\nEngine operations at %d in flight (latency in ms)\n", top.in_flight);
    absl::PrintF("%-18s %6s %9s %8s %8s %8s %7s\n", "operation", "weight", "ops/s", "p50", "p99",
                 "max", "errors");
    for (const OperationResult& op : top.operations) {
      absl::PrintF("%-18s %6d %9.0f %8.2f %8.2f %8.2f %7d\n", op.name, op.weight,
                   top.seconds > 0 ? static_cast<double>(op.ok_calls) / top.seconds : 0,
                   op.latency.p50_ms, op.latency.p99_ms, op.latency.max_ms, op.errors);
    }
    absl::PrintF(
        "(whole run: %d complaints sent, %d case reviews received, %d taken to their last step)\n",
        report.complaints_sent, report.reviews_received, report.reviews_finished);
    for (const auto& [operation, n] : report.fallbacks) {
      absl::PrintF("note: %d %s calls found no case review to work on and received one instead\n",
                   n, operation);
    }
  }

  // caseworkd's writer holds, whole run (seeding and warm-ups included).
  std::optional<double> writer_max_hold_ms;
  if (report.holds.has_value()) {
    absl::PrintF("\nWriter thread hold per command type, whole run (from caseworkd at its stop)\n");
    absl::PrintF("%-58s %9s %9s %9s\n", "method", "commands", "mean_us", "max_us");
    for (const MethodHold& h : *report.holds) {
      absl::PrintF("%-58s %9d %9.1f %9.1f\n", h.method, h.commands, h.mean_us, h.max_us);
      writer_max_hold_ms = std::max(writer_max_hold_ms.value_or(0.0), h.max_us / 1000.0);
    }
  } else {
    absl::PrintF("\nWriter thread hold per command type: na (%s)\n",
                 s.target.empty() ? "caseworkd printed no writer hold lines at its stop"
                                  : "caseworkd is not stopped by the bench with --target");
  }

  if (report.storage.has_value()) {
    const StorageFigures& f = *report.storage;
    absl::PrintF("\nData directory: %d events in %d streams\n", f.replay.events, f.replay.streams);
    absl::PrintF(
        "generate  %.1f s, %.0f events/s (in-process engine, WAL not synced; %d commands in %d "
        "groups, %.1f per group)\n",
        f.log.seconds, Ratio(static_cast<double>(f.log.events), f.log.seconds),
        f.log.stats.commands, f.log.stats.groups,
        Ratio(static_cast<double>(f.log.stats.commands), static_cast<double>(f.log.stats.groups)));
    absl::PrintF(
        "replay    ComputeDerived %.2f s = %.0f events/s (%d read-model rows; open %.0f ms)\n",
        f.replay.seconds, f.replay.events_per_s, f.replay.rows, f.replay.open_ms);
    absl::PrintF("restart   caseworkd serving after %.0f ms, first GetAction after %.0f ms\n",
                 f.restart.serving_ms, f.restart.first_get_ms);
    if (f.rebuild.has_value()) {
      absl::PrintF(
          "rebuild   RebuildDerived %.2f s = %.0f events/s (the fold, then every row, timer "
          "and long stream's state record written; the rows were deleted first)\n",
          f.rebuild->seconds, f.rebuild->events_per_s);
    }
    if (f.backup.has_value()) {
      absl::PrintF(
          "backup    %.0f MB backed up in %.2f s (%.1f s/GB), restored in %.2f s (%.1f s/GB)\n",
          f.backup->mb, f.backup->backup_seconds, f.backup->backup_s_per_gb,
          f.backup->restore_seconds, f.backup->restore_s_per_gb);
    }
    if (f.transfer.has_value()) {
      absl::PrintF(
          "transfer  one partnership's %d events (%.0f MB file): exported in %.2f s, imported "
          "into an empty directory in %.2f s = %.0f events/s (write, rebuild, check against "
          "the file)\n",
          f.transfer->events, f.transfer->file_mb, f.transfer->export_seconds,
          f.transfer->import_seconds, f.transfer->import_events_per_s);
    }
  }

  if (report.growth.has_value()) {
    const GrowthFigures& g = *report.growth;
    absl::PrintF(
        "\nHistory growth: RecordProgress on one action, writer hold by the action's length "
        "(in-process engine; streams filled in %.1f s)\n",
        g.setup_s);
    absl::PrintF("%8s %11s %8s %9s %12s %14s %11s %15s\n", "events", "mean_events", "actions",
                 "measured", "hold_mean_us", "hold_median_us", "hold_max_us", "reply_median_us");
    for (const GrowthPoint& p : g.points) {
      absl::PrintF("%8d %11.0f %8d %9d %12.1f %14.1f %11.1f %15.1f\n", p.target_events,
                   p.mean_events, p.actions, p.measured, p.hold_mean_us, p.hold_median_us,
                   p.hold_max_us, p.reply_median_us);
    }
    absl::PrintF("growth_ratio = hold_mean at 10,000 / at 10 = %.2f\n", g.growth_ratio);
  }

  if (report.ledger.has_value()) {
    const LedgerFigures& l = *report.ledger;
    absl::PrintF(
        "\nComplaint ledger (in-process engine, WAL %s; ledgers recorded in %.1f s, then the "
        "data directory reopened)\n",
        s.sync ? "synced" : "not synced", l.setup_s);
    absl::PrintF(
        "threshold evaluation, applicant with %d complaints, %d inside the window: writer hold "
        "%.3f ms median of %d (max %.3f), reply %.2f ms; rule %s\n",
        l.applicant_complaints, l.applicant_in_window, l.eval_hold_median_ms, l.evaluations,
        l.eval_hold_max_ms, l.eval_reply_median_ms, l.eval_rule);
    absl::PrintF("intake (RecordComplaint) for that complainant: writer hold %.1f us mean of %d "
                 "(max %.1f)\n",
                 l.intake_hold_mean_us, l.intakes, l.intake_hold_max_us);
    absl::PrintF(
        "community rule, locality with %d complaints over 5 years (%d inside the window): writer "
        "hold %.1f ms median of %d (max %.1f); rule %s\n",
        l.locality_complaints, l.locality_in_window, l.community_hold_median_ms,
        l.community_evaluations, l.community_hold_max_ms, l.community_rule);
    absl::PrintF(
        "  an unrelated CreateAction submitted 1 ms into it waited %.1f ms median for its reply "
        "(max %.1f)\n",
        l.unrelated_wait_median_ms, l.unrelated_wait_max_ms);
  }

  if (report.sealing.has_value()) {
    const SealingFigures& z = *report.sealing;
    absl::PrintF(
        "\nSealing personal data (in-process engines, WAL %s; %d complaints recorded in groups, "
        "then %d alone)\n",
        s.sync ? "synced" : "not synced", z.complaints, z.singles);
    absl::PrintF("%-8s %14s %14s %16s %10s\n", "", "intake/s", "hold_mean_us", "log_read_ev/s",
                 "data_MB");
    absl::PrintF("%-8s %14.0f %14.1f %16.0f %10.1f\n", "plain", z.plain.intake_per_s,
                 z.plain.hold_mean_us, z.plain.scan_events_per_s, z.plain.data_mb);
    absl::PrintF("%-8s %14.0f %14.1f %16.0f %10.1f\n", "sealed", z.sealed.intake_per_s,
                 z.sealed.hold_mean_us, z.sealed.scan_events_per_s, z.sealed.data_mb);
    absl::PrintF("sealed/plain: intake %.2f, hold %.2f, log read %.2f; erasing a complainant "
                 "with %d complaints: %.1f ms\n",
                 z.sealed.intake_per_s / z.plain.intake_per_s,
                 z.sealed.hold_mean_us / z.plain.hold_mean_us,
                 z.sealed.scan_events_per_s / z.plain.scan_events_per_s, z.erased_complaints,
                 z.erase_ms);
  }

  if (report.notes.has_value()) {
    const NotesFigures& n = *report.notes;
    absl::PrintF(
        "\nAction with %d notes of %d characters (through caseworkd, recorded in %.1f s)\n",
        n.notes, n.note_chars, n.record_s);
    absl::PrintF(
        "data directory %.1f MB after caseworkd's clean stop (memtables flushed), %.1f MB after "
        "a full compaction (%.1f s)\n",
        n.stopped_bytes / 1e6, n.compacted_bytes / 1e6, n.compact_s);
    absl::PrintF(
        "replies: RecordProgress %.1f KB, GetAction %.1f KB, ListActionNotes first page (%d "
        "notes) %.1f KB\n",
        n.progress_reply_bytes / 1e3, n.get_reply_bytes / 1e3, n.notes_page_size,
        n.notes_page_bytes / 1e3);
  }
  std::optional<double> audit_ratio, tls_ratio;
  if (report.security.has_value()) {
    const SecurityFigures& sec = *report.security;
    absl::PrintF("\nSecurity: GetAction alone at %d in flight, the same run\n",
                 sec.runs.empty() ? 0 : sec.runs[0].level.in_flight);
    absl::PrintF("%-30s %9s %8s %8s %8s %7s\n", "caller", "ops/s", "p50", "p90", "p99", "errors");
    for (const SecurityRun& run : sec.runs) {
      absl::PrintF("%-30s %9.0f %8.2f %8.2f %8.2f %7d\n", run.name, run.level.calls_per_s,
                   run.level.latency.p50_ms, run.level.latency.p90_ms, run.level.latency.p99_ms,
                   run.level.errors);
    }
    audit_ratio = sec.audit_ratio;
    tls_ratio = sec.tls_ratio;
    absl::PrintF("audited reads at %.3f of unaudited; mutual TLS at %.3f of plaintext\n",
                 sec.audit_ratio, sec.tls_ratio);
  }
  std::optional<double> feed_ratio, feed_rss_growth;
  if (report.feed.has_value()) {
    const FeedFigures& feed = *report.feed;
    absl::PrintF("\nEvent feed: %d CreateAction calls at %d in flight each run (after a "
                 "warm-up), alone, with a subscriber that stopped reading, alone again\n",
                 feed.calls, feed.alone.in_flight);
    absl::PrintF("%-30s %9s %8s %8s %8s %9s\n", "writers", "ops/s", "p50", "p99", "errors",
                 "peak RSS");
    auto row = [](const char* name, const LevelResult& level, double rss) {
      absl::PrintF("%-30s %9.0f %8.2f %8.2f %8d %6.1f MB\n", name, level.calls_per_s,
                   level.latency.p50_ms, level.latency.p99_ms, level.errors, rss);
    };
    row("alone", feed.alone, feed.rss_alone_mb);
    row("with a stalled subscriber", feed.stalled, feed.rss_stalled_mb);
    row("alone again", feed.alone_after, feed.rss_alone_after_mb);
    absl::PrintF("the subscriber then caught up %d events at %.0f events/s, %s\n",
                 feed.caught_up_events,
                 feed.catch_up_events_per_s,
                 feed.in_order ? "each once, in order" : "NOT each once in order");
    feed_ratio = feed.ratio;
    feed_rss_growth = feed.rss_growth_mb;
    if (!feed.in_order) feed_ratio = 0;
  }
  std::optional<double> outbox_in_process_us, outbox_grpc_us;
  if (report.outbox.has_value()) {
    const OutboxFigures& o = *report.outbox;
    absl::PrintF("\nOutbox: %d recommendations referred to a panel, delivered one after another "
                 "(ReceiveRecommendation, then LinkPanelReferral)\n",
                 o.messages);
    absl::PrintF("%-40s %10.0f us per delivery\n", "in-process (all-in-one)", o.in_process_us);
    absl::PrintF("%-40s %10.0f us per delivery (%.2fx)\n", "over gRPC (panels in another server)",
                 o.grpc_us, o.ratio);
    outbox_in_process_us = o.in_process_us;
    outbox_grpc_us = o.grpc_us;
  }
  for (const std::string& failure : report.failures) absl::PrintF("FAILED: %s\n", failure);

  // The summary, always the last line, always with every key ("na" when a
  // figure could not be measured).
  std::optional<double> engine, p50, p99, p999, echo, batched, ratio_echo, ratio_batched, rss;
  std::optional<double> p50_at_one;
  std::string in_flight = absl::StrCat(s.in_flight.back()), target_met = "na";
  for (size_t i = 0; i < complete; ++i) {
    if (s.in_flight[i] == 1) p50_at_one = report.engine().levels[i].latency.p50_ms;
  }
  if (loaded) {
    const LevelResult& e = report.engine().levels.back();
    engine = e.calls_per_s;
    p50 = e.latency.p50_ms;
    p99 = e.latency.p99_ms;
    p999 = e.latency.p999_ms;
    echo = report.echo().levels.back().calls_per_s;
    batched = report.batched_write().levels.back().calls_per_s;
    ratio_echo = Ratio(*engine, *echo);
    ratio_batched = Ratio(*engine, *batched);
    rss = report.engine().figures.back().peak_rss_mb;
    const bool met = *ratio_batched >= kTargetRatioVsBatchedWrite && *p99 < kTargetP99Ms;
    target_met = met ? "yes" : "no";
  }
  const std::optional<StorageFigures>& f = report.storage;
  std::optional<double> replay_events, replay_rate, restart_serving, restart;
  if (f) {
    replay_events = static_cast<double>(f->replay.events);
    replay_rate = f->replay.events_per_s;
    restart_serving = f->restart.serving_ms;
    restart = f->restart.first_get_ms;
  }
  std::optional<double> growth_ratio, threshold_eval_ms, intake_us, community_ms, unrelated_ms;
  if (report.growth) growth_ratio = report.growth->growth_ratio;
  if (report.ledger) {
    threshold_eval_ms = report.ledger->eval_hold_median_ms;
    intake_us = report.ledger->intake_hold_mean_us;
    community_ms = report.ledger->community_hold_median_ms;
    unrelated_ms = report.ledger->unrelated_wait_median_ms;
  }
  std::optional<double> sealing_intake_ratio;
  if (report.sealing) {
    sealing_intake_ratio = report.sealing->sealed.intake_per_s / report.sealing->plain.intake_per_s;
  }
  std::optional<double> notes_mb, progress_kb, get_kb;
  if (report.notes) {
    notes_mb = report.notes->stopped_bytes / 1e6;
    progress_kb = report.notes->progress_reply_bytes / 1e3;
    get_kb = report.notes->get_reply_bytes / 1e3;
  }

  // Every figure against its target.
  struct Target {
    std::string figure;
    std::optional<double> value;
    bool at_least;  // true: value >= limit; false: value < limit (<= for growth)
    double limit;
    int decimals;
    std::string note;
  };
  const std::string top = absl::StrCat(in_flight, " in flight");
  const std::vector<Target> targets = {
      {absl::StrCat("ratio_vs_batched_write at ", top), ratio_batched, true,
       kTargetRatioVsBatchedWrite, 3, ""},
      {absl::StrCat("p99_ms at ", top), p99, false, kTargetP99Ms, 2, ""},
      {"p50_ms at 1 in flight", p50_at_one, false, kTargetP50AtOneMs, 2, ""},
      {"growth_ratio (RecordProgress hold, 10,000 / 10 events)", growth_ratio, false,
       kTargetGrowthRatio, 2, ""},
      {"threshold_eval_ms (writer hold, 10,000 complaints)", threshold_eval_ms, false,
       kTargetThresholdEvalMs, 3, ""},
      {"community rule evaluation ms (writer hold, 100,000)", community_ms, false,
       kTargetCommunityEvalMs, 1,
       unrelated_ms ? absl::StrFormat("unrelated write waited %.1f ms", *unrelated_ms) : ""},
      {"intake_writer_us (RecordComplaint, 10,000 complaints)", intake_us, false, kTargetIntakeUs,
       1, ""},
      {"notes data directory MB (1,100 x 4,000 chars)", notes_mb, false, kTargetNotesDirMb, 1,
       report.notes ? absl::StrFormat("%.1f MB compacted", report.notes->compacted_bytes / 1e6)
                    : ""},
      {"RecordProgress reply KB (1,100 notes)", progress_kb, false, kTargetReplyKb, 1, ""},
      {"GetAction reply KB (1,100 notes)", get_kb, false, kTargetReplyKb, 1, ""},
      {"replay_events_per_s", replay_rate, true, kTargetReplayEventsPerS, 0,
       replay_events ? absl::StrFormat("%.0f events%s", *replay_events,
                                       *replay_events < 1000000 ? " (target is for 1M: full mode)"
                                                                : "")
                     : ""},
      {"restart_serving_ms", restart_serving, false, kTargetRestartServingMs, 0,
       replay_events && *replay_events < 1000000 ? "fewer than 1M events (full mode)" : ""},
      {absl::StrCat("peak RSS MB at ", top), rss, false, kTargetRssMb, 1, ""},
      {"feed: writers with a stalled subscriber / alone", feed_ratio, true, kTargetFeedRatio, 3,
       ""},
      {"feed: peak RSS MB, stalled subscriber's run less the one before", feed_rss_growth, false,
       kTargetFeedRssGrowthMb, 1, ""},
  };
  absl::PrintF("\nTargets\n");
  absl::PrintF("%-58s %12s %12s  %s\n", "figure", "target", "measured", "verdict");
  for (const Target& t : targets) {
    const std::string limit =
        absl::StrCat(t.at_least ? ">= " : (t.limit == kTargetGrowthRatio ? "<= " : "< "),
                     Fixed(t.limit, t.decimals));
    std::string verdict = "na";
    if (t.value.has_value()) {
      const double v = *t.value;
      const bool met = t.at_least ? v >= t.limit
                                  : (t.limit == kTargetGrowthRatio ? v <= t.limit : v < t.limit);
      if (met) {
        verdict = "met";
      } else if (t.at_least) {
        verdict = v > 0 ? absl::StrFormat("MISSED: %.1f%% of the target (needs %.2fx)",
                                          100 * v / t.limit, t.limit / v)
                        : "MISSED";
      } else {
        verdict = absl::StrFormat("MISSED: %.2fx the limit (%s over)", v / t.limit,
                                  Fixed(v - t.limit, t.decimals));
      }
    }
    if (!t.note.empty()) absl::StrAppend(&verdict, "; ", t.note);
    absl::PrintF("%-58s %12s %12s  %s\n", t.figure, limit, OrNa(t.value, t.decimals), verdict);
  }
  absl::PrintF("%-58s %12s %12s  %s\n", "writer_max_hold_ms (caseworkd, any method)", "-",
               OrNa(writer_max_hold_ms, 2), "reported, no target");
  if (loaded) {
    absl::PrintF(
        "\nDESIGN TARGET at %s in flight: ratio_vs_batched_write >= %.1f and p99 < %.0f ms: %s "
        "(%.3f, %.2f ms)\n",
        in_flight, kTargetRatioVsBatchedWrite, kTargetP99Ms, target_met == "yes" ? "MET" : "MISSED",
        *ratio_batched, *p99);
  }

  const std::vector<std::pair<std::string, std::string>> kv = {
      {"mode", s.mode},
      {"in_flight", in_flight},
      {"engine_ops_per_s", OrNa(engine, 0)},
      {"p50_ms", OrNa(p50, 2)},
      {"p99_ms", OrNa(p99, 2)},
      {"p999_ms", OrNa(p999, 2)},
      {"echo_ops_per_s", OrNa(echo, 0)},
      {"batched_write_ops_per_s", OrNa(batched, 0)},
      {"ratio_vs_echo", OrNa(ratio_echo, 3)},
      {"ratio_vs_batched_write", OrNa(ratio_batched, 3)},
      {"rss_mb", OrNa(rss, 1)},
      {"target_met", target_met},
      {"replay_events", OrNa(replay_events, 0)},
      {"replay_events_per_s", OrNa(replay_rate, 0)},
      {"restart_serving_ms", OrNa(restart_serving, 0)},
      {"restart_ms", OrNa(restart, 0)},
      {"threshold_eval_ms", OrNa(threshold_eval_ms, 3)},
      {"growth_ratio", OrNa(growth_ratio, 2)},
      {"intake_writer_us", OrNa(intake_us, 1)},
      {"writer_max_hold_ms", OrNa(writer_max_hold_ms, 2)},
      {"audit_read_ratio", OrNa(audit_ratio, 3)},
      {"tls_ratio", OrNa(tls_ratio, 3)},
      {"feed_writer_ratio", OrNa(feed_ratio, 3)},
      {"feed_rss_growth_mb", OrNa(feed_rss_growth, 1)},
      {"outbox_in_process_us", OrNa(outbox_in_process_us, 0)},
      {"outbox_grpc_us", OrNa(outbox_grpc_us, 0)},
      {"sealing_intake_ratio", OrNa(sealing_intake_ratio, 2)},
      {"sync", s.sync ? "on" : "off"},
      {"seal", s.seal ? "on" : "off"},
      {"errors", absl::StrCat(report.errors())},
      {"failures", absl::StrCat(report.failures.size())},
  };
  absl::PrintF("%s\n", absl::StrJoin(kv, " ", absl::PairFormatter("=")));
}

}  // namespace casework::bench
