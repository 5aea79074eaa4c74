#!/usr/bin/env bash
# One agent against fleets of growing size: first deploy, no-op and one-file change, with time
# per host and the agent's peak RSS, against the smallest fleet. Not part of the test run.
# Usage: scripts/bench-scale.sh [HOSTS...]     (default 50 500; at most 2048 hosts)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh
# 500 hosts: a few descriptors per host in the agent, and one namespace, veth and sshd per host.
ulimit -n "$(ulimit -Hn)"
sysctl -q -w net.core.somaxconn=4096 >/dev/null 2>&1 || true
swift build -c release --product ferry >/dev/null
swift build -c release --product ferry-bench >/dev/null
exec "$(swift build -c release --show-bin-path)/ferry-bench" scale "$@"
