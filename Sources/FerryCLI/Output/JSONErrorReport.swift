import ArgumentParser
import FerryConfig
import Foundation

/// Under `--json`, an error is JSON too: when a command fails (exit code not 0) before it
/// printed its report, standard output gets one `ferry.error/v1` document,
/// `{"schema": "ferry.error/v1", "error": message, "exit_code": N}`, the message being what
/// the command wrote to standard error (which it still writes there).
enum JSONErrorReport {
    /// The schema name of the error document.
    static let schema = "ferry.error/v1"

    /// Runs `body` with an output that remembers what it wrote; under `json`, a failure with
    /// nothing printed on standard output also prints the error document. The error is rethrown.
    static func reporting(json: Bool, output: AuditCommand.Output = .standard,
                          _ body: (AuditCommand.Output) async throws -> Void) async throws {
        let record = Record()
        let recording = AuditCommand.Output(
            write: { text in record.wroteReport(); output.write(text) },
            writeError: { text in record.append(error: text); output.writeError(text) })
        do {
            try await body(recording)
        } catch {
            let code = FerryCommand.exitCode(for: error).rawValue
            if json, code != 0, !record.hasReport {
                output.write(document(error: record.errors.isEmpty ? "\(error)" : record.errors, exitCode: code).serialized() + "\n")
            }
            throw error
        }
    }

    /// The error document.
    static func document(error: String, exitCode: Int32) -> JSONValue {
        .object([("schema", .string(schema)), ("error", .string(error.trimmingCharacters(in: .whitespacesAndNewlines))),
                 ("exit_code", .int(Int(exitCode)))])
    }

    /// What a command wrote, shared by the output's closures.
    private final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private var report = false
        private var text = ""

        func wroteReport() { lock.withLock { report = true } }
        func append(error: String) { lock.withLock { text += error } }
        var hasReport: Bool { lock.withLock { report } }
        var errors: String { lock.withLock { text } }
    }
}
