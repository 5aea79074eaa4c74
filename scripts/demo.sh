#!/usr/bin/env bash
# The whole product in one command, on a fresh Debian 12 machine: builds Ferry, starts
# three throwaway SSH hosts in network namespaces, deploys fixtures/canary to them from a
# Git repository served over SSH, changes it, drifts it, breaks it, and shows the audit log.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh

echo "==> building"
swift build --product ferry
swift build --product ferry-demo
exec "$(swift build --show-bin-path)/ferry-demo"
