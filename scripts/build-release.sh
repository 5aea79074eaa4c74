#!/usr/bin/env bash
# Builds the release binary with the Swift standard library and Foundation linked in
# (--static-swift-stdlib), so the control machine needs only libgit2, libssh2, libcurl (which
# FoundationNetworking links) and the C and C++ runtimes, not the Swift toolchain. Checks that with
# `ldd` and prints the binary's path as its last line.
#
# Usage: scripts/build-release.sh [--scratch-path DIR]   (DIR: SwiftPM's build directory)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

scratch=()
if [ "${1:-}" = --scratch-path ] && [ -n "${2:-}" ]; then scratch=(--scratch-path "$2"); fi

# The static FoundationNetworking (URLSession, for alert webhooks) links -lcurl, which stays a
# shared library of the system. Without libcurl4-openssl-dev there is only libcurl.so.4, so the
# linker is given a directory with the unversioned name pointing at it.
curl_dir="$(mktemp -d)"
trap 'rm -rf "$curl_dir"' EXIT
if ! ldconfig -p | grep -q 'libcurl\.so '; then
    library="$(ldconfig -p | awk '/libcurl\.so\.4 .*x86-64|libcurl\.so\.4 / {print $NF; exit}')"
    [ -n "$library" ] || { echo "build-release.sh: libcurl is missing: apt-get install libcurl4" >&2; exit 1; }
    ln -s "$library" "$curl_dir/libcurl.so"
fi
link=(-Xlinker -L"$curl_dir")
swift build -c release --product ferry --static-swift-stdlib "${link[@]}" "${scratch[@]}" >&2
binary="$(swift build -c release --static-swift-stdlib "${link[@]}" "${scratch[@]}" --show-bin-path)/ferry"

# Every shared library the binary needs must come from the system, none from the toolchain.
if ldd "$binary" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|/opt/swift|not found' >&2; then
    echo "build-release.sh: $binary still needs the Swift runtime (above)" >&2
    exit 1
fi
echo "$binary"
