/// The top-level keys of `ferry.yaml` (and of the files it includes), and of `defaults`.
enum RootKeys {
    /// The file at the repository root that Ferry reads first.
    static let rootFile = "ferry.yaml"

    static let include = KeySpec<[GlobPattern]>.defaulted(
        "include", .list(.glob, typeName: "list of glob patterns"), [], "none",
        doc: "Further YAML files of the repository to read, such as `services/*.yaml`; only in `ferry.yaml`. Included files hold the same top-level keys (except `include`); a host, a service or a section is defined once across all files.")
    static let hosts = KeySpec<[String: HostDraft]>.defaulted(
        "hosts", .map(keys: .resource, HostKeys.value, typeName: "mapping of name to [host](#host)"), [:], "none",
        doc: "The machines Ferry deploys to, by name.")
    static let defaults = KeySpec<Bool>.optional(
        "defaults", validating(DefaultsKeys.spec, relaxed: true), defaultText: "none",
        doc: "Settings every service (and, under `ssh`, every host) inherits unless it sets its own.")
    static let services = KeySpec<[String: ServiceDraft]>.defaulted(
        "services", .map(keys: .resource, ServiceKeys.value, typeName: "mapping of name to [service](#service)"), [:], "none",
        doc: "The services Ferry deploys, by name.")
    static let security = KeySpec<SecurityPolicy>.defaulted(
        "security", SecurityKeys.value, .standard, "see [security](#security)", doc: "The security policy.")
    static let alerts = KeySpec<[AlertRouteDraft]>.defaulted(
        "alerts", .list(AlertRouteKeys.value), [], "none", doc: "Routes for Ferry's own events to webhooks.")
    static let metrics = KeySpec<AgentMetricsSettings>.defaulted(
        "metrics", AgentMetricsKeys.value, .standard, "see [metrics](#agentmetrics)", doc: "The agent's own metrics endpoint.")
        .notSupported(issue: 11, instead: "remove it: the daemon's listener is an agent setting, `listen` (`--listen`, `FERRY_LISTEN`), and serves `/metrics`")
    static let logging = KeySpec<AgentLoggingSettings>.defaulted(
        "logging", LoggingKeys.agentValue, .standard, "none: progress lines on standard error, no log lines",
        doc: "How `ferry reconcile` logs to standard error (see [logging](#agentlogging)); `--log-format` and `--log-level` override it.")

    /// Sections that a single file may define.
    static let singularSections = ["defaults", "security", "metrics", "logging"]

    static let spec = ObjectSpec(
        id: "FerryConfig", path: "ferry.yaml", noun: "the file",
        doc: "A Ferry config repository: `ferry.yaml` at its root, and the files it includes.",
        keys: [include.info, hosts.info, defaults.info, services.info, security.info, alerts.info, metrics.info, logging.info],
        example: """
            include: [ "services/*.yaml" ]
            hosts:
              web-1: { address: 10.0.0.5, user: deploy, labels: { role: web } }
            services:
              api:
                hosts: { role: web }
                sources: [ "api/**" ]
                run: { command: "python3 api/server.py", port: 8080 }
            """)

    /// An object spec whose value only reports problems (every key is checked
    /// as unread), for sections decoded piecewise by the loader (`defaults`).
    static func validating(_ spec: ObjectSpec, relaxed: Bool) -> ValueSpec<Bool> {
        var value = ValueSpec<Bool>.object(spec) { _ in true }
        if relaxed {
            let schema = value.schema
            value.schema = { builder in builder.relaxing(schema) }
            let decode = value.decode
            value.decode = { node, context in context.relaxingRequired { decode(node, context) } }
        }
        return value
    }
}

/// The keys of `defaults`: a service's inheritable keys, plus `ssh` for hosts.
enum DefaultsKeys {
    static let ssh = KeySpec<Bool>.optional(
        "ssh", RootKeys.validating(HostKeys.sshDefaultsSpec, relaxed: false), defaultText: "none",
        doc: "SSH settings every host inherits: `user`, `port`, `agent`, `key_file`, `connect_timeout`.")

    static let spec = ServiceKeys.spec.restricted(
        to: ServiceKeys.inheritable, id: "Defaults", path: "defaults",
        doc: "Settings inherited by every service (its own keys win, key by key inside sections) and, under `ssh`, by every host.",
        example: """
            defaults:
              ssh: { user: deploy, agent: true, key_file: ~/.ssh/deploy_key, connect_timeout: 5s }
              run: { manager: process }
              timeouts: { read: 30s, total: 5m }
              health_check: { http: /health, retries: 10 }
            """,
        adding: [ssh.info])
}
