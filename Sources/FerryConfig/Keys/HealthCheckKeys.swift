/// The keys of `health_check`.
enum HealthCheckKeys {
    /// Would stand for each host's address in a health-check `url`; not
    /// supported yet (the engine does not substitute it), so refused.
    static let addressPlaceholder = "{address}"

    static let http = KeySpec<String>.optional(
        "http", .httpPath,
        doc: "Path fetched with HTTP GET on the host's loopback, through the SSH connection itself (the port need not be exposed). Healthy on 2xx.")
    static let url = KeySpec<String>.optional(
        "url",
        ValueSpec<String>.healthURL.refusing([
            UnsupportedValue(
                subject: "the `\(addressPlaceholder)` placeholder",
                status: .notSupported(issue: 10, instead: "write the address the host itself reaches, such as `http://127.0.0.1:8080/health`")
            ) { $0.contains(addressPlaceholder) },
        ]),
        doc: "A full URL fetched instead with `curl` on the host itself. Plaintext `http://` only to loopback or a network zone.")
    static let command = KeySpec<String>.optional(
        "command", .command, doc: "A command run on the host in the release directory instead; healthy on exit status 0.")
    static let port = KeySpec<Int>.optional(
        "port", .integer(1...65535), defaultText: "`run.port`", doc: "Port of the `http` check.")
    static let timeout = KeySpec<Duration>.defaulted(
        "timeout", .duration(.milliseconds(100) ... .seconds(300)), .seconds(5), "`5s`", doc: "How long one probe may take.")
    static let interval = KeySpec<Duration>.defaulted(
        "interval", .duration(.milliseconds(100) ... .seconds(3_600)), .seconds(2), "`2s`", doc: "The pause between probes.")
    static let retries = KeySpec<Int>.defaulted(
        "retries", .integer(1...100), 5, "`5`", doc: "How many probes a deploy tries before declaring the release unhealthy.")
    static let healthyThreshold = KeySpec<Int>.defaulted(
        "healthy_threshold", .integer(1...100), 1, "`1`", doc: "Consecutive successes that make the service healthy.")
    static let unhealthyThreshold = KeySpec<Int>.defaulted(
        "unhealthy_threshold", .integer(1...100), 3, "`3`",
        doc: "Consecutive failures that make a service unhealthy in the daemon's health loop (`reconcile --interval`), which probes every `interval` between runs; a deploy's own check still gives up after `retries` probes.")

    static let spec = ObjectSpec(
        id: "HealthCheck", path: "services.<name>.health_check",
        doc: "How Ferry decides that a deployed release works: exactly one of `http`, `url` or `command`.",
        keys: [http.info, url.info, command.info, port.info, timeout.info, interval.info, retries.info, healthyThreshold.info, unhealthyThreshold.info],
        exclusive: [ExclusiveGroup(keys: ["http", "url", "command"], isRequired: true)],
        example: """
            health_check: { http: /health, port: 8080, timeout: 5s, interval: 2s, retries: 5 }
            """)

    static let value = ValueSpec<HealthCheckDraft>.object(spec) { reader in
        let probe: HealthCheckDraft.Probe
        if let path = reader.read(HealthCheckKeys.http) {
            probe = .http(path: path, port: reader.read(HealthCheckKeys.port))
        } else if let url = reader.read(HealthCheckKeys.url), let location = reader.valueNode("url")?.location {
            probe = .url(url, location)
        } else if let command = reader.read(HealthCheckKeys.command) {
            probe = .command(command)
        } else {
            return nil
        }
        if reader.has("port"), !reader.has("http"), let location = reader.keyLocation("port") {
            reader.context.report(.invalidValue, "`port` applies to `http` checks only", hint: "put the port in the URL", at: location)
        }
        return HealthCheckDraft(
            probe: probe, location: reader.node.location, timeout: reader.value(HealthCheckKeys.timeout),
            interval: reader.value(HealthCheckKeys.interval), retries: reader.value(HealthCheckKeys.retries),
            healthyThreshold: reader.value(HealthCheckKeys.healthyThreshold),
            unhealthyThreshold: reader.value(HealthCheckKeys.unhealthyThreshold))
    }
}

/// A health check as decoded, before the service supplies `run.port`.
struct HealthCheckDraft: Sendable {
    enum Probe: Sendable {
        case http(path: String, port: Int?)
        case url(String, SourceLocation)
        case command(String)
    }

    var probe: Probe
    var location: SourceLocation
    var timeout: Duration
    var interval: Duration
    var retries: Int
    var healthyThreshold: Int
    var unhealthyThreshold: Int

    /// The health check, or nil (reported) when an `http` check has no port.
    func complete(runPort: Int?, context: DecodingContext) -> HealthCheck? {
        let resolved: HealthProbe
        switch probe {
        case .http(let path, let port):
            guard let port = port ?? runPort else {
                context.report(
                    .missingKey, "the `http` health check has no port", hint: "set `health_check.port` or `run.port`", at: location)
                return nil
            }
            resolved = .http(path: path, port: port)
        case .url(let url, _): resolved = .url(url)
        case .command(let command): resolved = .command(command)
        }
        return HealthCheck(
            probe: resolved, timeout: timeout, interval: interval, retries: retries,
            healthyThreshold: healthyThreshold, unhealthyThreshold: unhealthyThreshold)
    }
}
