/// An SSH failure: a ``Kind`` to switch on and a message a user can act on.
///
/// The message names the host; when libssh2 reported the failure, the failing libssh2
/// function and libssh2's own message are kept too.
public struct SSHError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for callers that decide what to do next.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The host name could not be resolved to an address.
        case nameResolutionFailed
        /// Nothing listens on the port (TCP connection refused), or the host is unreachable.
        case connectRefused
        /// A connect, read or total timeout expired.
        case timeout
        /// The host is not in the known_hosts file.
        case hostKeyUnknown
        /// The host is in the known_hosts file with another key.
        case hostKeyChanged
        /// The host's key is marked `@revoked` in the known_hosts file.
        case hostKeyRevoked
        /// No credential was accepted by the server.
        case authFailed
        /// A key of a type libssh2 1.10 cannot use against current OpenSSH (RSA, DSA).
        case unsupportedKey
        /// The server refused or failed a channel (a command, a tunnel).
        case channelFailure
        /// An SFTP request failed.
        case sftpFailure
        /// The remote file or directory does not exist.
        case fileNotFound
        /// A file is larger than the caller allowed.
        case fileTooLarge
        /// The host's file system is full (no blocks or no inodes left) where a file was being written.
        case noSpaceLeft
        /// A remote command ended with a non-zero status or a signal.
        case remoteCommandFailed
        /// The host offers no algorithm of some class (key exchange, host key, cipher, MAC)
        /// that the connection's ``SSHAlgorithmPolicy`` allows.
        case algorithmMismatch
        /// The peer broke the SSH or HTTP protocol, or libssh2 failed unexpectedly.
        case protocolError
        /// The connection was closed, by the caller or the peer, or is unusable after an earlier failure.
        case connectionClosed
        /// The task waiting for the operation was cancelled.
        case cancelled
        /// The caller passed a value that cannot be used (e.g. a request path with a newline).
        case invalidArgument
    }

    /// What went wrong.
    public var kind: Kind
    /// What happened and, where possible, what to do about it.
    public var message: String
    /// `user@host:port` of the connection, when there is one.
    public var endpoint: String?
    /// The libssh2 function that failed, if a libssh2 call failed.
    public var function: String?
    /// libssh2's error code (`LIBSSH2_ERROR_*`), if a libssh2 call failed.
    public var code: Int32?
    /// libssh2's own error message, if it gave one.
    public var libraryMessage: String?
    /// The exit status of a failed remote command.
    public var exitStatus: Int32?

    /// An error of `kind` with its full context.
    public init(
        kind: Kind, message: String, endpoint: String? = nil, function: String? = nil,
        code: Int32? = nil, libraryMessage: String? = nil, exitStatus: Int32? = nil
    ) {
        self.kind = kind
        self.message = message
        self.endpoint = endpoint
        self.function = function
        self.code = code
        self.libraryMessage = libraryMessage
        self.exitStatus = exitStatus
    }

    /// Whether trying again later may succeed (timeouts, refused or lost connections);
    /// false for what needs a person (host keys, credentials, unsupported keys, bad arguments).
    public var isRetryable: Bool {
        switch kind {
        case .timeout, .connectRefused, .connectionClosed, .nameResolutionFailed, .channelFailure: true
        default: false
        }
    }

    /// `ssh user@host:port: message (function: libssh2 message)`.
    public var description: String {
        var text = endpoint.map { "ssh \($0): " } ?? "ssh: "
        text += message
        var details: [String] = []
        if let function { details.append(function) }
        if let libraryMessage, !libraryMessage.isEmpty, !message.contains(libraryMessage) {
            details.append(libraryMessage)
        }
        if !details.isEmpty { text += " (\(details.joined(separator: ": ")))" }
        return text
    }
}
