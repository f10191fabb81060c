// caseworkd: the casework gRPC server.
//
// main() is the only place the world is built: flags are read, the server is
// started, the demo partnership is loaded if asked, and SIGTERM/SIGINT stop it
// gracefully (health NOT_SERVING for --drain_notice_seconds, stop accepting,
// finish in-flight commands, close the data directory, exit 0).
//
// Exit codes: 0 stopped cleanly (or --verify found nothing); 1 --verify or
// --rebuild found problems, or another failure; 2 bad command line; 3 the
// data directory cannot be used (locked by another process, not a directory,
// no permission, damaged, another format); 4 not enough free disk space;
// 5 cannot listen (address in use or not loopback). Every failure prints one
// line "caseworkd: ..." naming the cause.
#include <signal.h>

#include <algorithm>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "casework/v1/errors.pb.h"
#include "privacy/cipher.h"
#include "privacy/key_store.h"
#include "privacy/sealer.h"
#include "services/demo.h"
#include "services/hosting.h"
#include "services/server.h"
#include "services/transport.h"
#include "storage/clock.h"
#include "storage/backup.h"
#include "storage/rebuild.h"
#include "workflow/common/status.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "HOST:PORT to serve gRPC on. Without mutual TLS (--tls_*) it must be a loopback "
          "address: callers then identify themselves through request metadata alone.");
ABSL_FLAG(std::string, tls_cert, "",
          "Mutual TLS: the server's certificate chain (PEM). With --tls_key, --tls_client_ca "
          "and --tls_agencies; all four or none.");
ABSL_FLAG(std::string, tls_key, "", "Mutual TLS: the server's private key (PEM).");
ABSL_FLAG(std::string, tls_client_ca, "",
          "Mutual TLS: the partnership CA (PEM) that signs calling systems' certificates; a "
          "connection without a certificate it signed is refused.");
ABSL_FLAG(std::string, jwks, "",
          "People's bearer tokens (needs mutual TLS): the identity provider's public keys, a "
          "JWKS file (RSA or P-256 EC keys, each with a kid), reloaded on SIGHUP. With "
          "--token_issuer and --token_audience.");
ABSL_FLAG(std::string, token_issuer, "", "The iss every bearer token must carry.");
ABSL_FLAG(std::string, token_audience, "", "The aud every bearer token must carry.");
ABSL_FLAG(std::string, tls_agencies, "",
          "Mutual TLS: the agency map, one \"DNS-NAME AGENCY\" line per calling system (a DNS "
          "name in its certificate's subject alternative names, and the agency it acts for).");
ABSL_FLAG(std::string, data_dir, "", "RocksDB data directory (created if missing). Required.");
ABSL_FLAG(bool, sync, true,
          "Sync the write-ahead log before acknowledging a command. --nosync is for development "
          "only: a power cut or kernel crash may lose the last acknowledged commands.");
ABSL_FLAG(bool, request_log, true,
          "Write one JSON object per call to stderr (time, method, code, latency, peer, caller; "
          "caller-supplied values escaped and cut short).");
ABSL_FLAG(int, request_log_lines_per_second, 100,
          "Most request-log lines a second; lines beyond are dropped and counted in the next line "
          "(\"suppressed\").");
ABSL_FLAG(int, rate_limit_per_second, 50,
          "Calls a second each person or system (agency and user) may make, sustained; beyond "
          "it calls fail with RESOURCE_EXHAUSTED (reason RATE_LIMITED) and a RetryInfo saying "
          "when to try again. 0: no limit.");
ABSL_FLAG(int, rate_limit_burst, 200,
          "Calls each identity may make at once above the sustained rate.");
ABSL_FLAG(int64_t, min_free_disk_mb, 256,
          "Free-space floor, in MiB, of the data directory's filesystem. Below it writes are "
          "refused with UNAVAILABLE and health reports NOT_SERVING (reads keep working); writes "
          "resume by themselves once more than the floor plus an eighth is free. caseworkd does "
          "not start below it. 0 disables the floor.");
ABSL_FLAG(int64_t, max_data_mb, 0,
          "Cap, in MiB, on the data directory's table files (as RocksDB counts them); at the cap "
          "writes are refused as below the floor. 0: no cap.");
ABSL_FLAG(int64_t, request_retention_days, 30,
          "Days a request_id is remembered after its command: a retry within them answers with "
          "the first commit; after them it is a new command (complaint intake stays "
          "de-duplicated by its source reference for ever). 0: remembered for ever.");
ABSL_FLAG(int64_t, grpc_memory_mb, 512,
          "Memory, in MiB, gRPC may use for connections, their buffers and calls (resource "
          "quota).");
ABSL_FLAG(int, max_streams_per_connection, 32,
          "Calls at once on one client connection (HTTP/2 MAX_CONCURRENT_STREAMS).");
ABSL_FLAG(int, max_subscriptions_per_caller, 8,
          "Event feed subscriptions at once of one caller (agency and user); one more is "
          "refused with RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, max_subscriptions, 100,
          "Event feed subscriptions (EventService.Subscribe) at once; one more is refused "
          "with RESOURCE_EXHAUSTED. Each holds at most 256 events or 1 MiB. 0: none.");
ABSL_FLAG(int64_t, max_reply_backlog_mb, 64,
          "Most MiB of large replies (64 KiB and more) waiting for clients that have not read "
          "them; beyond it such calls fail with RESOURCE_EXHAUSTED.");
ABSL_FLAG(double, keepalive_seconds, 60,
          "Ping a connection after this long without traffic; close it if the ping is not "
          "answered within --keepalive_timeout_seconds.");
ABSL_FLAG(double, keepalive_timeout_seconds, 20, "See --keepalive_seconds.");
ABSL_FLAG(double, idle_timeout_seconds, 300, "Close a connection without calls after this long.");
ABSL_FLAG(double, drain_notice_seconds, 1,
          "On SIGTERM/SIGINT, how long health reports NOT_SERVING while calls (and new "
          "connections) are still served, before the server stops accepting calls. A second "
          "signal cuts it short.");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on (GET /metrics, plain HTTP), e.g. "
          "127.0.0.1:9464. Empty: no metrics endpoint. Keep it off public networks: it tells "
          "the load and the partnerships' overdue deadlines.");
ABSL_FLAG(std::string, backup_dir, "",
          "Where OperationsService.CreateBackup (casectl backup) writes online backups of the "
          "data directory. Empty: no backups. Keep it on another disk.");
ABSL_FLAG(int, backup_keep, 7, "Backups kept in --backup_dir; older ones are deleted. 0: all.");
ABSL_FLAG(std::string, backup, "",
          "Do not serve: back up the (stopped) data directory into this directory, keeping "
          "--backup_keep, then exit. A running server is backed up with casectl backup.");
ABSL_FLAG(std::string, restore_from, "",
          "Do not serve: restore a backup from this backup directory into --data_dir, which must "
          "not exist or be empty, verify it (as --verify), then exit.");
ABSL_FLAG(int, backup_id, 0, "With --restore_from: the backup to restore; 0: the latest.");
ABSL_FLAG(std::string, placement, "",
          "Many partnerships, many machines: a file placing each partnership on an instance, "
          "\"PARTNERSHIP INSTANCE HOST:PORT\" per line (docs/scaling.md). Calls for a "
          "partnership another instance holds are refused naming it. Empty: this instance holds "
          "every partnership. With --instance.");
ABSL_FLAG(std::string, instance, "", "With --placement: this instance's name in the file.");
ABSL_FLAG(bool, demo, false,
          "Load the demo partnership (fictional 'eastbrook' CSP) if it is not there yet.");
ABSL_FLAG(double, shutdown_grace_seconds, 10,
          "On SIGTERM/SIGINT, how long calls in flight may take to finish.");
ABSL_FLAG(std::vector<std::string>, services, {},
          "Split deployment: the workflow service groups this process hosts, comma separated: "
          "complaints, case-reviews (needs complaints), panels, death-reviews (needs actions), "
          "actions. Default: all. Every process also hosts the event feed, deadlines, the "
          "calendar, the policy, the audit log and the outbox of its own data. A call for a "
          "service not hosted gets UNIMPLEMENTED naming it (docs/deployment.md).");
ABSL_FLAG(std::vector<std::string>, peers, {},
          "Split deployment: where the groups this process does not host run, as "
          "GROUP=HOST:PORT pairs, comma separated (e.g. panels=127.0.0.1:50052). The outbox "
          "delivers commands for them there (with --link_key_file); under mutual TLS it "
          "connects with this server's certificate and trusts --tls_client_ca.");
ABSL_FLAG(std::string, link_key_file, "",
          "Split deployment: a file holding the deployment's link key (at least 32 "
          "characters, the same in every process). Calls carrying it run as the engine: "
          "they are the outbox deliveries between the processes. Keep it as secret as the "
          "TLS keys.");
ABSL_FLAG(std::string, master_key_file, "",
          "Personal data: a file holding the master key, 64 hexadecimal digits (`openssl rand "
          "-hex 32`), mode 0600. Personal fields are then sealed with their data subjects' "
          "keys, which the master key wraps (docs/data-protection.md). Keep it apart from the "
          "data directory and its backups.");
ABSL_FLAG(std::string, key_store, "",
          "Personal data: the key store directory (created if missing); default: the data "
          "directory's path followed by \".keys\". Back it up apart from the data directory.");
ABSL_FLAG(std::string, rotate_master_key, "",
          "Do not serve: rewrap every key in the key store with the master key in this file "
          "(the old one is --master_key_file), then exit. Start with the new file afterwards.");
ABSL_FLAG(bool, compact, false,
          "Do not serve: flush and compact every table of the data directory, so that deleted "
          "and overwritten values (an erased person's index entries) leave its files, then "
          "exit. RocksDB does the same over time by itself.");
ABSL_FLAG(bool, verify, false,
          "Do not serve: fold the whole log and compare stream indexes, states, read-model rows "
          "and timers with what is stored; print the differences; exit 0 if there are none, 1 "
          "otherwise. Run it on a stopped server's data directory.");
ABSL_FLAG(bool, rebuild, false,
          "Do not serve: recompute states, read-model rows and timers from the log and replace "
          "the stored ones, then exit. Run it on a stopped server's data directory.");

namespace {

constexpr int kExitOther = 1;
constexpr int kExitUsage = 2;
constexpr int kExitDataDir = 3;
constexpr int kExitNoSpace = 4;
constexpr int kExitListen = 5;

// The exit code for a failed start, from the error's reason.
int ExitCodeOf(const absl::Status& status) {
  std::string reason;
  if (auto payload = status.GetPayload(casework::TypeUrlOf(casework::v1::ErrorInfo()))) {
    casework::v1::ErrorInfo info;
    if (info.ParseFromString(std::string(*payload))) reason = info.reason();
  }
  if (reason == "DISK_SPACE_LOW") return kExitNoSpace;
  if (absl::StartsWith(reason, "DATA_DIR_") || absl::StartsWith(reason, "KEY_STORE_") ||
      absl::StartsWith(reason, "MASTER_KEY_") || absl::StartsWith(reason, "SEALED_DATA_")) {
    return kExitDataDir;
  }
  if (absl::StartsWith(reason, "LISTEN_") || reason == "METRICS_LISTEN_FAILED") return kExitListen;
  if (status.code() == absl::StatusCode::kInvalidArgument) return kExitUsage;
  return kExitOther;
}

// One line on stderr for a failed start; returns its exit code.
int StartFailed(const absl::Status& status) {
  std::fprintf(stderr, "caseworkd: cannot start: %s\n", std::string(status.message()).c_str());
  return ExitCodeOf(status);
}

uint64_t Mebibytes(int64_t mb) { return mb <= 0 ? 0 : static_cast<uint64_t>(mb) << 20; }

std::string KeyStorePath(const std::string& data_dir) {
  const std::string given = absl::GetFlag(FLAGS_key_store);
  return given.empty() ? casework::privacy::DefaultKeyStorePath(data_dir) : given;
}

// --rotate_master_key: rewraps the key store's keys, offline.
int RotateMasterKey(const std::string& data_dir) {
  if (absl::GetFlag(FLAGS_master_key_file).empty()) {
    std::fprintf(stderr, "caseworkd: --rotate_master_key needs the current key's file "
                         "(--master_key_file)\n");
    return kExitUsage;
  }
  absl::StatusOr<casework::privacy::MasterKey> old =
      casework::privacy::LoadMasterKey(absl::GetFlag(FLAGS_master_key_file));
  if (!old.ok()) return StartFailed(old.status());
  absl::StatusOr<casework::privacy::MasterKey> next =
      casework::privacy::LoadMasterKey(absl::GetFlag(FLAGS_rotate_master_key));
  if (!next.ok()) return StartFailed(next.status());
  absl::StatusOr<std::unique_ptr<casework::privacy::KeyStore>> keys =
      casework::privacy::KeyStore::Open(KeyStorePath(data_dir), *old);
  if (!keys.ok()) return StartFailed(keys.status());
  absl::StatusOr<int64_t> rotated = (*keys)->Rotate(*next);
  if (!rotated.ok()) return StartFailed(rotated.status());
  std::printf("rotated %lld keys from master key %s to %s; start with the new key's file\n",
              static_cast<long long>(*rotated), old->id.c_str(), next->id.c_str());
  return 0;
}

// --verify, --rebuild, --compact, --backup and --restore_from: offline
// maintenance of a data directory.
int Maintain(const std::string& data_dir, bool rebuild) {
  if (const std::string from = absl::GetFlag(FLAGS_restore_from); !from.empty()) {
    absl::StatusOr<casework::storage::BackupReport> restored = casework::storage::RestoreBackup(
        from, static_cast<uint32_t>(std::max(0, absl::GetFlag(FLAGS_backup_id))), data_dir);
    if (!restored.ok()) return StartFailed(restored.status());
    std::printf("restored backup %u (up to position %llu) into %s in %s; verifying\n",
                restored->id, static_cast<unsigned long long>(restored->last_position),
                data_dir.c_str(), absl::FormatDuration(restored->took).c_str());
  }
  casework::storage::StoreOptions options;
  options.path = data_dir;
  options.min_free_bytes = Mebibytes(absl::GetFlag(FLAGS_min_free_disk_mb));
  if (!absl::GetFlag(FLAGS_master_key_file).empty()) {
    absl::StatusOr<std::shared_ptr<casework::privacy::Sealer>> sealer =
        casework::privacy::OpenSealer(absl::GetFlag(FLAGS_master_key_file),
                                      KeyStorePath(data_dir));
    if (!sealer.ok()) return StartFailed(sealer.status());
    options.sealer = *std::move(sealer);
  }
  absl::StatusOr<std::unique_ptr<casework::storage::EventStore>> store =
      casework::storage::EventStore::Open(options);
  if (!store.ok()) return StartFailed(store.status());
  absl::TimeZone london;
  if (!absl::LoadTimeZone("Europe/London", &london)) {
    std::fprintf(stderr, "caseworkd: cannot load time zone Europe/London: install tzdata\n");
    return 1;
  }
  if (const std::string to = absl::GetFlag(FLAGS_backup); !to.empty()) {
    absl::StatusOr<casework::storage::BackupReport> taken =
        (*store)->Backup(to, std::max(0, absl::GetFlag(FLAGS_backup_keep)));
    if (!taken.ok()) {
      std::fprintf(stderr, "caseworkd: backup failed: %s\n",
                   std::string(taken.status().ToString()).c_str());
      return 1;
    }
    std::printf("backup %u of %s in %s: %llu bytes, up to position %llu, in %s\n", taken->id,
                data_dir.c_str(), to.c_str(), static_cast<unsigned long long>(taken->bytes),
                static_cast<unsigned long long>(taken->last_position),
                absl::FormatDuration(taken->took).c_str());
    return 0;
  }
  if (absl::GetFlag(FLAGS_compact)) {
    absl::Status compacted = (*store)->CompactAll();
    if (!compacted.ok()) {
      std::fprintf(stderr, "caseworkd: compaction failed: %s\n",
                   std::string(compacted.ToString()).c_str());
      return 1;
    }
    std::printf("compacted %s\n", data_dir.c_str());
    return 0;
  }
  if (rebuild) {
    absl::Status rebuilt = casework::storage::RebuildDerived(**store, london);
    if (rebuilt.ok()) {
      rebuilt = (*store)->PutMeta("derived", absl::StrCat(casework::storage::kDerivedFormat));
    }
    if (!rebuilt.ok()) {
      std::fprintf(stderr, "caseworkd: rebuild failed: %s\n", std::string(rebuilt.ToString()).c_str());
      return 1;
    }
  }
  absl::StatusOr<int> format = casework::storage::DerivedFormat(**store);
  if (!format.ok()) return StartFailed(format.status());
  if (*format < casework::storage::kDerivedFormat) {
    // Derived by an older build: only the log is checked; the derived data
    // is rebuilt when the server next starts.
    absl::StatusOr<casework::storage::Derived> derived =
        casework::storage::ComputeDerived(**store, london);
    if (!derived.ok()) {
      std::fprintf(stderr, "caseworkd: verify failed: %s\n",
                   std::string(derived.status().ToString()).c_str());
      return 1;
    }
    std::printf("derived data is of format %d; this build derives format %d and rebuilds it "
                "when it next starts (or run --rebuild)\n",
                *format, casework::storage::kDerivedFormat);
    std::printf("events=%llu streams=%zu problems=0\n",
                static_cast<unsigned long long>(derived->events), derived->streams.size());
    return 0;
  }
  absl::StatusOr<casework::storage::VerifyReport> report =
      casework::storage::VerifyStore(**store, london);
  if (!report.ok()) {
    std::fprintf(stderr, "caseworkd: verify failed: %s\n", std::string(report.status().ToString()).c_str());
    return 1;
  }
  for (const std::string& problem : report->problems) std::printf("%s\n", problem.c_str());
  std::printf("events=%llu streams=%llu rows=%llu timers=%llu problems=%zu\n",
              static_cast<unsigned long long>(report->events),
              static_cast<unsigned long long>(report->streams),
              static_cast<unsigned long long>(report->rows),
              static_cast<unsigned long long>(report->timers), report->problems.size());
  return report->problems.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "casework gRPC server for Community Safety Partnership case work.\n"
      "Usage: caseworkd --data_dir=DIR [--listen=127.0.0.1:50051] [--demo] [--nosync]\n"
      "       caseworkd --data_dir=DIR --verify | --rebuild | --compact | --backup=BACKUP_DIR\n"
      "       caseworkd --data_dir=NEW_DIR --restore_from=BACKUP_DIR [--backup_id=N]\n"
      "       caseworkd --data_dir=DIR --master_key_file=OLD --rotate_master_key=NEW\n"
      "Exit codes: 0 clean stop; 1 --verify found problems, or another failure; 2 bad command "
      "line; 3 data directory or key store unusable (locked, not a directory, no permission, damaged, a wrong master key); 4 not "
      "enough free disk space; 5 cannot listen (address in use, or not loopback without TLS).");
  absl::ParseCommandLine(argc, argv);
  // Abseil's mutex deadlock detector records a stack and a graph node on every
  // lock; the tests run with it, the server does not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Block the stop signals before any thread starts, so that only the sigwait
  // below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // SIGHUP reloads the identity provider's keys (--jwks).
  sigset_t waited = stop_signals;
  sigaddset(&waited, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &waited, nullptr);

  casework::services::ServerConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (!absl::GetFlag(FLAGS_placement).empty() || !absl::GetFlag(FLAGS_instance).empty()) {
    absl::StatusOr<casework::services::Placement> placement = casework::services::Placement::Load(
        absl::GetFlag(FLAGS_placement), absl::GetFlag(FLAGS_instance));
    if (!placement.ok()) {
      std::fprintf(stderr, "caseworkd: %s\n", std::string(placement.status().message()).c_str());
      return kExitUsage;
    }
    config.placement =
        std::make_shared<const casework::services::Placement>(*std::move(placement));
  }
  config.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  config.backup_keep = std::max(0, absl::GetFlag(FLAGS_backup_keep));
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.sync = absl::GetFlag(FLAGS_sync);
  config.request_log = absl::GetFlag(FLAGS_request_log);
  config.request_log_lines_per_second = absl::GetFlag(FLAGS_request_log_lines_per_second);
  config.rate_limit_per_second = absl::GetFlag(FLAGS_rate_limit_per_second);
  config.rate_limit_burst = absl::GetFlag(FLAGS_rate_limit_burst);
  config.min_free_bytes = Mebibytes(absl::GetFlag(FLAGS_min_free_disk_mb));
  config.max_data_bytes = Mebibytes(absl::GetFlag(FLAGS_max_data_mb));
  config.request_retention = absl::Hours(24) * absl::GetFlag(FLAGS_request_retention_days);
  config.grpc_memory_bytes = Mebibytes(absl::GetFlag(FLAGS_grpc_memory_mb));
  config.max_streams_per_connection = absl::GetFlag(FLAGS_max_streams_per_connection);
  config.max_reply_backlog_bytes = Mebibytes(absl::GetFlag(FLAGS_max_reply_backlog_mb));
  config.feed.max_subscriptions = absl::GetFlag(FLAGS_max_subscriptions);
  config.feed.max_subscriptions_per_caller = absl::GetFlag(FLAGS_max_subscriptions_per_caller);
  config.keepalive_time = absl::Seconds(absl::GetFlag(FLAGS_keepalive_seconds));
  config.keepalive_timeout = absl::Seconds(absl::GetFlag(FLAGS_keepalive_timeout_seconds));
  config.idle_timeout = absl::Seconds(absl::GetFlag(FLAGS_idle_timeout_seconds));
  if (config.data_dir.empty()) {
    std::fprintf(stderr, "caseworkd: --data_dir is required (see --help)\n");
    return kExitUsage;
  }
  if (config.grpc_memory_bytes < (size_t{16} << 20) || config.max_streams_per_connection < 1 ||
      config.feed.max_subscriptions < 0 || config.feed.max_subscriptions_per_caller < 0 ||
      config.max_reply_backlog_bytes < (size_t{8} << 20) ||
      config.request_log_lines_per_second < 1 || absl::GetFlag(FLAGS_min_free_disk_mb) < 0 ||
      absl::GetFlag(FLAGS_max_data_mb) < 0 || absl::GetFlag(FLAGS_request_retention_days) < 0 ||
      config.keepalive_time < absl::Seconds(1) || config.keepalive_timeout < absl::Seconds(1) ||
      config.idle_timeout < absl::Seconds(1) || absl::GetFlag(FLAGS_drain_notice_seconds) < 0 ||
      config.rate_limit_per_second < 0 || config.rate_limit_burst < 1) {
    std::fprintf(stderr,
                 "caseworkd: out of range: --grpc_memory_mb must be at least 16, "
                 "--max_reply_backlog_mb at least 8, --max_streams_per_connection and "
                 "--request_log_lines_per_second at least 1, the keepalive and idle times at "
                 "least 1 second, --rate_limit_burst at least 1, and sizes, the --max_subscriptions flags, "
                 "--rate_limit_per_second "
                 "and --drain_notice_seconds not negative\n");
    return kExitUsage;
  }
  if (!absl::GetFlag(FLAGS_rotate_master_key).empty()) return RotateMasterKey(config.data_dir);
  if (absl::GetFlag(FLAGS_verify) || absl::GetFlag(FLAGS_rebuild) ||
      absl::GetFlag(FLAGS_compact) || !absl::GetFlag(FLAGS_backup).empty() ||
      !absl::GetFlag(FLAGS_restore_from).empty()) {
    return Maintain(config.data_dir, absl::GetFlag(FLAGS_rebuild));
  }
  config.master_key_file = absl::GetFlag(FLAGS_master_key_file);
  config.key_store = absl::GetFlag(FLAGS_key_store);
  {
    const std::string cert = absl::GetFlag(FLAGS_tls_cert), key = absl::GetFlag(FLAGS_tls_key),
                      ca = absl::GetFlag(FLAGS_tls_client_ca),
                      agencies = absl::GetFlag(FLAGS_tls_agencies);
    const int given = !cert.empty() + !key.empty() + !ca.empty() + !agencies.empty();
    if (given != 0 && given != 4) {
      std::fprintf(stderr,
                   "caseworkd: mutual TLS needs all four of --tls_cert, --tls_key, "
                   "--tls_client_ca and --tls_agencies\n");
      return kExitUsage;
    }
    if (given == 4) {
      absl::StatusOr<casework::services::TlsConfig> tls =
          casework::services::LoadTlsConfig(cert, key, ca, agencies);
      if (!tls.ok()) {
        std::fprintf(stderr, "caseworkd: %s\n", std::string(tls.status().message()).c_str());
        return kExitUsage;
      }
      config.tls = *std::move(tls);
    }
    const std::string jwks = absl::GetFlag(FLAGS_jwks);
    const std::string issuer = absl::GetFlag(FLAGS_token_issuer);
    const std::string audience = absl::GetFlag(FLAGS_token_audience);
    if (!jwks.empty() || !issuer.empty() || !audience.empty()) {
      if (jwks.empty() || issuer.empty() || audience.empty() || !config.tls) {
        std::fprintf(stderr,
                     "caseworkd: bearer tokens need --jwks, --token_issuer and --token_audience, "
                     "and mutual TLS\n");
        return kExitUsage;
      }
      absl::StatusOr<std::shared_ptr<casework::services::TokenVerifier>> tokens =
          casework::services::TokenVerifier::Load({jwks, issuer, audience});
      if (!tokens.ok()) {
        std::fprintf(stderr, "caseworkd: %s\n", std::string(tokens.status().message()).c_str());
        return kExitUsage;
      }
      config.tokens = *std::move(tokens);
    }
  }

  // Split deployment: hosted groups, peers and the link key.
  config.services = absl::GetFlag(FLAGS_services);
  {
    absl::StatusOr<std::map<std::string, std::string>> peers =
        casework::services::ParsePeers(absl::GetFlag(FLAGS_peers));
    absl::StatusOr<std::string> key = absl::GetFlag(FLAGS_link_key_file).empty()
                                          ? absl::StatusOr<std::string>("")
                                          : casework::services::LoadLinkKey(
                                                absl::GetFlag(FLAGS_link_key_file));
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = nullptr;
    if (config.tls && peers.ok() && !peers->empty()) {
      credentials = casework::services::PeerChannelCredentials(*config.tls);
    }
    for (const absl::Status& status : {peers.status(), key.status(), credentials.status()}) {
      if (!status.ok()) {
        std::fprintf(stderr, "caseworkd: %s\n", std::string(status.message()).c_str());
        return kExitUsage;
      }
    }
    config.outbox.peers = *std::move(peers);
    config.outbox.link_key = *std::move(key);
    config.outbox.peer_credentials = *std::move(credentials);
  }

  casework::SystemClock clock;
  absl::StatusOr<std::unique_ptr<casework::services::CaseworkServer>> server =
      casework::services::CaseworkServer::Start(config, &clock);
  if (!server.ok()) return StartFailed(server.status());
  std::fprintf(stderr, "caseworkd: serving on %s (port %d), data in %s, sync %s\n",
               config.listen.c_str(), (*server)->port(), config.data_dir.c_str(),
               config.sync ? "on" : "OFF (development only)");
  if (config.tls) {
    std::fprintf(stderr,
                 "caseworkd: mutual TLS: client certificates required, %zu calling %s mapped "
                 "to agencies\n",
                 config.tls->agencies.size(),
                 config.tls->agencies.size() == 1 ? "system" : "systems");
    if (config.tokens != nullptr) {
      std::fprintf(stderr, "caseworkd: people from bearer tokens: %zu signing keys\n",
                   config.tokens->key_count());
    }
  } else {
    std::fprintf(stderr,
                 "caseworkd: DEVELOPMENT IDENTITY: no TLS; every caller's agency, user and role "
                 "are taken from request metadata without proof. Loopback only; configure "
                 "--tls_cert, --tls_key, --tls_client_ca and --tls_agencies to serve other "
                 "machines.\n");
  }

  if (absl::GetFlag(FLAGS_demo) &&
      (config.placement == nullptr || config.placement->Owns("eastbrook"))) {
    absl::Status demo = casework::services::LoadDemoPartnership((*server)->InProcessChannel(),
                                                                  (*server)->hosted());
    if (!demo.ok()) {
      std::fprintf(stderr, "caseworkd: loading the demo partnership failed: %s\n",
                   std::string(demo.ToString()).c_str());
      return 1;
    }
    std::fprintf(stderr, "caseworkd: demo partnership 'eastbrook' loaded\n");
  }

  int signal_number = 0;
  for (;;) {
    sigwait(&waited, &signal_number);
    if (signal_number != SIGHUP) break;
    if (config.tokens == nullptr) {
      std::fprintf(stderr, "caseworkd: SIGHUP received; no --jwks to reload\n");
      continue;
    }
    absl::Status reloaded = config.tokens->Reload();
    if (reloaded.ok()) {
      std::fprintf(stderr, "caseworkd: SIGHUP: %zu token signing keys loaded from %s\n",
                   config.tokens->key_count(), absl::GetFlag(FLAGS_jwks).c_str());
    } else {
      std::fprintf(stderr, "caseworkd: SIGHUP: keeping the previous %zu keys: %s\n",
                   config.tokens->key_count(), std::string(reloaded.message()).c_str());
    }
  }
  std::fprintf(stderr, "caseworkd: %s received, draining\n",
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  // Health turns NOT_SERVING while everything is still served, so that new
  // connections see the drain before the server stops accepting calls.
  (*server)->StartDraining();
  const double notice = absl::GetFlag(FLAGS_drain_notice_seconds);
  if (notice > 0) {
    const absl::Duration d = absl::Seconds(notice);
    struct timespec wait = absl::ToTimespec(d);
    // A second signal ends the notice early; a timeout is the normal case.
    (void)sigtimedwait(&stop_signals, nullptr, &wait);
  }
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  // How long each kind of command held the writer thread, for operators and
  // the bench (bench/README.md).
  for (const auto& [method, hold] : (*server)->engine().stats().holds) {
    std::fprintf(stderr, "caseworkd: writer hold method=%s commands=%llu mean_us=%.1f max_us=%.1f\n",
                 method.c_str(), static_cast<unsigned long long>(hold.commands),
                 hold.commands == 0 ? 0.0
                                    : absl::ToDoubleMicroseconds(hold.total) /
                                          static_cast<double>(hold.commands),
                 absl::ToDoubleMicroseconds(hold.longest));
  }
  std::fprintf(stderr, "caseworkd: stopped cleanly\n");
  return 0;
}
