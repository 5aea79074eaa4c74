/// What a host operation did on each host of the service.
public struct HostOperationReport: Sendable, Equatable {
    /// The operation (`rollback`, `redeploy`, `shutdown`).
    public var operation: String
    /// The service.
    public var service: String
    /// One result per host, by host name.
    public var results: [HostOperationResult]
    /// Whether the service was suspended afterwards (rollback, shutdown).
    public var suspended: Bool

    /// A report.
    public init(operation: String, service: String, results: [HostOperationResult], suspended: Bool) {
        self.operation = operation
        self.service = service
        self.results = results.sorted { $0.host < $1.host }
        self.suspended = suspended
    }

    /// Whether every host succeeded.
    public var succeeded: Bool { results.allSatisfy(\.succeeded) }

    /// The exit code: 0 every host succeeded, 1 otherwise.
    public var exitCode: Int32 { succeeded ? 0 : 1 }

    /// A summary line, then one line per host.
    public var text: String {
        let failed = results.filter { !$0.succeeded }.count
        var lines = ["\(operation) \(service): \(results.count - failed) of \(results.count) host(s) ok"
                     + (suspended ? "; \(service) is suspended until `ferry resume \(service)`" : "")]
        lines += results.map { "  \($0.host): \($0.succeeded ? "ok" : "FAILED") \($0.message)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// What a host operation did on one host.
public struct HostOperationResult: Sendable, Equatable {
    /// The host.
    public var host: String
    /// Whether it did what was asked.
    public var succeeded: Bool
    /// What it did, or why it failed.
    public var message: String
    /// The release `current` points at afterwards, when known.
    public var release: String?

    /// A result.
    public init(host: String, succeeded: Bool, message: String, release: String? = nil) {
        self.host = host
        self.succeeded = succeeded
        self.message = message
        self.release = release
    }
}
