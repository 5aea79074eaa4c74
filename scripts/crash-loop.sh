#!/usr/bin/env bash
# Every interruption heals: CYCLES times, commit a revision (every third fails its health
# check), SIGKILL `ferry reconcile --once` at a random moment, run it again normally, and
# check that every host serves the newest healthy commit with no lock or journal left;
# `ferry audit verify` at the end. Exits 1 when any cycle did not converge. Usage:
#   scripts/crash-loop.sh [CYCLES] [HOSTS]     (default 100 3)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh
swift build --product ferry >/dev/null
swift build --product ferry-crash-loop >/dev/null
exec "$(swift build --show-bin-path)/ferry-crash-loop" "$@"
