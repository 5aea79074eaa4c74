#!/usr/bin/env bash
# A no-op `ferry reconcile --once` over N real SSH hosts (network namespaces) with M services,
# against the floor of OpenSSH touching the same hosts, in the same run. Usage:
#   scripts/bench-reconcile.sh [HOSTS] [SERVICES] [RUNS]     (default 20 5 5)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh
swift build -c release --product ferry >/dev/null
swift build -c release --product ferry-bench >/dev/null
exec "$(swift build -c release --show-bin-path)/ferry-bench" "$@"
