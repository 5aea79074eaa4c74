import FerryConfig
import FerrySSH
import Foundation

/// A remote step that failed for one of the common reasons of a host's file system — no
/// space left, permission denied, a read-only file system — told with the host and the path
/// instead of the tool's raw message.
///
/// Made from what the host said: a failing script's stderr (`mkdir: cannot create directory
/// '/srv/api/releases/x': No space left on device`) or an SFTP error (`permission denied
/// (SSH_FX 3)`). OpenSSH's SFTP server answers a full or read-only disk with the generic
/// `failure (SSH_FX 4)`; ``diagnosisScript(for:)`` then finds out which it is.
public struct RemoteFailure: Error, Sendable, Equatable, CustomStringConvertible, ClassifiedFailure {
    /// What went wrong.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The file system is full (blocks or inodes).
        case noSpaceLeft = "no_space_left"
        /// The remote user may not write or read there.
        case permissionDenied = "permission_denied"
        /// The file system is mounted read-only.
        case readOnlyFileSystem = "read_only_file_system"

        /// What tools and SFTP servers print for this failure (C locale), matched without case.
        var markers: [String] {
            switch self {
            case .noSpaceLeft: ["No space left on device", "no space left on the file system"]
            case .permissionDenied: ["Permission denied", "Operation not permitted"]
            case .readOnlyFileSystem: ["Read-only file system", "write protected"]
            }
        }

        /// The kind whose marker comes first in `text`, nil when none is there.
        init?(text: String) {
            let found = Self.allCases.compactMap { kind in
                kind.markers.compactMap { text.range(of: $0, options: .caseInsensitive) }.map(\.lowerBound).min().map { (kind, $0) }
            }
            guard let first = found.min(by: { $0.1 < $1.1 }) else { return nil }
            self = first.0
        }
    }

    /// What went wrong.
    public var kind: Kind
    /// The host.
    public var host: String
    /// The file or directory the host named, or the caller's fallback; nil when neither is known.
    public var path: String?

    /// A failure of `kind` on `host` at `path`.
    public init(kind: Kind, host: String, path: String?) {
        self.kind = kind
        self.host = host
        self.path = path
    }

    /// The failure `output` (a script's stderr, an SFTP error message) describes on `host`,
    /// or nil when it is none of the common ones. The path is the one named on the line that
    /// says what failed (the last quoted word, or else the last absolute path), or
    /// `fallbackPath` (such as the service's `remote_dir`) when the line names none.
    public init?(output: String, host: String, fallbackPath: String? = nil) {
        guard let kind = Kind(text: output) else { return nil }
        let line = output.split(whereSeparator: \.isNewline).first { line in
            kind.markers.contains { line.range(of: $0, options: .caseInsensitive) != nil }
        }
        self.init(kind: kind, host: host, path: line.flatMap { Self.path(in: String($0), kind: kind) } ?? fallbackPath)
    }

    /// The condition `error_policy` knows it as: `permission_denied`, or none.
    public var failureCondition: FailureCondition? { kind == .permissionDenied ? .permissionDenied : nil }

    /// `no space left on web1 (/srv/api/releases/x): free space on that file system …`.
    public var description: String {
        let place = path.map { "\(host) (\($0))" } ?? host
        switch kind {
        case .noSpaceLeft:
            return "no space left on \(place): free space on that file system (`df -h`, `df -i` for inodes), or lower keep_releases"
        case .permissionDenied:
            return "permission denied on \(place): give the SSH user access there, or choose a remote_dir it owns"
        case .readOnlyFileSystem:
            return "read-only file system on \(place): remount it read-write, or choose a remote_dir on a writable file system"
        }
    }

    /// A script that finds out why writing under `path` fails: it creates and removes a file
    /// in the nearest existing directory, then checks that the file system has blocks and
    /// inodes left (file systems without an inode count, such as btrfs, are not asked about
    /// inodes). It exits 0 when nothing is wrong, else 1 with a line on stderr that
    /// ``init(output:host:fallbackPath:)`` reads (`/srv/api: Read-only file system`).
    public static func diagnosisScript(for path: String) -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + """
            d=\(ShellQuote.quote(path))
            while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done
            t="$d/.ferry-write-check.$$"
            if ! e=$(touch -- "$t" 2>&1); then printf '%s: %s\\n' "$d" "${e##*: }" >&2; exit 1; fi
            rm -f -- "$t"
            if [ "$(df -Pk -- "$d" 2>/dev/null | awk 'NR == 2 { print $4 }')" = 0 ] ||
               [ "$(df -Pi -- "$d" 2>/dev/null | awk 'NR == 2 && $2 > 0 { print $4 }')" = 0 ]; then
              printf '%s: No space left on device\\n' "$d" >&2; exit 1
            fi

            """)
    }

    /// The path `line` names before the failure's marker.
    private static func path(in line: String, kind: Kind) -> String? {
        let marker = kind.markers.compactMap { line.range(of: $0, options: .caseInsensitive) }.map(\.lowerBound).min() ?? line.endIndex
        let before = line[..<marker]
        if let quoted = lastQuoted(in: before) { return quoted }
        let words = before.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return words.last { $0.hasPrefix("/") }.map { String($0.trimmingCharacters(in: CharacterSet(charactersIn: ":,;()"))) }
    }

    /// The last word between single quotes (`'…'`, the C locale's quoting) or double quotes.
    private static func lastQuoted(in text: Substring) -> String? {
        for quote in ["'", "\""] {
            let parts = text.components(separatedBy: quote)
            // Text outside quotes has an even index; a closed quote leaves an odd-indexed part.
            if parts.count >= 3 {
                let closed = parts.count % 2 == 1 ? parts.count - 2 : parts.count - 3
                if closed >= 1 { return parts[closed] }
            }
        }
        return nil
    }
}
