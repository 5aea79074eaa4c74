#!/usr/bin/env bash
# A no-op `ferry reconcile --once` over N real SSH hosts (network namespaces) with M services,
# against the floor of OpenSSH touching the same hosts, in the same run. Usage:
#   scripts/bench-reconcile.sh [HOSTS] [SERVICES] [RUNS]     (default 20 5 5)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
swift build -c release --product ferry >"$build_log" 2>&1 || { cat "$build_log" >&2; echo "bench: the release build of ferry failed (output above)" >&2; exit 1; }
swift build -c release --product ferry-bench >"$build_log" 2>&1 || { cat "$build_log" >&2; echo "bench: the release build of ferry-bench failed (output above)" >&2; exit 1; }
rm -f "$build_log"
exec "$(swift build -c release --show-bin-path)/ferry-bench" "$@"
