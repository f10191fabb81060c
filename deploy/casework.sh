#!/usr/bin/env bash
# Sets up a Debian 12 machine for casework, builds it, and then runs the
# server or the tests.
#
#   deploy/casework.sh run  [caseworkd flags...]   build, then serve the demo partnership
#                                                  (gRPC on 127.0.0.1:50051, web on 127.0.0.1:3000)
#   deploy/casework.sh test [ctest args...]        build, then run the whole test suite
#   deploy/casework.sh build                       only install what is missing and build
#
# Installing is idempotent and quick when everything is present: only missing
# packages are fetched (needs root or sudo). Environment:
#   CASEWORK_BUILD_DIR   build tree        (default: build)
#   CASEWORK_DATA_DIR    data for `run`    (default: var/demo)
#   CASEWORK_MASTER_KEY_FILE  master key for `run` (default: made once, $CASEWORK_DATA_DIR.master.key)
#   CASEWORK_BUILD_TYPE  CMake build type  (default: RelWithDebInfo)
#   CASEWORK_SANITIZE    "address" builds with ASan+UBSan (default: off)
#   CASEWORK_WEB_LISTEN  the web client's address for `run` (default: 127.0.0.1:3000)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

packages=(
  build-essential cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libjemalloc-dev libjwt-dev libssl-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev prometheus-cpp-dev
  prometheus python3-yaml systemd
  tzdata
  chromium
  python3-grpcio python3-protobuf
  nginx
)
# The web client runs on Node.js. Debian's nodejs and npm, unless a Node.js
# (with its own npm) is already installed.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then packages+=(nodejs npm); fi
if [[ "${CASEWORK_SANITIZE:-}" != "" ]]; then packages+=(clang libclang-rt-14-dev); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
  echo "casework: installing ${missing[*]}" >&2
  sudo=""
  if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

build_dir=${CASEWORK_BUILD_DIR:-build}
cmake_args=(-S "$root" -B "$build_dir" -G Ninja
  -DCMAKE_BUILD_TYPE="${CASEWORK_BUILD_TYPE:-RelWithDebInfo}")
if [[ "${CASEWORK_SANITIZE:-}" != "" ]]; then
  cmake_args+=(-DCASEWORK_SANITIZE="${CASEWORK_SANITIZE}" -DCMAKE_CXX_COMPILER=clang++)
fi
# The web client's npm packages, exactly as locked, when the lockfile changed.
web=clients/web
if [[ ! -f $web/node_modules/.package-lock.json || $web/package-lock.json -nt $web/node_modules/.package-lock.json ]]; then
  echo "casework: installing the web client's npm packages" >&2
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

cmake "${cmake_args[@]}" >/dev/null
# Two jobs per core at most; the CI machine has 2 cores and 24 GiB.
cmake --build "$build_dir" -j "$(nproc)"

command=${1:-build}
shift || true
case "$command" in
  build) ;;
  run)
    data_dir=${CASEWORK_DATA_DIR:-var/demo}
    web_listen=${CASEWORK_WEB_LISTEN:-127.0.0.1:3000}
    mkdir -p "$data_dir"
    # Personal data is sealed with keys the master key wraps
    # (docs/data-protection.md); the demo makes one beside its data.
    master_key=${CASEWORK_MASTER_KEY_FILE:-$data_dir.master.key}
    if [[ ! -f $master_key ]]; then
      (umask 077 && openssl rand -hex 32 >"$master_key")
      echo "casework: made a master key for the demo in $master_key" >&2
    fi
    "$build_dir/services/caseworkd" --data_dir="$data_dir" --master_key_file="$master_key" --demo "$@" &
    caseworkd=$!
    node "$web/bin/casework-web.js" --listen="$web_listen" --caseworkd=127.0.0.1:50051 --demo &
    webclient=$!
    trap 'kill -TERM $caseworkd $webclient 2>/dev/null; wait' INT TERM
    echo "casework: open http://$web_listen/ in a browser (Ctrl-C stops both)" >&2
    # Either one stopping stops the other.
    wait -n $caseworkd $webclient || true
    kill -TERM $caseworkd $webclient 2>/dev/null || true
    wait
    ;;
  test)
    # The Node.js client test's npm packages, exactly as locked, when the lockfile changed.
    node_client=tests/clients/node
    if [[ ! -f $node_client/node_modules/.package-lock.json || $node_client/package-lock.json -nt $node_client/node_modules/.package-lock.json ]]; then
      echo "casework: installing the Node.js client test's npm packages" >&2
      (cd "$node_client" && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
    cd "$build_dir"
    exec ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@"
    ;;
  *)
    echo "usage: deploy/casework.sh run|test|build" >&2
    exit 2
    ;;
esac
