import FerryConfig
import FerryCore

/// What `ferry validate` says about the `allowed_signers` file: an error where it cannot be
/// read or a line is malformed (a reconcile would stop on it), a warning for each line skipped.
enum AllowedSignersDiagnostics {
    /// The diagnostics of the file at `path`, none when the setting is not given.
    static func check(_ path: String?) -> [ConfigDiagnostic] {
        guard let path else { return [] }
        do {
            return try AllowedSigners.load(path: path).warnings.map { warning in
                ConfigDiagnostic(.notSupported, warning.problem, at: location(of: warning), severity: .warning)
            }
        } catch {
            return [ConfigDiagnostic(
                error.line == nil ? .unreadableFile : .invalidValue, "allowed_signers: \(error.problem)",
                hint: "OpenSSH allowed_signers format: principals [options] keytype base64key [comment]", at: location(of: error))]
        }
    }

    private static func location(of problem: AllowedSignersError) -> SourceLocation {
        problem.line.map { SourceLocation(file: problem.path, line: $0, column: 1) } ?? SourceLocation(file: problem.path)
    }
}
