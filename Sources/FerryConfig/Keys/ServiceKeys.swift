/// The keys of a service, and which of them `defaults` may set.
enum ServiceKeys {
    static let hosts = KeySpec<HostSelectionDraft>.required(
        "hosts", hostSelection,
        doc: "The hosts the service runs on: a list of host names, or a label selector mapping (`{ role: web }`) that must match at least one host.")
    static let sources = KeySpec<[GlobPattern]>.required(
        "sources", .list(.glob, minimumCount: 1, typeName: "list of glob patterns"),
        doc: "Repository files that make up the service (`src/**/*.py`). A change to any of them deploys the service. Relative to the repository root; no `..`, no absolute paths, no symlinks out of the repository.")
    static let remoteDirectory = KeySpec<String>.optional(
        "remote_dir", .remoteDirectory, defaultText: "`/opt/ferry/services/<name>`",
        doc: "Where releases live on each host. Absolute, and not a system directory (`/`, `/etc`, `/usr`, …).")
    static let run = KeySpec<RunSettings>.required("run", RunKeys.value, doc: "How the service's process runs.")
    static let dependsOn = KeySpec<[String]>.defaulted(
        "depends_on", .list(NameRule.resource.spec, typeName: "list of service names"), [], "none",
        doc: "Services this one follows (`[db, cache]`). Services with no ordering between them roll out at the same time; this one waits until the rollouts of the services it names are over, and on a host where one of them failed (or was not attempted) it is not attempted either, with the reason in the report. `ferry plan` shows the order. Each name must be a service of the config; a cycle is an error. Not inheritable from `defaults`.")
    static let changeDetection = KeySpec<ChangeDetection>.defaulted(
        "change_detection", .choice(ChangeDetection.self), .contentHash, "`content_hash`",
        doc: "How Ferry tells that a service needs deploying and whether a host's files drifted. `content_hash`: Git's files and settings against the running release's manifest; the host probe hashes (SHA-256) every file. `git_commit`: deploys when a commit since the host's revision touched `sources`, or the settings changed — never for unrelated commits (README, other services); drift is still found by hashing. `mtime`: as `content_hash`, but the probe compares each file's size, mode and modification time with those recorded at deploy (rsync's quick check) and hashes only when they differ: far cheaper on large releases, but blind to an edit that keeps a file's size and puts its modification time back (`touch -r`).")
    static let drift = KeySpec<DriftPolicy>.defaulted(
        "drift", .choice(DriftPolicy.self), .correct, "`correct`",
        doc: "What Ferry does when a host changed outside Ferry: put it back (`correct`) or only record and report it (`report`).")
    static let hooks = KeySpec<Hooks>.defaulted("hooks", HookKeys.value, .none, "none", doc: "Commands run around a deploy.")
    static let healthCheck = KeySpec<HealthCheckDraft>.optional(
        "health_check", HealthCheckKeys.value, defaultText: "none",
        doc: "How Ferry checks a new release; without one, a release that starts counts as healthy.")
    static let rollbackOnFailure = KeySpec<Bool>.defaulted(
        "rollback_on_failure", .boolean, true, "`true`",
        doc: "Switch back to the previous release when the health check (or analysis) fails.")
    static let keepReleases = KeySpec<Int>.defaulted(
        "keep_releases", .integer(1...100), 5, "`5`", doc: "Releases kept on each host; older ones are pruned.")
    static let rollout = KeySpec<RolloutPolicy>.defaulted(
        "rollout", RolloutKeys.value, RolloutKeys.standard, "see [rollout](#rollout)", doc: "How a deploy proceeds across hosts.")
    static let errorPolicy = KeySpec<ErrorPolicy>.defaulted(
        "error_policy", ErrorPolicyKeys.value, ErrorPolicyKeys.standard, "see [error_policy](#errorpolicy)", doc: "How failed remote steps are retried.")
    static let circuitBreaker = KeySpec<CircuitBreakerPolicy>.defaulted(
        "circuit_breaker", CircuitBreakerKeys.value, CircuitBreakerKeys.standard, "see [circuit_breaker](#circuitbreaker)",
        doc: "When Ferry stops trying a failing host for a while.")
    static let timeouts = KeySpec<Timeouts>.defaulted(
        "timeouts", TimeoutKeys.value, TimeoutKeys.standard, "see [timeouts](#timeouts)", doc: "Limits on network steps.")
    static let environment = KeySpec<[String: EnvironmentValue]>.defaulted(
        "env", EnvironmentKeys.value, [:], "none",
        doc: "Environment variables of the service. Secrets only by reference (`from_env`, `from_file`); names that look like secrets (`*_TOKEN`, `*_PASSWORD`, …) cannot have inline values, nor can URLs with a password in them (`postgres://user:password@db/app`).")
    static let approval = KeySpec<Approval>.defaulted(
        "approval", .choice(Approval.self), .auto, "`auto`", doc: "Whether deploys go ahead (`auto`) or wait for an operator (`manual`).")
    static let metrics = KeySpec<ServiceMetricsEndpoint>.optional(
        "metrics", ServiceMetricsKeys.value, defaultText: "none",
        doc: "The service's own Prometheus endpoint, on each of its hosts. With the agent setting `targets_file`, every host where the service is deployed is listed there as a Prometheus `file_sd` target (`ADDRESS:PORT`, the host's SSH address) with this path; without it, nothing reads this key.")
    static let logging = KeySpec<ServiceLogging>.defaulted(
        "logging", LoggingKeys.serviceValue, LoggingKeys.standard, "`{ level: info, format: json, output: stdout }`",
        doc: "How the service logs. When declared (here or in `defaults`), the service gets `LOG_LEVEL`, `LOG_FORMAT` and `LOG_OUTPUT` in its environment (unless `env` sets them), and its output goes where `output` says: the journal for `stdout`, `stderr` and `journal` (`StandardOutput=journal`; `.ferry/service.log` for `manager: process`), or appended to an absolute file (`StandardOutput=append:PATH`, and the process's log file).")
    static let alerts = KeySpec<[ServiceAlert]>.defaulted(
        "alerts", ServiceAlertKeys.list, [], "none",
        doc: "Alert rules about the service, written by `ferry render SERVICE --out DIR` as Prometheus alerting rules (`<name>.rules.yml`, next to `ferry.rules.yml` with Ferry's own alerts) for your Prometheus to load.")
    static let analysis = KeySpec<AnalysisDraft>.optional(
        "analysis", AnalysisKeys.value, defaultText: "none",
        doc: "A metric watched after each deploy, once the health check passed: its PromQL query is asked every `interval` during `bake_time`; a value on the unhealthy side of the threshold fails the deploy, which rolls back like a failed health check.")

    /// The keys `defaults` may set for every service.
    static let inheritable = [
        "run", "change_detection", "drift", "hooks", "health_check", "rollback_on_failure", "keep_releases", "rollout",
        "error_policy", "circuit_breaker", "timeouts", "env", "approval", "metrics", "logging", "alerts", "analysis",
    ]

    static let spec = ObjectSpec(
        id: "Service", path: "services.<name>", noun: "service",
        doc: "A service Ferry deploys: which files, to which hosts, how it runs and how it is checked. Its settings are its own keys over `defaults`. Service names match `[a-z0-9][a-z0-9_.-]*`.",
        keys: [
            hosts.info, sources.info, remoteDirectory.info, run.info, dependsOn.info, changeDetection.info, drift.info, hooks.info,
            healthCheck.info, rollbackOnFailure.info, keepReleases.info, rollout.info, errorPolicy.info,
            circuitBreaker.info, timeouts.info, environment.info, approval.info, metrics.info, logging.info,
            alerts.info, analysis.info,
        ],
        example: """
            services:
              api:
                hosts: { role: web }
                sources: [ "api/**/*.py", "requirements.txt" ]
                run: { command: "python3 api/server.py", port: 8080 }
                health_check: { http: /health }
            """)

    static let value = ValueSpec<ServiceDraft>.object(spec) { reader in
        let allSources = reader.read(ServiceKeys.sources)
        // Each valid pattern is checked against the tree even when another is
        // invalid; decoding one again reports nothing new.
        let sources = (reader.valueNode("sources")?.items ?? []).compactMap { node in
            ValueSpec<GlobPattern>.glob.decode(node, reader.context).map { (pattern: $0, location: node.location) }
        }
        let dependencies = zip(reader.value(ServiceKeys.dependsOn), reader.valueNode("depends_on")?.items?.map(\.location) ?? [])
            .map { (name: $0, location: $1) }
        var draft = ServiceDraft(
            hosts: reader.read(ServiceKeys.hosts), sources: sources, sourcesAreValid: allSources != nil,
            remoteDirectory: reader.read(ServiceKeys.remoteDirectory),
            remoteDirectoryLocation: reader.valueNode("remote_dir")?.location,
            run: reader.read(ServiceKeys.run), changeDetection: reader.value(ServiceKeys.changeDetection),
            drift: reader.value(ServiceKeys.drift), hooks: reader.value(ServiceKeys.hooks),
            healthCheck: reader.read(ServiceKeys.healthCheck), rollbackOnFailure: reader.value(ServiceKeys.rollbackOnFailure),
            keepReleases: reader.value(ServiceKeys.keepReleases), rollout: reader.value(ServiceKeys.rollout),
            errorPolicy: reader.value(ServiceKeys.errorPolicy), circuitBreaker: reader.value(ServiceKeys.circuitBreaker),
            timeouts: reader.value(ServiceKeys.timeouts), environment: reader.value(ServiceKeys.environment),
            approval: reader.value(ServiceKeys.approval), metrics: reader.read(ServiceKeys.metrics),
            logging: reader.valueNode("logging") == nil ? nil : reader.value(ServiceKeys.logging), alerts: reader.value(ServiceKeys.alerts),
            analysis: reader.read(ServiceKeys.analysis))
        draft.dependsOn = dependencies
        return draft
    }

    /// `[web-1, web-2]` or `{ role: web }`.
    private static var hostSelection: ValueSpec<HostSelectionDraft> {
        let names = ValueSpec<[String]>.list(NameRule.resource.spec, minimumCount: 1)
        let labels = ValueSpec<[String: String]>.map(keys: .label, NameRule.label.spec)
        return ValueSpec<HostSelectionDraft>(
            typeName: "list of host names, or label selector",
            schema: { builder in
                .object([("oneOf", .array([
                    names.schema(&builder),
                    .object([
                        ("type", .string("object")), ("minProperties", .int(1)),
                        ("propertyNames", .object([("pattern", .string(NameRule.label.pattern))])),
                        ("additionalProperties", NameRule.label.spec.schema(&builder)),
                    ]),
                ]))])
            },
            decode: { node, context in
                if let items = node.items {
                    guard let hostNames = names.decode(node, context) else { return nil }
                    return HostSelectionDraft(selection: .names(hostNames), locations: items.map(\.location), location: node.location)
                }
                if let pairs = node.pairs {
                    guard !pairs.isEmpty else {
                        context.report(.invalidValue, "the label selector is empty; it would match every host", hint: "list the labels, such as `{ role: web }`", at: node.location)
                        return nil
                    }
                    return labels.decode(node, context).map { HostSelectionDraft(selection: .labels($0), locations: [], location: node.location) }
                }
                context.wrongType(node, expected: "a list of host names or a label selector mapping")
                return nil
            })
    }
}

/// A service's host selection and where it is written, for resolution.
struct HostSelectionDraft: Sendable {
    var selection: HostSelection
    /// Where each name is written (names only).
    var locations: [SourceLocation]
    var location: SourceLocation
}
