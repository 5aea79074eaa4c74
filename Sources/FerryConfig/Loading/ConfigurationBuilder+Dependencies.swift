extension ConfigurationBuilder {
    /// Checks every service's `depends_on`: each name must be a service defined in the config
    /// (a defined but invalid one counts, so that one broken service does not make every
    /// reference fail), and the dependencies must not loop back (`a → b → a`, or `a → a`).
    /// Each problem is reported at the entry that names the service.
    /// - Parameters:
    ///   - dependencies: per built service, the names it depends on and where each is written.
    ///   - names: the built services' names, in the same order.
    ///   - definedNames: every service name defined in the config.
    func checkDependencies(_ dependencies: [[(name: String, location: SourceLocation)]], of names: [String], definedNames: [String]) {
        var edges: [String: [(name: String, location: SourceLocation)]] = [:]
        for (name, entries) in zip(names, dependencies) {
            for entry in entries where !definedNames.contains(entry.name) {
                context.report(
                    .unknownService, "service `\(name)` depends on `\(entry.name)`, which is not a service of the config",
                    hint: Suggestion.hint(for: entry.name, among: definedNames) ?? "define it under `services`, or remove it from `depends_on`",
                    at: entry.location)
            }
            edges[name] = entries.filter { names.contains($0.name) }
        }
        reportCycles(edges, order: names)
    }

    /// Reports each cycle of `edges` once, at the `depends_on` entry that closes it.
    private func reportCycles(_ edges: [String: [(name: String, location: SourceLocation)]], order: [String]) {
        var finished = Set<String>()
        var path: [String] = []
        func visit(_ name: String) {
            path.append(name)
            for edge in edges[name] ?? [] where !finished.contains(edge.name) {
                if let start = path.firstIndex(of: edge.name) {
                    let cycle = (path[start...] + [edge.name]).map { "`\($0)`" }.joined(separator: " → ")
                    context.report(
                        .dependencyCycle, "`depends_on` makes a cycle: \(cycle); none of them could go first",
                        hint: "remove one of these dependencies", at: edge.location)
                } else {
                    visit(edge.name)
                }
            }
            path.removeLast()
            finished.insert(name)
        }
        for name in order.sorted() where !finished.contains(name) {
            visit(name)
        }
    }
}
