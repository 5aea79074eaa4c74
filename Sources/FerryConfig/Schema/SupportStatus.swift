/// Whether this version of Ferry acts on a key, a value or an agent setting.
///
/// Every key of the config and of the agent settings carries one: a setting
/// Ferry reads but would not act on is `.notSupported` and refused where a
/// user writes it (built-in defaults are fine), never accepted and ignored.
/// Implementing one means flipping its status to `.supported`; the key
/// tables, `ferry schema`, docs/config.md and the tests follow.
public enum SupportStatus: Sendable, Equatable {
    /// Ferry acts on it.
    case supported
    /// Ferry checks it but does not act on it yet, so writing it is an error.
    /// `issue` is the issue that implements it; `instead` tells the user what
    /// to do meanwhile (the hint of the error).
    case notSupported(issue: Int, instead: String)

    /// Whether Ferry acts on it.
    public var isSupported: Bool { self == .supported }

    /// The error for `subject` (such as "`error_policy`") written at
    /// `location`, or nil when it is supported.
    func diagnostic(for subject: String, at location: SourceLocation) -> ConfigDiagnostic? {
        guard case .notSupported(_, let instead) = self else { return nil }
        return ConfigDiagnostic(.notSupported, "\(subject) is not supported by this version of Ferry", hint: instead, at: location)
    }

    /// The words the reference docs and the JSON Schema put before the
    /// description of a key that is not supported; empty when it is.
    var docPrefix: String {
        guard case .notSupported(let issue, _) = self else { return "" }
        return "Not supported by this version of Ferry (issue \(issue)), refused when written. "
    }
}

/// A value of a supported key that this version of Ferry does not act on
/// (`lifecycle: transient`): writing it is an error at the value.
struct UnsupportedValue: Sendable {
    /// How messages and the docs name it: "`lifecycle: transient`".
    let subject: String
    /// Always `.notSupported`; delete the entry when the value is implemented.
    let status: SupportStatus
    /// Whether a scalar written in YAML is (or contains) this value.
    let matches: @Sendable (String) -> Bool

    /// The value `name` of `key`, refused with `instead` as the hint.
    static func choice(_ key: String, _ name: String, issue: Int, instead: String) -> UnsupportedValue {
        UnsupportedValue(subject: "`\(key): \(name)`", status: .notSupported(issue: issue, instead: instead)) { $0 == name }
    }
}

extension ValueSpec {
    /// The same spec, reporting `values` as not supported where they are
    /// written; they are still decoded and checked like any other value.
    func refusing(_ values: [UnsupportedValue]) -> ValueSpec {
        var copy = self
        copy.unsupportedValues += values
        let decode = self.decode
        copy.decode = { node, context in
            if let text = node.scalarText {
                for value in values where value.matches(text) {
                    if let diagnostic = value.status.diagnostic(for: value.subject, at: node.location) { context.report(diagnostic) }
                }
            }
            return decode(node, context)
        }
        return copy
    }
}
