#!/usr/bin/env bash
# Ferry against its peers, in the same run on this machine: HOSTS real SSH hosts (network and
# mount namespaces), 10 services × 100 files × 4 KiB each on every host, PARALLELISM hosts at
# a time; a first deploy, a no-op (change_detection content_hash and mtime) and one file
# changed, against `tar -cf - | ssh HOST tar -xf -`, rsync over ssh and one `sha256sum` pass
# per host, each with OpenSSH's default key exchange and with curve25519-sha256 (the one
# libssh2 negotiates); medians of RUNS interleaved runs, with ratios. Usage:
#   scripts/bench-peers.sh [HOSTS] [RUNS] [PARALLELISM]     (default 50 3 10)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
if ! command -v rsync >/dev/null 2>&1; then
    echo "==> installing rsync (a peer the benchmark measures)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsync >/dev/null
fi
# Ferry is measured as it ships (scripts/build-release.sh: the Swift runtime linked in), built
# in a directory of its own so that it does not rebuild the harness's.
scripts/build-release.sh --scratch-path .build-static >"$build_log" 2>&1 || { cat "$build_log" >&2; echo "bench: the release build of ferry failed (output above)" >&2; exit 1; }
FERRY_BENCH_BINARY="$(tail -n 1 "$build_log")"
export FERRY_BENCH_BINARY
swift build -c release --product ferry-bench >"$build_log" 2>&1 || { cat "$build_log" >&2; echo "bench: the release build of ferry-bench failed (output above)" >&2; exit 1; }
rm -f "$build_log"
exec "$(swift build -c release --show-bin-path)/ferry-bench" peers "$@"
