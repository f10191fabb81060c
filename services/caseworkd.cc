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
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "services/caseworkd_offline.h"
#include "services/demo.h"
#include "services/hosting.h"
#include "services/server.h"
#include "services/transport.h"
#include "storage/clock.h"

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


using casework::caseworkd::kExitUsage;
using casework::caseworkd::Mebibytes;
using casework::caseworkd::StartFailed;

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "casework gRPC server for Community Safety Partnership case work.\n"
      "Usage: caseworkd --data_dir=DIR [--listen=127.0.0.1:50051] [--demo] [--nosync]\n"
      "       caseworkd --data_dir=DIR --verify | --rebuild | --compact | --backup=BACKUP_DIR\n"
      "       caseworkd --data_dir=NEW_DIR --restore_from=BACKUP_DIR [--backup_id=N]\n"
      "       caseworkd --data_dir=DIR --master_key_file=OLD --rotate_master_key=NEW\n"
      "       caseworkd --data_dir=DIR --export_partnership=P | --import_partnership=P\n"
      "                 --transfer_file=FILE --transfer_key_file=KEY\n"
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
  // SIGHUP reloads the identity provider's keys (--jwks) and the placement
  // file (--placement).
  sigset_t waited = stop_signals;
  sigaddset(&waited, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &waited, nullptr);

  casework::services::ServerConfig config;
  // What --placement read, read again on SIGHUP.
  std::shared_ptr<casework::services::Placement> placement_file;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (!absl::GetFlag(FLAGS_placement).empty() || !absl::GetFlag(FLAGS_instance).empty()) {
    absl::StatusOr<casework::services::Placement> placement = casework::services::Placement::Load(
        absl::GetFlag(FLAGS_placement), absl::GetFlag(FLAGS_instance));
    if (!placement.ok()) {
      std::fprintf(stderr, "caseworkd: %s\n", std::string(placement.status().message()).c_str());
      return kExitUsage;
    }
    placement_file = std::make_shared<casework::services::Placement>(*std::move(placement));
    config.placement = placement_file;
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
  if (casework::caseworkd::OfflineModeRequested()) {
    return casework::caseworkd::RunOffline(config.data_dir);
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
    if (placement_file != nullptr) {
      absl::Status reloaded = placement_file->Reload();
      if (reloaded.ok()) {
        std::fprintf(stderr, "caseworkd: SIGHUP: instance %s holds %s\n",
                     placement_file->instance().c_str(),
                     absl::StrJoin(placement_file->owned(), ", ").c_str());
      } else {
        std::fprintf(stderr, "caseworkd: SIGHUP: keeping the previous placement: %s\n",
                     std::string(reloaded.message()).c_str());
      }
    }
    if (config.tokens == nullptr) {
      if (placement_file == nullptr) {
        std::fprintf(stderr, "caseworkd: SIGHUP received; no --jwks or --placement to reload\n");
      }
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
