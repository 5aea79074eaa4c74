/// How to authenticate, tried in order until one is accepted. Passwords are never used.
public struct SSHCredentials: Sendable, CustomStringConvertible {
    /// One way to prove who we are.
    public enum Method: Sendable, Equatable, CustomStringConvertible {
        /// The identities of an ssh-agent; `socketPath` nil means `$SSH_AUTH_SOCK`.
        case agent(socketPath: String?)
        /// A private key file (OpenSSH or PEM format), with its passphrase if it has one.
        case keyFile(path: String, passphrase: String?)

        /// The method without its passphrase.
        public var description: String {
            switch self {
            case .agent(let socketPath): "ssh-agent at \(socketPath ?? "$SSH_AUTH_SOCK")"
            case .keyFile(let path, let passphrase): "key file \(path)\(passphrase == nil ? "" : " (passphrase <redacted>)")"
            }
        }
    }

    /// The methods, in the order they are tried.
    public var methods: [Method]

    /// Credentials trying `methods` in order.
    public init(_ methods: [Method]) {
        self.methods = methods
    }

    /// The ssh-agent at `socketPath`, or at `$SSH_AUTH_SOCK` when nil.
    public static func agent(socketPath: String? = nil) -> SSHCredentials {
        SSHCredentials([.agent(socketPath: socketPath)])
    }

    /// One private key file.
    public static func keyFile(_ path: String, passphrase: String? = nil) -> SSHCredentials {
        SSHCredentials([.keyFile(path: path, passphrase: passphrase)])
    }

    /// The methods, passphrases redacted.
    public var description: String {
        methods.map(\.description).joined(separator: ", then ")
    }
}
