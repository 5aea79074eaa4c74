/// Collects the problems found while decoding one repository (or one set of
/// agent settings), so that all of them are reported at once.
final class DecodingContext {
    private(set) var diagnostics: [ConfigDiagnostic] = []
    private var seen = Set<ConfigDiagnostic>()

    /// While true (decoding `defaults`), absent required keys are not
    /// problems: the service that inherits the defaults must have them.
    var relaxRequired = false

    /// Whether an error has been reported.
    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Records a problem once: a value inherited from `defaults` is decoded
    /// with every service, but its problem is reported a single time.
    func report(_ diagnostic: ConfigDiagnostic) {
        if seen.insert(diagnostic).inserted { diagnostics.append(diagnostic) }
    }

    /// Records a problem of `kind` at `location`.
    func report(
        _ kind: ConfigDiagnostic.Kind, _ message: String, hint: String? = nil,
        at location: SourceLocation, severity: ConfigDiagnostic.Severity = .error
    ) {
        report(ConfigDiagnostic(kind, message, hint: hint, at: location, severity: severity))
    }

    /// Records that `node` is not of the expected type.
    func wrongType(_ node: ConfigNode, expected: String, hint: String? = nil) {
        report(.wrongType, "expected \(expected), found \(node.kindDescription)", hint: hint, at: node.location)
    }

    /// Runs `body` with required keys relaxed, restoring the previous setting.
    func relaxingRequired<T>(_ body: () -> T) -> T {
        let previous = relaxRequired
        relaxRequired = true
        defer { relaxRequired = previous }
        return body()
    }
}
