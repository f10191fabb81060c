// What security costs: the same reads (GetAction at 64 in flight) by a
// person (each read audited: an entry written and synced before the reply)
// and by a system calling as itself (not audited) over plaintext, and by a
// system over mutual TLS (a fresh caseworkd with the partnership CA's
// certificates, made with deploy/partnership-ca.sh at bench time).
#ifndef CASEWORK_BENCH_SECURITY_BENCH_H_
#define CASEWORK_BENCH_SECURITY_BENCH_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/load.h"

namespace casework::bench {

struct SecurityRun {
  std::string name;  // "plaintext, person (audited)", ...
  LevelResult level;
};

struct SecurityFigures {
  std::vector<SecurityRun> runs;  // person, system, system over TLS
  // ops/s of the audited reads, and over TLS, to the system's plaintext.
  double audit_ratio = 0;
  double tls_ratio = 0;
};

struct SecurityBenchOptions {
  std::vector<std::shared_ptr<grpc::Channel>> plaintext;  // to a running caseworkd
  std::string caseworkd;       // the binary, for the TLS server
  std::string ca_script;       // deploy/partnership-ca.sh
  std::string scratch;         // a directory for certificates and data
  std::string sync_flag;       // "--sync" or "--nosync"
  int connections = 4;
  LevelOptions level;          // in_flight, warmup, duration
};

absl::StatusOr<SecurityFigures> MeasureSecurity(const SecurityBenchOptions& options);

}  // namespace casework::bench

#endif  // CASEWORK_BENCH_SECURITY_BENCH_H_
