/// What a quarantined commit's release failed before it was rolled back: its health check,
/// or the analysis after it. `ferry status`, `plan` and `drift` say which.
public enum QuarantineCause: String, Sendable, Equatable {
    /// The health check failed (also the cause named when another host's failure rolled it back).
    case healthCheck = "health_check"
    /// The health check passed; the analysis during the bake time failed.
    case analysis

    /// The cause a recorded quarantine reason names.
    init(reason: String) {
        self = reason.contains(ServiceDeployer.analysisFailure) ? .analysis : .healthCheck
    }

    /// The reason to record after a run rolled a service's release back on hosts, given why
    /// each was rolled back: the analysis' verdict when an analysis failed, else the health check.
    static func reason(afterRollbacks reasons: [String]) -> String {
        guard let analysis = reasons.first(where: { $0.hasPrefix(ServiceDeployer.analysisFailure) }) else {
            return "failed its health check and was rolled back"
        }
        return "its \(analysis)"
    }

    /// What failed, after a revision: `failed its health check`, `failed its analysis`.
    var failedWhat: String {
        switch self {
        case .healthCheck: "failed its health check"
        case .analysis: "failed its analysis"
        }
    }
}
