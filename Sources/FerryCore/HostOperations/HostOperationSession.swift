import FerryAudit
import FerryGit
import FerryConfig
import Foundation

/// The steps a changing host operation shares with a reconcile, so it never interleaves
/// with one: take the local lock → open the audit log → fetch the config repository and load
/// the commit → pick the service and its hosts → read their state in one round trip per host →
/// run the operation → sync the audit log → close every connection and wait for it.
struct HostOperationSession: Sendable {
    let request: HostOperationRequest

    /// The reconcile whose steps the session runs.
    var steps: Reconciler {
        Reconciler(request: ReconcileRequest(settings: request.settings, lockWait: request.lockWait,
                                             command: request.command, environment: request.environment))
    }

    /// Runs `operation` with the lock held and the service's hosts observed.
    /// - Throws: ``ReconcileError`` (lock, settings, Git, config, state), ``HostOperationError``.
    func run(_ operation: (HostOperationContext) async throws -> HostOperationReport) async throws -> HostOperationReport {
        let steps = self.steps
        let url = try steps.repositoryURL()
        let state = try steps.prepareStateDirectory()
        let lock = try await steps.takeLocalLock(state)
        defer { lock.release() }
        let audit = try await steps.openAuditLog(state, lock: lock)
        do {
            // The report and any error are redacted with every secret the operation resolved.
            return try await operate(operation, url: url, state: state, audit: audit).redacted(by: await audit.redactor())
        } catch {
            throw await audit.redactor().redact(error)
        }
    }

    private func operate(_ operation: (HostOperationContext) async throws -> HostOperationReport, url: String,
                         state: StateDirectory, audit: AuditLog) async throws -> HostOperationReport {
        let steps = self.steps
        let run = try await steps.fetchAndLoad(url: url, state: state, audit: audit)
        await audit.addSecrets(run.environments.secretValues)
        if request.onlyAtLastReconciledCommit {
            try Self.requireReconciled(run.head, lastReconciled: try state.appliedCommits.load().lastReconciled?.commit)
        }
        let (service, hosts) = try Self.select(request, in: run.configuration, revision: run.head.short)
        guard let desired = run.desired[service.name] else {
            throw HostOperationError(.unknownService, "\(service.name) has no desired release at \(run.head.short)")
        }
        let observations = await Self.observe(service, on: hosts, connector: run.connector.following(run.configuration.security), parallelism: request.settings.parallelism)
        return try await steps.closingConnections(of: observations) {
            let context = HostOperationContext(run: run, service: service, desired: desired, audit: audit, state: state,
                                               hosts: hosts.map(\.name), observations: observations)
            let report = try await operation(context)
            try await audit.sync()
            return report
        }
    }

    /// Refuses to go on unless `head` is the commit the last reconcile applied.
    static func requireReconciled(_ head: CommitID, lastReconciled: String?) throws {
        guard let lastReconciled else {
            throw HostOperationError(.notReconciled, "no reconcile has applied a commit yet; the next reconcile deploys \(head.short)")
        }
        guard lastReconciled == head.hex else {
            throw HostOperationError(.notReconciled, "Git is at \(head.short), past \(lastReconciled.prefix(7)) that the last reconcile applied; "
                                     + "not deploying it outside a reconcile, which plans, gates and applies it")
        }
    }

    /// The service `request` names and the hosts it runs on (only `request.host` when given).
    static func select(_ request: HostOperationRequest, in configuration: FerryConfiguration,
                       revision: String) throws -> (Service, [FerryConfig.Host]) {
        guard let service = configuration.service(named: request.service) else {
            throw HostOperationError(.unknownService, "the config at \(revision) has no service \"\(request.service)\" (services: \(configuration.services.map(\.name).joined(separator: ", ")))")
        }
        var names = service.hosts
        if let host = request.host {
            guard names.contains(host) else {
                throw HostOperationError(.unknownHost, "\(service.name) does not run on \"\(host)\" (its hosts: \(names.joined(separator: ", ")))")
            }
            names = [host]
        }
        return (service, names.compactMap(configuration.host(named:)))
    }

    /// Reads the state of `service` on every host of `hosts`, in one round trip per host.
    static func observe(_ service: Service, on hosts: [FerryConfig.Host], connector: HostConnector,
                        parallelism: Int) async -> [String: HostObservation] {
        let observations = await concurrentMap(hosts, limit: max(1, parallelism)) { host in
            await HostObserver(connector: connector).observe(host, services: [service])
        }
        return Dictionary(uniqueKeysWithValues: zip(hosts.map(\.name), observations))
    }
}
