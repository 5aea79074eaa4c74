#!/usr/bin/env bash
# Installs Ferry on a control machine: the binary, /etc/ferry (0700) with agent.yaml, a deploy
# key and known_hosts, /var/lib/ferry (0700) for the state, /var/log/ferry (0700) for the log,
# the cron file /etc/cron.d/ferry (or, with --systemd, the hardened service and timer), and
# /etc/logrotate.d/ferry. Never overwrites agent.yaml, the key or known_hosts; safe to run again
# (an upgrade replaces the binary, the cron file, the units and the logrotate rule).
#
# Usage: scripts/install.sh [--binary PATH] [--user NAME] [--systemd] [--root DIR]
#   --binary PATH  the ferry binary to install (default: build it with scripts/build-release.sh)
#   --user NAME    the user the agent runs as (default root); created as a system user if missing
#   --systemd      install deploy/ferry-reconcile.{service,timer} instead of the cron file
#   --root DIR     install under DIR instead of / (for packaging and tests; creates no user)
# Needs: install, ssh-keygen (openssh-client). See docs/operations.md, "Install".
set -euo pipefail

binary=""
user=root
scheduler=cron
root=""
here="$(cd "$(dirname "$0")/.." && pwd)"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) [ $# -ge 2 ] || usage; binary="$2"; shift 2 ;;
        --user) [ $# -ge 2 ] || usage; user="$2"; shift 2 ;;
        --systemd) scheduler=systemd; shift ;;
        --root) [ $# -ge 2 ] || usage; root="${2%/}"; shift 2 ;;
        -h|--help) usage ;;
        *) echo "install.sh: unknown option $1" >&2; usage ;;
    esac
done

say() { printf '==> %s\n' "$*"; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || [ -n "$root" ] || fail "run as root (it writes /usr/local/bin, /etc and /var)"
command -v ssh-keygen >/dev/null || fail "ssh-keygen is missing: apt-get install openssh-client"

if [ -z "$binary" ]; then
    say "building the release binary (scripts/build-release.sh)"
    binary="$("$here/scripts/build-release.sh" | tail -n 1)"
fi
[ -x "$binary" ] || fail "no executable ferry binary at $binary"

if [ -z "$root" ] && ! id -u "$user" >/dev/null 2>&1; then
    say "creating the system user $user (home /var/lib/ferry)"
    useradd --system --user-group --home-dir /var/lib/ferry --no-create-home --shell /usr/sbin/nologin "$user"
fi
if [ -n "$root" ]; then group="$(id -gn)"; owner="$(id -un)"; else group="$(id -gn "$user")"; owner="$user"; fi

say "installing $root/usr/local/bin/ferry"
install -d -m 0755 "$root/usr/local/bin"
install -m 0755 "$binary" "$root/usr/local/bin/ferry"

say "creating $root/etc/ferry, $root/var/lib/ferry and $root/var/log/ferry (0700, owned by $owner)"
for directory in /etc/ferry /var/lib/ferry /var/log/ferry; do
    install -d -m 0700 -o "$owner" -g "$group" "$root$directory"
done

if [ ! -e "$root/etc/ferry/agent.yaml" ]; then
    say "writing $root/etc/ferry/agent.yaml (edit repository: before the first run)"
    install -m 0600 -o "$owner" -g "$group" "$here/deploy/agent.yaml" "$root/etc/ferry/agent.yaml"
fi
if [ ! -e "$root/etc/ferry/deploy_ed25519" ]; then
    say "creating the deploy key $root/etc/ferry/deploy_ed25519"
    ssh-keygen -q -t ed25519 -N '' -C "ferry@$(hostname)" -f "$root/etc/ferry/deploy_ed25519"
    chown "$owner:$group" "$root/etc/ferry/deploy_ed25519" "$root/etc/ferry/deploy_ed25519.pub"
fi
if [ ! -e "$root/etc/ferry/known_hosts" ]; then
    install -m 0600 -o "$owner" -g "$group" /dev/null "$root/etc/ferry/known_hosts"
fi

# Puts the agent's user in the user field and the `su`/`create` lines.
substitute_user() { sed -e "s/^\(\* \* \* \* \*\) root /\1 $owner /" -e "s/ root root$/ $owner $group/" "$1"; }

if [ "$scheduler" = cron ]; then
    say "installing $root/etc/cron.d/ferry"
    install -d -m 0755 "$root/etc/cron.d"
    substitute_user "$here/deploy/ferry-cron" > "$root/etc/cron.d/ferry"
    chmod 0644 "$root/etc/cron.d/ferry"
else
    say "installing $root/etc/systemd/system/ferry-reconcile.service and .timer"
    install -d -m 0755 "$root/etc/systemd/system"
    sed -e "s/^User=ferry$/User=$owner/" -e "s/^Group=ferry$/Group=$group/" \
        "$here/deploy/ferry-reconcile.service" > "$root/etc/systemd/system/ferry-reconcile.service"
    install -m 0644 "$here/deploy/ferry-reconcile.timer" "$root/etc/systemd/system/ferry-reconcile.timer"
    chmod 0644 "$root/etc/systemd/system/ferry-reconcile.service"
fi

say "installing $root/etc/logrotate.d/ferry"
install -d -m 0755 "$root/etc/logrotate.d"
substitute_user "$here/deploy/ferry-logrotate" > "$root/etc/logrotate.d/ferry"
chmod 0644 "$root/etc/logrotate.d/ferry"

"$root/usr/local/bin/ferry" version

cat <<EOF

Next (docs/operations.md, "Install"):
  1. Put the deploy key on every host, for the user ferry.yaml names:
       ssh-copy-id -i $root/etc/ferry/deploy_ed25519.pub USER@HOST
     (or append the .pub line to ~USER/.ssh/authorized_keys on the host), and give it
     read access to the config repository on the Git server.
  2. Record each host's key after checking its fingerprint:
       ssh-keyscan -t ed25519 HOST >> $root/etc/ferry/known_hosts
     (the Git server's too).
  3. Set repository: in $root/etc/ferry/agent.yaml, then check everything:
       ferry validate && ferry plan
  4. $( [ "$scheduler" = cron ] && echo "cron runs it every minute; the log is /var/log/ferry/ferry.log" \
        || echo "systemctl daemon-reload && systemctl enable --now ferry-reconcile.timer" )
EOF
