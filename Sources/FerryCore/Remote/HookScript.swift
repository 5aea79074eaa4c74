import FerrySSH
import Foundation

/// A hook (`pre_shutdown`, `post_deploy`) run on the host: `/bin/sh -c COMMAND` in the
/// current release directory (or a given release), standard input from `/dev/null`,
/// under coreutils' `timeout` (SIGTERM to its process group at the limit, SIGKILL 5 s later).
public enum HookScript {
    /// The script running `command` for at most `timeout`, printing `status=N` and then
    /// the last `tailBytes` of its combined output; read with ``parse(_:)``.
    public static func run(_ command: String, for layout: RemoteLayout, in release: ReleaseName? = nil,
                           timeout: Duration, tailBytes: Int = 4096) -> RemoteScript {
        let directory = release.map { "\"$d/releases/\($0.rawValue)\"" } ?? "\"$d/current\""
        return RemoteScript(text: RemoteShell.prologue + #"""
        d=\#(ShellQuote.quote(layout.root))
        mkdir -p -m 0700 -- "$d/.ferry" || ferry_fail "cannot create $d/.ferry"
        out="$d/.ferry/hook.$$.out"
        cd -P -- \#(directory) || ferry_fail "the release directory to run the hook in does not exist"
        timeout -k 5 \#(RemoteShell.seconds(timeout)) /bin/sh -c \#(ShellQuote.quote(command)) </dev/null >"$out" 2>&1
        status=$?
        printf 'status=%s\n' "$status"
        tail -c \#(max(0, tailBytes)) -- "$out"
        rm -f -- "$out"

        """#)
    }

    /// The hook's result from the script's output; `.malformedOutput` without a status line.
    public static func parse(_ output: Data) throws -> HookResult {
        let bytes = [UInt8](output)
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")),
              let line = String(bytes: bytes[..<newline], encoding: .utf8), line.hasPrefix("status="),
              let status = Int32(line.dropFirst("status=".count))
        else {
            throw RemoteError(.malformedOutput, "the hook script printed no status")
        }
        return HookResult(exitStatus: status, outputTail: String(decoding: bytes[(newline + 1)...], as: UTF8.self))
    }
}

/// How a hook ended.
public struct HookResult: Sendable, Equatable {
    /// The exit status (124 when `timeout` stopped it, 137 when it had to kill it).
    public var exitStatus: Int32
    /// The end of what it printed on stdout and stderr.
    public var outputTail: String

    /// A result.
    public init(exitStatus: Int32, outputTail: String) {
        self.exitStatus = exitStatus
        self.outputTail = outputTail
    }

    /// Whether it exited with status 0.
    public var succeeded: Bool { exitStatus == 0 }

    /// Whether it ran out of time.
    public var timedOut: Bool { exitStatus == 124 || exitStatus == 137 }
}
