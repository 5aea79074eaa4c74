import FerrySSH
import Foundation

/// Reads the actual state of every service of one host in one round trip: whether its
/// directory exists, where `current` points, the manifest, the SHA-256 of every file of
/// the current release (or, for `change_detection: mtime`, whether its ``QuickCheck`` listing
/// is the one recorded at deploy), the release directories, and whether the service runs.
///
/// The output is a stream of NUL-terminated fields, so no file name (spaces, newlines,
/// quotes) can break it; ``parse(_:)`` reads it back. The script only reads: `ferry drift`
/// runs it too. It needs a POSIX shell, coreutils (`stat`, `sha256sum`, `readlink`,
/// `base64`) and `find`; the work per service is a constant number of processes
/// (`find -exec … {} +`), not one per file.
public struct HostStateProbe: Sendable {
    /// The services probed, in order.
    public let services: [RemoteService]

    /// A probe of `services`, whose names must be distinct.
    public init(services: [RemoteService]) throws {
        var seen = Set<String>()
        for service in services where !seen.insert(service.name).inserted {
            throw RemoteError(.invalidArgument, "service \(service.name) is probed twice")
        }
        self.services = services
    }

    /// The field that starts the probe's output, after anything a login script printed.
    static let header = "FERRY-PROBE-1"
    /// The field that ends it.
    static let trailer = "FERRY-PROBE-END"

    /// The script: shared functions, then one line per service.
    public var script: RemoteScript {
        var text = RemoteShell.prologue + RemoteShell.processFunctions + Self.functions
        if services.contains(where: \.quickCheck) { text += QuickCheck.capability + QuickCheck.functions }
        text += "printf '\\n\(Self.header)\\0'\n"
        for service in services {
            let words = ["ferry_probe", service.name, service.layout.root] + Self.managerWords(service) + (service.quickCheck ? ["quick"] : [])
            text += ShellQuote.command(words) + "\n"
        }
        text += "ferry_field \(Self.trailer)\n"
        return RemoteScript(text: text)
    }

    /// `process` or `systemd UNIT --system|--user`.
    private static func managerWords(_ service: RemoteService) -> [String] {
        switch service.manager {
        case .process: ["process", "", ""]
        case .systemd(let scope): ["systemd", service.unitName, scope.systemctlOption]
        }
    }

    /// `ferry_probe NAME DIR MANAGER UNIT SCOPE [quick]` prints, as NUL-terminated fields:
    /// `service NAME`, `directory yes|no`, [`current TARGET`], [`manifest BASE64`],
    /// [`envhash HEX`], [`unithash HEX`], [`lock BASE64`], [`journal BASE64`], `tainted NAME`…, `release NAME`…, `status KIND DETAIL`, [`tree` `e HEXMODE SIZE ./PATH`… `hashes`
    /// `HEX  ./PATH`… `links` `./PATH TARGET`… `end`] or, with `quick` when the ``QuickCheck`` passes, `quick`; `end-service`.
    static let functions = #"""
    ferry_field() { printf '%s\0' "$@"; }
    ferry_systemd_status() {
      if command -v systemctl >/dev/null 2>&1; then
        ferry_field status systemd "$(systemctl "$2" is-active -- "$1" 2>/dev/null)"
      else
        ferry_field status unknown 'systemctl not found'
      fi
    }
    ferry_tree() {
      (
        cd -P -- "$1" 2>/dev/null || exit 0
        ferry_field tree
        find . \( -type f -o -type l \) -exec stat --printf 'e\0%f\0%s\0%n\0' -- {} +
        ferry_field hashes
        find . -type f -exec sha256sum -z -- {} +
        ferry_field links
        find . -type l -exec sh -c 'for f do printf "%s\0" "$f"; readlink -n -- "$f"; printf "\0"; done' sh {} +
        ferry_field end
      )
    }
    ferry_probe() {
      ferry_field service "$1"
      if [ -d "$2" ]; then ferry_field directory yes; else ferry_field directory no; fi
      if [ -L "$2/current" ]; then
        printf 'current\0'
        readlink -n -- "$2/current"
        printf '\0'
      fi
      if [ -f "$2/.ferry/manifest.json" ]; then
        printf 'manifest\0'
        base64 < "$2/.ferry/manifest.json"
        printf '\0'
      fi
      if [ -f "$2/.ferry/env" ]; then
        ferry_hash=$(sha256sum < "$2/.ferry/env") && ferry_field envhash "${ferry_hash%% *}"
      fi
      if [ "$3" = systemd ]; then
        if [ "$5" = --user ]; then ferry_unit="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/$4"; else ferry_unit="/etc/systemd/system/$4"; fi
        if [ -f "$ferry_unit" ]; then
          ferry_hash=$(sha256sum < "$ferry_unit") && ferry_field unithash "${ferry_hash%% *}"
        fi
      fi
      if [ -f "$2/.ferry/lock" ]; then
        printf 'lock\0'
        base64 < "$2/.ferry/lock"
        printf '\0'
      fi
      if [ -f "$2/.ferry/journal" ]; then
        printf 'journal\0'
        base64 < "$2/.ferry/journal"
        printf '\0'
      fi
      for ferry_tainted in "$2"/.ferry/tainted/*; do
        if [ -f "$ferry_tainted" ]; then ferry_field tainted "${ferry_tainted##*/}"; fi
      done
      for ferry_release in "$2"/releases/*; do
        if [ -d "$ferry_release" ] && [ ! -L "$ferry_release" ]; then ferry_field release "${ferry_release##*/}"; fi
      done
      if [ "$3" = process ]; then
        ferry_process_status "$2/.ferry/pid"
        ferry_field status "$ferry_status" "$ferry_status_detail"
      else
        ferry_systemd_status "$4" "$5"
      fi
      if [ "$6" = quick ] && ferry_quick_check "$2"; then ferry_field quick; else ferry_tree "$2/current"; fi
      ferry_field end-service
    }

    """#
}
