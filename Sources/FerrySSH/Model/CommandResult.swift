import Foundation

/// What a remote command produced.
public struct CommandResult: Sendable, Equatable {
    /// Everything the command wrote to stdout.
    public var stdout: Data
    /// Everything the command wrote to stderr.
    public var stderr: Data
    /// The exit status, or nil when the command was killed by a signal (or the server sent none).
    public var exitStatus: Int32?
    /// The signal that ended the command (`TERM`, `KILL`…), if one did.
    public var exitSignal: String?

    /// A result as the server reported it.
    public init(stdout: Data, stderr: Data, exitStatus: Int32?, exitSignal: String?) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
    }

    /// Whether the command exited with status 0.
    public var succeeded: Bool { exitStatus == 0 && exitSignal == nil }

    /// stdout decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }

    /// stderr decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// How the command ended, for messages: `exit status 3` or `signal KILL`.
    public var endDescription: String {
        if let exitSignal { return "signal \(exitSignal)" }
        if let exitStatus { return "exit status \(exitStatus)" }
        return "no exit status"
    }

    /// The last `maxBytes` of stderr as text, trimmed, for error messages.
    public func stderrTail(maxBytes: Int = 2048) -> String {
        let tail = stderr.count > maxBytes ? stderr.suffix(maxBytes) : stderr
        return String(decoding: tail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
