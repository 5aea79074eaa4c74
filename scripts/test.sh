#!/usr/bin/env bash
# Ferry's whole test suite on a fresh Debian 12 machine: installs what is missing,
# builds, and runs every test (unit tests and integration tests against real sshd
# hosts in network namespaces and real Git repositories).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh

echo "==> building"
swift build --build-tests
echo "==> testing"
swift test --skip-build "$@"
