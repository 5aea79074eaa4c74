import Foundation

/// One file `ferry render` writes: a systemd unit, a script or a rules file.
public struct RenderedArtifact: Sendable, Equatable {
    /// The file name in the output directory (`ferry-web.service`, `deploy-web.sh`).
    public var name: String
    /// What it is, for the command's report (`systemd unit`, `deploy script`).
    public var kind: String
    /// The file's text.
    public var text: String
    /// Whether it is a script to run (mode 0755 rather than 0644).
    public var isExecutable: Bool

    /// An artifact.
    public init(name: String, kind: String, text: String, isExecutable: Bool = false) {
        self.name = name
        self.kind = kind
        self.text = text
        self.isExecutable = isExecutable
    }

    /// Writes the file into `directory` through a temporary file and a rename, with mode
    /// 0755 for a script and 0644 otherwise.
    public func write(into directory: URL) throws {
        let target = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(".\(name).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try Data(text.utf8).write(to: temporary)
        try FileManager.default.setAttributes([.posixPermissions: isExecutable ? 0o755 : 0o644], ofItemAtPath: temporary.path)
        if rename(temporary.path, target.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw RenderError("cannot write \(target.path): \(String(cString: strerror(code)))")
        }
    }
}

/// Why `ferry render` could not render a service.
public struct RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a user can act on it.
    public var message: String

    /// An error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
