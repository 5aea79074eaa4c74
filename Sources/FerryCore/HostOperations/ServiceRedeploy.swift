/// `ferry redeploy`: a fresh release of the revision Git has now, on every host of the service,
/// through the normal deploy path (every unchanged file hard linked, none uploaded when
/// nothing differs), restarted and health-checked, with the deploy's rollback on failure;
/// audited as a deploy with reason `redeploy`.
public struct ServiceRedeploy: Sendable {
    /// The service, hosts and settings.
    public var request: HostOperationRequest

    /// A redeploy of `request.service`.
    public init(request: HostOperationRequest) {
        self.request = request
    }

    /// Redeploys every host of the service (or `request.host`).
    /// - Throws: ``ReconcileError``, ``HostOperationError`` (unknown service or host; a
    ///   suspended service, which a redeploy would move off its pinned release).
    public func run() async throws -> HostOperationReport {
        try await HostOperationSession(request: request).run { context in
            if try context.isSuspended() {
                throw HostOperationError(.suspended, "\(context.service.name) is suspended; a redeploy would undo that. Run `ferry resume \(context.service.name)` first")
            }
            let results = await context.forEachHost { host in
                var plan = context.plan(on: host)
                plan.action = .deploy(.redeploy)
                let outcome = await context.deployer(on: host, plan: plan).deploy()
                switch outcome {
                case .deployed(let release, let files, let bytes), .corrected(let release, let files, let bytes):
                    return HostOperationResult(host: host.host, succeeded: true,
                                               message: "\(release) of \(context.desired.revision.short): \(files) file(s) uploaded (\(bytes) bytes)",
                                               release: release)
                default:
                    return HostOperationResult(host: host.host, succeeded: false, message: "\(outcome)")
                }
            }
            return HostOperationReport(operation: "redeploy", service: context.service.name, results: results, suspended: false)
        }
    }
}
