import Foundation

/// A command-line tool the interop tests run (`age`, `age-keygen`, `sops`), found on PATH.
/// scripts/lib/prepare-machine.sh installs them; a test that needs an absent one is skipped
/// and says which tool to install.
struct ExternalTool {
    let path: String

    /// The tool `name` on PATH (or in the pip scripts directory), nil when absent.
    init?(_ name: String) {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/local/bin", "/usr/bin", "\(NSHomeDirectory())/.local/bin"]
        guard let found = directories.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
        path = found
    }

    /// Whether `name` is installed.
    static func exists(_ name: String) -> Bool { ExternalTool(name) != nil }

    /// Runs the tool with `arguments` and `input` on standard input; its standard output.
    /// - Throws: ``Failure`` with its standard error when it exits non-zero.
    @discardableResult
    func run(_ arguments: [String], input: Data = Data(), environment: [String: String] = [:], in directory: URL? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errors = ErrorCollector(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(tool: path, status: process.terminationStatus, stderr: errors.text())
        }
        return output
    }

    /// A run that exited non-zero.
    struct Failure: Error, CustomStringConvertible {
        var tool: String
        var status: Int32
        var stderr: String
        var description: String { "\(tool) exited \(status): \(stderr)" }
    }
}

/// Drains a pipe on its own thread so a chatty tool never blocks.
private final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
