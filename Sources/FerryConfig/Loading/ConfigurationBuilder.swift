import Foundation

/// Combines the sections of every file, applies `defaults`, resolves host
/// selections and runs the checks that need the whole configuration.
struct ConfigurationBuilder {
    let files: [FileSections]
    let source: any ConfigFileSource
    let context: DecodingContext

    /// The configuration, or nil when a part could not be decoded (reported).
    func build(files paths: [String]) -> FerryConfiguration? {
        let singular = singularSections()
        let defaults = singular["defaults"]
        if let defaults { _ = RootKeys.defaults.value.decode(defaults, context) }
        let serviceDefaults = defaults.map { Self.restricted($0, to: ServiceKeys.inheritable) }
        let sshDefaults = defaults?.pairs?.first { $0.key == "ssh" }.map { Self.restricted($0.value, to: HostKeys.inheritable) }

        let security = singular["security"].flatMap { SecurityKeys.value.decode($0, context) } ?? .standard
        let hostEntries = entries(of: "hosts")
        let hosts = buildHosts(hostEntries, sshDefaults: sshDefaults)
        let services = buildServices(
            defaults: serviceDefaults, hosts: hosts, definedHostNames: hostEntries.map(\.key), security: security)
        let routes = buildAlertRoutes(security: security)
        let metrics = singular["metrics"].flatMap { AgentMetricsKeys.value.decode($0, context) } ?? .standard
        let logging = singular["logging"].flatMap { LoggingKeys.agentValue.decode($0, context) }
        return FerryConfiguration(
            hosts: hosts, services: services, security: security, alertRoutes: routes, metrics: metrics,
            logging: logging, files: paths)
    }

    /// `defaults` (or `defaults.ssh`) with only the keys a service (or host)
    /// inherits: the others are reported once, by the decoding of `defaults`.
    private static func restricted(_ node: ConfigNode, to names: [String]) -> ConfigNode {
        guard let pairs = node.pairs else { return node }
        return ConfigNode(content: .mapping(pairs.filter { names.contains($0.key) }), location: node.location)
    }

    /// Sections that one file alone may define; a second definition is reported.
    private func singularSections() -> [String: ConfigNode] {
        var found: [String: (node: ConfigNode, keyLocation: SourceLocation)] = [:]
        for file in files {
            for name in RootKeys.singularSections {
                guard let node = file.reader.valueNode(name), let keyLocation = file.reader.keyLocation(name) else { continue }
                if let first = found[name] {
                    context.report(
                        .duplicateDefinition, "`\(name)` is defined twice", hint: "the first definition is at \(first.keyLocation)",
                        at: keyLocation)
                } else {
                    found[name] = (node, keyLocation)
                }
            }
        }
        return found.mapValues(\.node)
    }

    /// The entries of a name-keyed section (`hosts`, `services`) across all
    /// files, refusing names defined twice. An invalid name is reported and
    /// its entry kept, so that its body is still checked; the loader then
    /// leaves it out of the configuration, which is invalid anyway.
    private func entries(of section: String) -> [ConfigNode.Pair] {
        var entries: [ConfigNode.Pair] = []
        for file in files {
            guard let node = file.reader.valueNode(section) else { continue }
            guard let pairs = node.pairs else {
                context.wrongType(node, expected: "a mapping of names to \(section)")
                continue
            }
            for pair in pairs {
                if let problem = NameRule.resource.problem(pair.key, what: section == "hosts" ? "host name" : "service name") {
                    context.report(problem.kind, problem.message, hint: problem.hint, at: pair.keyLocation)
                }
                if let first = entries.first(where: { $0.key == pair.key }) {
                    context.report(
                        .duplicateDefinition, "`\(pair.key)` is defined twice in `\(section)`",
                        hint: "the first definition is at \(first.keyLocation)", at: pair.keyLocation)
                    continue
                }
                entries.append(pair)
            }
        }
        return entries
    }

    private func buildHosts(_ entries: [ConfigNode.Pair], sshDefaults: ConfigNode?) -> [Host] {
        entries.compactMap { pair in
            let merged = NodeMerger.merge(base: sshDefaults, override: pair.value, spec: HostKeys.spec)
            guard let draft = HostKeys.value.decode(merged, context) else { return nil }
            return Host(name: pair.key, transport: draft.transport, labels: draft.labels, definedAt: pair.keyLocation)
        }
        .sorted { $0.name < $1.name }
    }

    /// The services; names of hosts defined but invalid still count as
    /// defined, so that one broken host does not make every reference fail.
    private func buildServices(defaults: ConfigNode?, hosts: [Host], definedHostNames: [String], security: SecurityPolicy) -> [Service] {
        var sourceCheck = SourceTreeCheck(source: source)
        var services: [(service: Service, draft: ServiceDraft)] = []
        let serviceEntries = entries(of: "services")
        for pair in serviceEntries {
            let merged = NodeMerger.merge(base: defaults, override: pair.value, spec: ServiceKeys.spec)
            guard let draft = ServiceKeys.value.decode(merged, context) else { continue }
            for source in draft.sources {
                sourceCheck.check(source.pattern, at: source.location, context: context)
            }
            let resolved = draft.hosts.flatMap { resolve($0, hosts: hosts, definedNames: definedHostNames) }
            checkPlaintext(draft, hosts: hosts.filter { resolved?.contains($0.name) ?? false }, security: security)
            if let resolved, let service = draft.service(name: pair.key, hosts: resolved, definedAt: pair.keyLocation, context: context) {
                services.append((service, draft))
            }
        }
        checkRemoteDirectoryOverlaps(services)
        checkDependencies(services.map(\.draft.dependsOn), of: services.map(\.service.name), definedNames: serviceEntries.map(\.key))
        return services.map(\.service).sorted { $0.name < $1.name }
    }

    /// Host names for a selection, or nil when a name is unknown or a
    /// selector matches nothing (reported).
    private func resolve(_ draft: HostSelectionDraft, hosts: [Host], definedNames known: [String]) -> [String]? {
        switch draft.selection {
        case .names(let names):
            var valid = true
            for (name, location) in zip(names, draft.locations) where !known.contains(name) {
                context.report(
                    .unknownHost, "host `\(name)` is not defined",
                    hint: Suggestion.hint(for: name, among: known) ?? "define it under `hosts`", at: location)
                valid = false
            }
            return valid ? Array(Set(names)).sorted() : nil
        case .labels(let selector):
            let matching = hosts.filter { $0.matches(selector) }.map(\.name)
            guard !matching.isEmpty else {
                let labels = selector.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                context.report(
                    .selectorMatchesNoHost, "the selector `{ \(labels) }` matches no host",
                    hint: "label a host with it, or fix the selector", at: draft.location)
                return nil
            }
            return matching.sorted()
        }
    }

    /// Plaintext HTTP from the agent (health URL, analysis) only to loopback or a network zone.
    private func checkPlaintext(_ draft: ServiceDraft, hosts: [Host], security: SecurityPolicy) {
        if case .url(let url, let location)? = draft.healthCheck?.probe {
            let placeholder = HealthCheckKeys.addressPlaceholder
            let targets = url.contains(placeholder) ? hosts.map(Self.address) : [nil]
            for target in targets {
                checkPlaintext(url.replacingOccurrences(of: placeholder, with: target ?? ""), at: location, security: security)
            }
        }
        if let analysis = draft.analysis {
            checkPlaintext(analysis.analysis.prometheus, at: analysis.prometheusLocation, security: security)
        }
    }

    private static func address(of host: Host) -> String {
        if case .ssh(let connection) = host.transport { return connection.address }
        return "localhost"
    }

    private func checkPlaintext(_ url: String, at location: SourceLocation, security: SecurityPolicy) {
        guard let parsed = try? HTTPURL(url), parsed.isPlaintext, !security.allowsPlaintext(to: parsed.host) else { return }
        context.report(
            .plaintextHTTP,
            "plaintext HTTP to `\(parsed.host)` is refused: it is neither loopback nor an address in a network zone",
            hint: "use https://, check through the SSH connection with `http: /path`, or add its network to `security.network_zones`",
            at: location)
    }

    private func buildAlertRoutes(security: SecurityPolicy) -> [AlertRoute] {
        var routes: [AlertRouteDraft] = []
        for file in files {
            guard let node = file.reader.valueNode("alerts"), let drafts = RootKeys.alerts.value.decode(node, context) else { continue }
            for draft in drafts {
                if routes.contains(where: { $0.route.name == draft.route.name }) {
                    context.report(.duplicateDefinition, "two alert routes are named `\(draft.route.name)`", at: draft.location)
                    continue
                }
                if case .url(let url) = draft.route.webhook {
                    checkPlaintext(url, at: draft.webhookLocation, security: security)
                }
                routes.append(draft)
            }
        }
        return routes.map(\.route)
    }

    /// Two services may not deploy into the same directory (or one inside the
    /// other) on a host they share: each would prune the other's releases.
    private func checkRemoteDirectoryOverlaps(_ services: [(service: Service, draft: ServiceDraft)]) {
        for (index, second) in services.enumerated() {
            for first in services[..<index] where !Set(first.service.hosts).isDisjoint(with: second.service.hosts) {
                let a = first.service.remoteDirectory, b = second.service.remoteDirectory
                guard a == b || a.hasPrefix(b + "/") || b.hasPrefix(a + "/") else { continue }
                context.report(
                    .conflictingKeys,
                    "services `\(first.service.name)` and `\(second.service.name)` deploy into overlapping directories (`\(a)`, `\(b)`) on the same host",
                    hint: "give each service a directory of its own",
                    at: second.draft.remoteDirectoryLocation ?? second.service.definedAt)
            }
        }
    }
}
