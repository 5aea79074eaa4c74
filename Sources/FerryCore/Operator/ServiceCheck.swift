import FerryConfig

/// Checks a service name an operator typed against the config at `origin/<branch>` in the
/// agent's clone, the config the last reconcile applied.
struct ServiceCheck {
    /// The service's definition, or nil when the config is not known (then `warnings` say why).
    var service: Service?
    /// Why the name could not be checked, for a person.
    var warnings: [String]

    /// Checks `name`. Without a usable clone or config the name is accepted with a warning:
    /// an operator may suspend before the first reconcile.
    /// - Throws: ``OperatorError`` (`unknownService`) when the config is known and lacks it.
    init(_ name: String, lookup: AgentClone.Lookup, state: StateDirectory, branch: String) throws {
        guard Self.isServiceName(name) else {
            throw OperatorError(.unknownService, "\"\(name)\" is not a service name",
                                hint: "service names are 1 to 63 of a-z 0-9 _ . -, starting with a letter or digit")
        }
        let unchecked = "cannot check that \"\(name)\" is a service; recorded anyway"
        switch lookup {
        case .missing:
            self.init(service: nil, warnings: [
                "no clone of the config repository in \(state.repositoryURL.path) yet (no reconcile has run): \(unchecked)",
            ])
        case .unusable(let reason):
            self.init(service: nil, warnings: ["\(reason): \(unchecked)"])
        case .found(let clone):
            guard let configuration = clone.configuration else {
                self.init(service: nil, warnings: ["\(clone.configProblem ?? "the config does not load"): \(unchecked)"])
                return
            }
            guard let service = configuration.service(named: name) else {
                let names = configuration.services.map(\.name).sorted()
                throw OperatorError(.unknownService,
                    "no service \"\(name)\" in the config at origin/\(branch) (\(clone.head.short))",
                    hint: names.isEmpty ? "the config defines no service" : "services: \(names.joined(separator: ", "))")
            }
            self.init(service: service, warnings: [])
        }
    }

    private init(service: Service?, warnings: [String]) {
        self.service = service
        self.warnings = warnings
    }

    /// Whether `name` can name a service: `[a-z0-9][a-z0-9_.-]*`, at most 63 characters.
    static func isServiceName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63, lettersAndDigits.contains(first) else { return false }
        return name.utf8.allSatisfy { lettersAndDigits.contains($0) || punctuation.contains($0) }
    }

    private static let lettersAndDigits = Set("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let punctuation = Set("_.-".utf8)
}
