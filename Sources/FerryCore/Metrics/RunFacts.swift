import FerryGit
import Foundation

/// What the metrics read after a run, outside the report: the audit records it appended,
/// the circuit breakers and the applied commits in the state directory. Reading never fails
/// a run: what cannot be read is left out (nil) and its gauges keep their last values.
public struct RunFacts: Sendable {
    /// When the run ended.
    public var endedAt: Date
    /// Records the run appended to the audit log.
    public var auditRecords: Int
    /// The hosts whose circuit breaker is open; nil when `circuits.json` could not be read.
    public var openCircuits: Set<String>?
    /// Service → commit time of the newest commit a host runs for it; nil when unreadable.
    public var lastAppliedCommitTimes: [String: Date]?

    /// Facts.
    public init(endedAt: Date, auditRecords: Int, openCircuits: Set<String>? = nil, lastAppliedCommitTimes: [String: Date]? = nil) {
        self.endedAt = endedAt
        self.auditRecords = auditRecords
        self.openCircuits = openCircuits
        self.lastAppliedCommitTimes = lastAppliedCommitTimes
    }

    /// Reads the facts of a run that has ended from `state` (the lock released or still held by
    /// this process); `audit` counts the records appended since it started.
    static func read(_ state: StateDirectory, audit: AuditGrowth) async -> RunFacts {
        let circuits = try? state.circuitBreakers.load()
        let applied = try? state.appliedCommits.load()
        let repository = state.repositoryURL
        let commitTimes: [String: Date]? = await (try? BlockingWork.run { () -> [String: Date]? in
            applied.flatMap { newestCommitTimes($0, repository: repository) }
        }) ?? nil
        return RunFacts(
            endedAt: Date(), auditRecords: audit.recordsAppended(),
            openCircuits: circuits.map { Set($0.hosts.filter { $0.value.state == .open }.keys) },
            lastAppliedCommitTimes: commitTimes)
    }

    /// Service → the newest commit time among the commits its hosts run, read from the clone.
    private static func newestCommitTimes(_ applied: AppliedCommits, repository url: URL) -> [String: Date]? {
        guard let repository = try? GitRepository.open(at: url) else { return nil }
        var times: [String: Date] = [:]
        var cache: [String: Date] = [:]
        for (service, hosts) in applied.services {
            for entry in hosts.values {
                guard let time = cache[entry.commit] ?? CommitID(entry.commit).flatMap({ try? repository.commitInfo($0).committedAt }) else { continue }
                cache[entry.commit] = time
                times[service] = max(times[service] ?? time, time)
            }
        }
        return times
    }
}
