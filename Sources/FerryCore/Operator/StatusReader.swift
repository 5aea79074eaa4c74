import FerryAudit
import FerryConfig
import FerryGit
import Foundation

/// Builds the ``StatusReport`` from the state directory, the agent's clone and the audit log
/// only: no host is contacted and nothing is written.
///
/// Blocking file and libgit2 reads: call it from a synchronous command or a dedicated thread.
public struct StatusReader: Sendable {
    /// Where the state directory and the audit log are, and the branch.
    public let settings: AgentSettings

    /// A reader for `settings`.
    public init(settings: AgentSettings) {
        self.settings = settings
    }

    /// The report.
    /// - Throws: ``OperatorError`` (`state`) when a state file is unreadable or corrupt.
    public func read() throws -> StatusReport {
        let state = StateDirectory(root: URL(fileURLWithPath: settings.stateDirectory, isDirectory: true))
        do { try state.refuseUnsafePermissions() } catch {
            throw OperatorError(.state, error.problem, hint: "Ferry refuses to trust it; fix: \(error.fix)")
        }
        let files = try StateFiles(state)
        var warnings: [String] = []
        let lookup = AgentClone.lookup(in: state, branch: settings.branch)
        switch lookup {
        case .missing:
            warnings.append("no clone of the config repository in \(state.repositoryURL.path) yet: pending revisions and approvals are not known")
        case .unusable(let reason):
            warnings.append("\(reason): pending revisions and approvals are not known")
        case .found(let clone):
            if let problem = clone.configProblem { warnings.append("\(problem): the services listed are those of the state files") }
        }
        let results = readLastResults(&warnings)
        let clone = lookup.clone
        let configuration = clone?.configuration
        let services = serviceNames(configuration: configuration, files: files).map { name in
            entry(for: name, definition: configuration?.service(named: name), configKnown: configuration != nil,
                  clone: clone, files: files, results: results)
        }
        return StatusReport(branch: clone?.branch ?? settings.branch, head: clone?.head, lastReconciled: files.applied.lastReconciled,
                            services: services, warnings: warnings, circuits: files.circuits.hosts)
    }

    /// The state files, loaded once.
    private struct StateFiles {
        var applied: AppliedCommits
        var suspended: SuspendedServices
        var quarantined: QuarantinedCommits
        var approvals: Approvals
        var circuits: CircuitBreakers

        init(_ state: StateDirectory) throws {
            do {
                applied = try state.appliedCommits.load()
                suspended = try state.suspendedServices.load()
                quarantined = try state.quarantinedCommits.load()
                approvals = try state.approvals.load()
                circuits = try state.circuitBreakers.load()
            } catch {
                throw OperatorError(.state, "\(error)")
            }
        }
    }

    /// The services of the config, and every service a state file names (a suspension made
    /// before the first reconcile, a service removed from the config), sorted.
    private func serviceNames(configuration: FerryConfiguration?, files: StateFiles) -> [String] {
        var names = Set(files.suspended.services.keys)
        if let configuration {
            names.formUnion(configuration.services.map(\.name))
        } else {
            names.formUnion(files.applied.services.keys)
            names.formUnion(files.quarantined.services.keys)
        }
        return names.sorted()
    }

    private func entry(for name: String, definition: Service?, configKnown: Bool, clone: AgentClone?,
                       files: StateFiles, results: [PairKey: StatusReport.LastResult]) -> StatusReport.ServiceEntry {
        let suspension = files.suspended.services[name]
        let quarantine = files.quarantined.services[name]
        let approved = files.approvals.services[name].map { $0.keys.sorted() } ?? []
        let hostNames = definition?.hosts ?? (configKnown ? [] : files.applied.services[name].map { Array($0.keys) } ?? [])
        var hosts = hostNames.sorted().map { host in
            let applied = files.applied.entry(service: name, host: host)
            let pending = definition.flatMap { service in clone.flatMap { pendingCommit(service, applied: applied, clone: $0) } }
            return StatusReport.HostEntry(host: host, state: .ok, applied: applied, pending: pending, lastResult: results[PairKey(service: name, host: host)])
        }
        let awaiting: CommitID? = {
            guard definition?.approval == .manual, let head = clone?.head, !approved.contains(head.hex),
                  hosts.contains(where: { $0.pending != nil }) else { return nil }
            return head
        }()
        for index in hosts.indices {
            hosts[index].state = state(of: hosts[index], suspended: suspension != nil, quarantine: quarantine,
                                       awaitingApproval: awaiting != nil, cloneKnown: clone != nil)
        }
        return StatusReport.ServiceEntry(
            name: name, inConfig: configKnown ? definition != nil : nil, approval: definition?.approval,
            suspension: suspension, quarantine: quarantine, approved: approved, awaitingApproval: awaiting, hosts: hosts)
    }

    /// `origin/<branch>`'s commit when it changes the service's sources since the applied commit.
    private func pendingCommit(_ service: Service, applied: AppliedCommits.Entry?, clone: AgentClone) -> CommitID? {
        guard let applied else { return clone.head }
        return clone.sourcesChanged(of: service, since: applied.commit) ? clone.head : nil
    }

    private func state(of host: StatusReport.HostEntry, suspended: Bool, quarantine: QuarantinedCommits.Entry?,
                       awaitingApproval: Bool, cloneKnown: Bool) -> StatusReport.HostState {
        if suspended { return .suspended }
        if let quarantine {
            let held = cloneKnown ? host.pending?.hex == quarantine.commit : host.applied?.commit != quarantine.commit
            if held { return .quarantined }
        }
        if let result = host.lastResult, result.isFailure, host.pending == nil || result.revision == host.pending?.hex {
            return .failed
        }
        if host.pending != nil { return awaitingApproval ? .awaitingApproval : .pending }
        if host.lastResult?.kind == .driftDetected { return .drifted }
        return .ok
    }

    /// A service on a host.
    private struct PairKey: Hashable {
        var service: String
        var host: String
    }

    /// The last result record of every (service, host) pair, reading the log once.
    private func readLastResults(_ warnings: inout [String]) -> [PairKey: StatusReport.LastResult] {
        let url = URL(fileURLWithPath: settings.auditLog)
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        var results: [PairKey: StatusReport.LastResult] = [:]
        var unreadable = 0
        do {
            let reader = try AuditReader(url: url, filter: AuditFilter(kinds: StatusReport.LastResult.kinds))
            while let item = try reader.next() {
                switch item {
                case .record(let record, _, _):
                    guard let service = record.service, let host = record.host else { continue }
                    results[PairKey(service: service, host: host)] = StatusReport.LastResult(record)
                case .unreadable:
                    unreadable += 1
                }
            }
        } catch {
            warnings.append("cannot read the audit log: \(error); last results are incomplete")
        }
        if unreadable > 0 {
            warnings.append("\(url.path): \(unreadable) unreadable \(unreadable == 1 ? "line" : "lines") (see `ferry audit verify`)")
        }
        return results
    }
}
