/// A service as decoded from its (merged) node, before its hosts are resolved
/// and the checks that need the whole configuration have run.
struct ServiceDraft: Sendable {
    var hosts: HostSelectionDraft?
    /// The valid patterns and where each is written.
    var sources: [(pattern: GlobPattern, location: SourceLocation)]
    /// Whether every pattern was valid (the list is usable).
    var sourcesAreValid: Bool
    var remoteDirectory: String?
    var remoteDirectoryLocation: SourceLocation?
    var run: RunSettings?
    var changeDetection: ChangeDetection
    var drift: DriftPolicy
    var hooks: Hooks
    var healthCheck: HealthCheckDraft?
    var rollbackOnFailure: Bool
    var keepReleases: Int
    var rollout: RolloutPolicy
    var errorPolicy: ErrorPolicy
    var circuitBreaker: CircuitBreakerPolicy
    var timeouts: Timeouts
    var environment: [String: EnvironmentValue]
    var approval: Approval
    var metrics: ServiceMetricsEndpoint?
    /// The declared logging, nil when neither the service nor `defaults` declares it.
    var logging: ServiceLogging?
    var alerts: [ServiceAlert]
    var analysis: AnalysisDraft?
    /// The services this one follows (`depends_on`), each with where it is written.
    var dependsOn: [(name: String, location: SourceLocation)] = []

    /// The remote directory, or the default one for `name`.
    func remoteDirectory(for name: String) -> String {
        remoteDirectory ?? "/opt/ferry/services/\(name)"
    }

    /// `env` with `LOG_LEVEL`, `LOG_FORMAT` and `LOG_OUTPUT` from a declared `logging`,
    /// where `env` does not set them itself.
    private var environmentWithLogging: [String: EnvironmentValue] {
        guard let logging else { return environment }
        var variables = environment
        let declared = [("LOG_LEVEL", logging.level.rawValue), ("LOG_FORMAT", logging.format.rawValue), ("LOG_OUTPUT", logging.output.description)]
        for (name, value) in declared where variables[name] == nil {
            variables[name] = .literal(value)
        }
        return variables
    }

    /// The service, given its name, resolved hosts and location; nil when a
    /// part is missing (already reported) or the health check has no port.
    func service(name: String, hosts resolved: [String], definedAt: SourceLocation, context: DecodingContext) -> Service? {
        guard let selection = hosts?.selection, let run, sourcesAreValid else { return nil }
        var check: HealthCheck?
        if let healthCheck {
            guard let completed = healthCheck.complete(runPort: run.port, context: context) else { return nil }
            check = completed
        }
        var service = Service(
            name: name, hosts: resolved, hostSelection: selection, sources: sources.map(\.pattern),
            remoteDirectory: remoteDirectory(for: name), run: run, changeDetection: changeDetection, drift: drift,
            hooks: hooks, healthCheck: check, rollbackOnFailure: rollbackOnFailure, keepReleases: keepReleases,
            rollout: rollout, errorPolicy: errorPolicy, circuitBreaker: circuitBreaker, timeouts: timeouts,
            environment: environmentWithLogging, approval: approval, metrics: metrics, logging: logging, alerts: alerts,
            analysis: analysis?.analysis, definedAt: definedAt)
        service.dependsOn = dependsOn.map(\.name)
        return service
    }
}
