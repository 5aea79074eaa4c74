#!/usr/bin/env bash
# Ferry's whole test suite on a fresh Debian 12 machine: installs what is missing,
# builds, and runs every test (unit tests and integration tests against real sshd
# hosts in network namespaces and real Git repositories).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare-machine.sh

echo "==> building"
swift build --build-tests
echo "==> building the static release binary for InstallTests (.build/static)"
scripts/build-release.sh --scratch-path .build/static >/dev/null
echo "==> testing"
# One test at a time: several tests assert wall-clock bounds (a refused port fails at
# once, a silent host times out within its connect timeout, 20 hosts × 1 s finish in
# well under 20 s). On a 2-core machine, tests running side by side that wait on
# processes would hold Swift's two cooperative threads and skew those clocks. The
# whole suite takes about two to three minutes this way.
swift test --skip-build --no-parallel "$@"
