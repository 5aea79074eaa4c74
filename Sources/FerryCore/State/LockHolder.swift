import FerryAudit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who holds the reconcile lock: written into the lock file so that a second
/// run can name it, and a run that takes over a dead holder's lock can report it.
public struct LockHolder: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The holder's process id.
    public var pid: Int32
    /// The machine it runs on.
    public var hostName: String
    /// The agent's id, when configured.
    public var agentID: String?
    /// When it took the lock.
    public var startedAt: Date
    /// Its command line.
    public var command: String

    /// Describes a holder.
    public init(pid: Int32, hostName: String, agentID: String?, startedAt: Date, command: String) {
        self.pid = pid
        self.hostName = hostName
        self.agentID = agentID
        self.startedAt = startedAt
        self.command = command
    }

    /// This process, now.
    public static func current(agentID: String? = nil, command: String? = nil, now: Date = Date()) -> LockHolder {
        LockHolder(pid: getpid(), hostName: currentHostName(), agentID: agentID, startedAt: now,
                   command: command ?? CommandLine.arguments.joined(separator: " "))
    }

    /// `pid 4242 on web-admin (agent a1), since 2024-05-01T12:00:03Z, running "ferry reconcile --once"`.
    public var description: String {
        let agent = agentID.map { " (agent \($0))" } ?? ""
        return "pid \(pid) on \(hostName)\(agent), since \(RFC3339.secondsString(from: startedAt)), running \"\(command)\""
    }

    private enum CodingKeys: String, CodingKey {
        case pid, command
        case hostName = "host_name"
        case agentID = "agent_id"
        case startedAt = "started_at"
    }

    private static func currentHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown host" }
        let name = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: name, as: UTF8.self)
    }
}
