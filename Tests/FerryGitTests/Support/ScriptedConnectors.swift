import FerryGit
import Foundation

/// A connector that fails to connect with a given error.
struct FailingConnector: GitSSHConnector {
    var error: any Error & Sendable

    func openCommand(host: String, port: Int, user: String?, command: String) throws -> any GitSSHCommandStream {
        throw error
    }
}

/// An error with only a description, like most errors a connector might throw.
struct PlainError: Error, CustomStringConvertible {
    var description: String
}

/// An error of another module (an SSH library's, say) that names its Git error kind.
struct AuthenticationRefused: GitConnectorError, CustomStringConvertible {
    var description: String { "root@10.213.0.9: publickey authentication refused" }
    var gitErrorKind: GitError.Kind { .auth }
}

/// A connector whose stream never answers: each read waits for data that does not
/// come until the stream's own timeout fires (as a real SSH read timeout would).
struct SilentConnector: GitSSHConnector {
    var readTimeout: DispatchTimeInterval
    /// Signalled when a stream is opened, so a test can act while the read waits.
    let opened = DispatchSemaphore(value: 0)
    /// Signalled by a test to end a waiting read early with end of stream.
    let release = DispatchSemaphore(value: 0)

    func openCommand(host: String, port: Int, user: String?, command: String) throws -> any GitSSHCommandStream {
        opened.signal()
        return SilentStream(readTimeout: readTimeout, release: release, host: host)
    }
}

final class SilentStream: GitSSHCommandStream {
    private let readTimeout: DispatchTimeInterval
    private let release: DispatchSemaphore
    private let host: String

    init(readTimeout: DispatchTimeInterval, release: DispatchSemaphore, host: String) {
        self.readTimeout = readTimeout
        self.release = release
        self.host = host
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard release.wait(timeout: .now() + readTimeout) == .success else {
            throw GitError(kind: .timeout, message: "\(host) sent nothing within the read timeout", function: "SilentStream.read")
        }
        return 0
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {}

    func close() {}
}
