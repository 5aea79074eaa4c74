import FerryConfig

/// What a reconcile is doing, as it happens: the one stream of events the engine emits
/// through ``ProgressSink``. The live view on a terminal, the plain progress lines, the
/// structured logs and the metrics all read this same stream.
public enum ProgressEvent: Sendable {
    /// The run took the lock and opened the audit log; `runID` is the audit log's run id.
    case runStarted(runID: String)
    /// The config repository was fetched and the config at `revision` loaded; `logging` is its
    /// `logging:` section, nil when the config does not write one.
    case configLoaded(revision: String, changedServices: [String], logging: AgentLoggingSettings?)
    /// A host (and a service on it, for deploy steps) reached a new step.
    case step(host: String, service: String?, ProgressStep)
    /// A service on a host is done for this run: deployed, corrected, skipped, failed, rolled back, …
    case finished(HostResult)
    /// The run ended with `report`, after `duration`.
    case runFinished(RunReport, duration: Duration)
    /// The run stopped before it reached every host: `error` says why.
    case runFailed(error: String, duration: Duration)
}

/// A step of one host (connecting, probing) or of one service on a host (the deploy steps).
public enum ProgressStep: Sendable, Equatable {
    /// Opening the SSH connection.
    case connecting
    /// Reading the state of the host's services in one round trip.
    case probing
    /// The host was read.
    case reached
    /// The host could not be reached or read.
    case unreachable(reason: String)
    /// Uploading the files of a new release: `done` of `total` sent.
    case uploading(done: Int, total: Int)
    /// Stopping the old release, switching `current`, starting the new one.
    case switching
    /// Health check attempt `attempt` of at most `of`.
    case healthCheck(attempt: Int, of: Int)
    /// The `analysis` after the health check: query `query` of the `of` its bake time holds.
    case analysing(query: Int, of: Int)
    /// Switching back to the release that ran before, because of `reason`.
    case rollingBack(reason: String)

    /// The step's name in logs and metrics: `connecting`, `probing`, `reached`, `unreachable`,
    /// `uploading`, `switching`, `health_check`, `analysis`, `rollback`.
    public var name: String {
        switch self {
        case .connecting: "connecting"
        case .probing: "probing"
        case .reached: "reached"
        case .unreachable: "unreachable"
        case .uploading: "uploading"
        case .switching: "switching"
        case .healthCheck: "health_check"
        case .analysing: "analysis"
        case .rollingBack: "rollback"
        }
    }

    /// The step in words: "uploading 3/5 files", "health check attempt 2/10", "analysing 1/3".
    public var description: String {
        switch self {
        case .connecting: "connecting"
        case .probing: "probing"
        case .reached: "reached"
        case .unreachable(let reason): "unreachable: \(reason)"
        case .uploading(let done, let total): "uploading \(done)/\(total) files"
        case .switching: "switching"
        case .healthCheck(let attempt, let of): "health check attempt \(attempt)/\(of)"
        case .analysing(let query, let of): "analysing \(query)/\(of)"
        case .rollingBack(let reason): "rolling back: \(reason)"
        }
    }
}
