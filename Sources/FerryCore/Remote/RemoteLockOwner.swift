import FerryAudit
import Foundation

/// Who takes a service's remote lock: written into `.ferry/lock` so that another agent
/// can name it, and matched by ``token`` when the lock is released.
public struct RemoteLockOwner: Sendable, Equatable {
    /// The agent's id.
    public let agent: String
    /// The agent's process id.
    public let pid: Int32
    /// The machine the agent runs on.
    public let host: String
    /// The agent process's start time (clock ticks after boot, from `/proc/<pid>/stat`), so a
    /// pid the kernel gave to another process since is never taken for the owner.
    public let processStart: UInt64?
    /// The run that holds the lock.
    public let runID: String?
    /// What proves ownership: unique per reconcile run (`[A-Za-z0-9._-]`, 1–64 characters).
    public let token: String

    /// An owner; control characters in `agent` and `host` become `?` (the lock file has
    /// one field per line). Throws `.invalidArgument` for a token outside its alphabet.
    public init(agent: String, pid: Int32, host: String, token: String = UUID().uuidString.lowercased(),
                processStart: UInt64? = nil, runID: String? = nil) throws {
        guard (1...64).contains(token.utf8.count), token.utf8.allSatisfy(Self.isTokenByte) else {
            throw RemoteError(.invalidArgument, "lock token \"\(token)\" must be 1 to 64 letters, digits, dots, underscores or dashes")
        }
        self.agent = Self.singleLine(agent)
        self.pid = pid
        self.host = Self.singleLine(host)
        self.token = token
        self.processStart = processStart
        self.runID = runID.map(Self.singleLine)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "._-".utf8.contains(byte)
    }

    private static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }))
    }
}

/// Who holds a service's remote lock, as its lock file says.
public struct RemoteLockHolder: Sendable, Equatable, CustomStringConvertible {
    /// The holder's ownership token.
    public var token: String
    /// The holder's agent id.
    public var agent: String
    /// The holder's process id, when the file gives one.
    public var pid: Int32?
    /// The machine the holder runs on.
    public var host: String
    /// When it took the lock (host clock), when the file says.
    public var acquiredAt: Date?
    /// The holder process's start time, when the file gives one.
    public var processStart: UInt64?
    /// The holder's run, when the file gives one.
    public var runID: String?
    /// When the lock expires (host clock); nil when the file gives no readable expiry
    /// (such a lock counts as expired).
    public var expiresAt: Date?

    /// A holder.
    public init(token: String, agent: String, pid: Int32?, host: String, acquiredAt: Date?, expiresAt: Date?,
                processStart: UInt64? = nil, runID: String? = nil) {
        self.token = token
        self.agent = agent
        self.pid = pid
        self.host = host
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
        self.processStart = processStart
        self.runID = runID
    }

    /// `agent a1 (pid 42 on web-admin) until 2024-05-01T12:10:00Z`.
    public var description: String {
        let pidText = pid.map { "pid \($0) on " } ?? ""
        let until = expiresAt.map { " until " + RFC3339.secondsString(from: $0) } ?? " with no expiry"
        return "agent \(agent.isEmpty ? "(unknown)" : agent) (\(pidText)\(host.isEmpty ? "unknown host" : host))\(until)"
    }
}

/// What an attempt to take the remote lock found.
public enum RemoteLockAcquisition: Sendable, Equatable {
    /// The lock was free (or already ours), and is now ours until `expiresAt`.
    case acquired(expiresAt: Date)
    /// The lock's holder had expired; it is now ours until `expiresAt`.
    case tookOver(previous: RemoteLockHolder, expiresAt: Date)
    /// Another agent holds the lock and has not expired.
    case heldBy(RemoteLockHolder)
    /// Another agent was taking over or releasing the lock for longer than the script waited.
    case busy
}

/// What releasing the remote lock did.
public enum RemoteLockRelease: Sendable, Equatable {
    /// The lock was ours and is gone.
    case released
    /// There was no lock.
    case notHeld
    /// Someone else holds the lock (ours had expired and was taken over); it was left alone.
    case heldByOther(RemoteLockHolder)
    /// Another agent was taking over or releasing the lock for longer than the script waited.
    case busy
    /// `ferry unlock` removed the lock whoever held it; this was the holder.
    case broken(RemoteLockHolder)
}
