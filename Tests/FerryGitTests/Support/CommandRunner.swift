import Foundation

/// Runs a program to completion and returns its stdout; for test fixtures only.
enum CommandRunner {
    struct Failure: Error, CustomStringConvertible {
        var command: [String]
        var status: Int32
        var stderr: String
        var description: String { "\(command.joined(separator: " ")) exited \(status): \(stderr)" }
    }

    /// Runs `arguments[0]` (an absolute path) with the rest as arguments, feeding `input`
    /// to stdin; throws unless it exits 0.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:], input: Data? = nil) throws -> String {
        let output = try Subprocess.run(arguments, environment: environment, input: input)
        guard output.status == 0 else {
            throw Failure(command: arguments, status: output.status, stderr: output.stderr)
        }
        return String(decoding: output.stdout, as: UTF8.self)
    }
}
