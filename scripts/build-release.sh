#!/usr/bin/env bash
# Builds the release binary with the Swift standard library and Foundation linked in
# (--static-swift-stdlib), so the control machine needs only libgit2, libssh2, libc (and
# libcurl, which FoundationNetworking links), not the Swift toolchain. Checks that with
# `ldd` and prints the binary's path as its last line.
#
# Usage: scripts/build-release.sh [--scratch-path DIR]   (DIR: SwiftPM's build directory)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

scratch=()
if [ "${1:-}" = --scratch-path ] && [ -n "${2:-}" ]; then scratch=(--scratch-path "$2"); fi

# The static FoundationNetworking (URLSession, for alert webhooks) calls libcurl, which stays a
# shared library of the system; Debian ships libcurl.so.4 without the unversioned dev link.
swift build -c release --product ferry --static-swift-stdlib -Xlinker -l:libcurl.so.4 "${scratch[@]}" >&2
binary="$(swift build -c release --static-swift-stdlib -Xlinker -l:libcurl.so.4 "${scratch[@]}" --show-bin-path)/ferry"

# Every shared library the binary needs must come from the system, none from the toolchain.
if ldd "$binary" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|/opt/swift|not found' >&2; then
    echo "build-release.sh: $binary still needs the Swift runtime (above)" >&2
    exit 1
fi
echo "$binary"
