#!/usr/bin/env bash
# The first deploy of a service of FILES small files to one real SSH host (its own network and
# mount namespace), as a whole `ferry reconcile --once` and as its deploy step alone, against
# `tar -cf - | ssh HOST tar -xf -` of the same files to the same host with the same key exchange
# (curve25519-sha256, the one libssh2 1.10 negotiates), in turns in the same run; median of RUNS.
# Usage:
#   scripts/bench-large-deploy.sh [FILES] [RUNS]     (default 10000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
swift build -c release --product ferry >"$build_log" 2>&1 || { cat "$build_log" >&2; echo "bench: the release build of ferry failed (output above)" >&2; exit 1; }
swift build -c release --product ferry-bench >"$build_log" 2>&1 || { cat "$build_log" >&2; echo "bench: the release build of ferry-bench failed (output above)" >&2; exit 1; }
rm -f "$build_log"
exec "$(swift build -c release --show-bin-path)/ferry-bench" large-deploy "$@"
