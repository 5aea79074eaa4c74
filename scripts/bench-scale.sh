#!/usr/bin/env bash
# One agent against fleets of growing size: first deploy, no-op and one-file change, with time
# per host and the agent's peak RSS, against the smallest fleet. Not part of the test run.
# Usage: scripts/bench-scale.sh [HOSTS...]     (default 50 500; at most 2048 hosts)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
# 500 hosts: a few descriptors per host in the agent, and one namespace, veth and sshd per host.
ulimit -n "$(ulimit -Hn)"
sysctl -q -w net.core.somaxconn=4096 >/dev/null 2>&1 || true
swift build -c release --product ferry >"$build_log" 2>&1 || { cat "$build_log" >&2; echo "bench: the release build of ferry failed (output above)" >&2; exit 1; }
swift build -c release --product ferry-bench >"$build_log" 2>&1 || { cat "$build_log" >&2; echo "bench: the release build of ferry-bench failed (output above)" >&2; exit 1; }
rm -f "$build_log"
exec "$(swift build -c release --show-bin-path)/ferry-bench" scale "$@"
