import CSSH2
import Foundation
import Logging

/// Public key authentication of a fresh session: ssh-agent identities and key files,
/// in the order the credentials list them. Passwords are never tried.
struct Authenticator {
    let transport: Transport
    let waiter: SocketWaiter
    let deadline: Deadline
    /// The time `deadline` allows, for messages.
    let allowed: Duration
    let silence: Duration
    let logger: Logger

    /// An authenticator with `allowed` from now for the whole authentication.
    init(transport: Transport, waiter: SocketWaiter, allowed: Duration, silence: Duration, logger: Logger) {
        self.transport = transport
        self.waiter = waiter
        self.deadline = .after(allowed)
        self.allowed = allowed
        self.silence = silence
        self.logger = logger
    }

    private var endpoint: SSHEndpoint { transport.endpoint }

    /// Authenticates with the first accepted credential, or throws `.authFailed`
    /// (`.unsupportedKey` when the only keys offered are RSA or DSA ones).
    func authenticate(with credentials: SSHCredentials) throws(SSHError) {
        guard let offered = try serverMethods() else { return }
        guard offered.contains("publickey") else {
            throw SSHError(
                kind: .authFailed,
                message: "\(endpoint.hostAndPort) does not accept public key authentication for \(endpoint.user) (it offers: \(offered.joined(separator: ", "))); Ferry authenticates with keys only.",
                endpoint: endpoint.description
            )
        }
        var report = AuthenticationReport()
        for method in credentials.methods {
            let accepted = switch method {
            case .agent(let socketPath): try authenticateWithAgent(socketPath: socketPath, report: &report)
            case .keyFile(let path, let passphrase): try authenticateWithKeyFile(path, passphrase: passphrase, report: &report)
            }
            if accepted { return }
        }
        throw report.error(for: endpoint)
    }

    /// The methods the server offers, or nil if it let us in without any ("none" auth).
    private func serverMethods() throws(SSHError) -> [String]? {
        let user = endpoint.user
        return try waiter.complete(until: deadline, allowed: allowed, silence: silence, doing: "asking \(endpoint.hostAndPort) for its authentication methods") { () throws(SSHError) -> [String]?? in
            if let list = libssh2_userauth_list(transport.session, user, UInt32(user.utf8.count)) {
                return .some(String(cString: list).split(separator: ",").map(String.init))
            }
            if libssh2_userauth_authenticated(transport.session) != 0 { return .some(nil) }
            if transport.lastCallWouldBlock { return nil }
            throw transport.error(.authFailed, "cannot start authentication as \(user)", function: "libssh2_userauth_list")
        }
    }

    private func authenticateWithKeyFile(_ path: String, passphrase: String?, report: inout AuthenticationReport) throws(SSHError) -> Bool {
        let label = "key file \(path)"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            report.unusable.append("\(label): cannot be read")
            return false
        }
        let type = KeyFileInspector.keyType(ofPrivateKey: text)
            ?? (try? String(contentsOfFile: path + ".pub", encoding: .utf8)).flatMap(KeyFileInspector.keyType(ofPublicKey:))
        if let type, KeyFileInspector.isUnsupported(type) {
            report.unsupported.append(KeyFileInspector.unsupportedKeyAdvice(type: type, key: label))
            return false
        }
        if let key = Ed25519KeyFile(text: text) {
            return try authenticate(signingWith: key, label: label, report: &report)
        }
        let user = endpoint.user
        let code = try waiter.complete(until: deadline, allowed: allowed, silence: silence, doing: "authenticating with \(label)") { () throws(SSHError) -> Int32? in
            let code = libssh2_userauth_publickey_fromfile_ex(transport.session, user, UInt32(user.utf8.count), nil, path, passphrase)
            return code == LIBSSH2_ERROR_EAGAIN ? nil : code
        }
        return try interpret(code, label: label, function: "libssh2_userauth_publickey_fromfile_ex", report: &report)
    }

    /// Authenticates with an unencrypted ed25519 key read by Ferry, signing in process.
    private func authenticate(signingWith key: Ed25519KeyFile, label: String, report: inout AuthenticationReport) throws(SSHError) -> Bool {
        let user = endpoint.user
        let signer = Unmanaged.passRetained(Ed25519Signer(key))
        defer { signer.release() }
        let code = try waiter.complete(until: deadline, allowed: allowed, silence: silence, doing: "authenticating with \(label)") { () throws(SSHError) -> Int32? in
            var abstract: UnsafeMutableRawPointer? = signer.toOpaque()
            let code = key.publicKeyBlob.withUnsafeBytes { blob in
                libssh2_userauth_publickey(transport.session, user, blob.bindMemory(to: UInt8.self).baseAddress, blob.count,
                                           Ed25519Signer.callback, &abstract)
            }
            return code == LIBSSH2_ERROR_EAGAIN ? nil : code
        }
        return try interpret(code, label: label, function: "libssh2_userauth_publickey", report: &report)
    }

    private func authenticateWithAgent(socketPath: String?, report: inout AuthenticationReport) throws(SSHError) -> Bool {
        guard let path = socketPath ?? ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"], !path.isEmpty else {
            report.unusable.append("ssh-agent: no socket given and SSH_AUTH_SOCK is not set")
            return false
        }
        guard let agent = libssh2_agent_init(transport.session) else {
            throw transport.error(.authFailed, "cannot create an ssh-agent client", function: "libssh2_agent_init")
        }
        defer { libssh2_agent_free(agent) }
        libssh2_agent_set_identity_path(agent, path)
        guard libssh2_agent_connect(agent) == 0 else {
            report.unusable.append("ssh-agent at \(path): cannot connect")
            return false
        }
        defer { libssh2_agent_disconnect(agent) }
        guard libssh2_agent_list_identities(agent) == 0 else {
            report.unusable.append("ssh-agent at \(path): cannot list its keys")
            return false
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
        var count = 0
        while libssh2_agent_get_identity(agent, &identity, previous) == 0, let current = identity {
            previous = current
            count += 1
            if try authenticate(agent: agent, identity: current, socketPath: path, report: &report) { return true }
        }
        if count == 0 { report.unusable.append("ssh-agent at \(path): holds no keys") }
        return false
    }

    private func authenticate(
        agent: OpaquePointer, identity: UnsafeMutablePointer<libssh2_agent_publickey>, socketPath: String, report: inout AuthenticationReport
    ) throws(SSHError) -> Bool {
        let blob = Data(bytes: identity.pointee.blob, count: Int(identity.pointee.blob_len))
        let type = HostKey(blob: blob)?.type ?? "unknown type"
        let comment = identity.pointee.comment.map { String(cString: $0) } ?? ""
        let name = comment.isEmpty ? "ssh-agent key" : "ssh-agent key '\(comment)'"
        if KeyFileInspector.isUnsupported(type) {
            report.unsupported.append(KeyFileInspector.unsupportedKeyAdvice(type: type, key: name))
            return false
        }
        let label = "\(name) (\(type))"
        let user = endpoint.user
        let code = try waiter.complete(until: deadline, allowed: allowed, silence: silence, doing: "authenticating with \(label)") { () throws(SSHError) -> Int32? in
            let code = libssh2_agent_userauth(agent, user, identity)
            return code == LIBSSH2_ERROR_EAGAIN ? nil : code
        }
        return try interpret(code, label: label, function: "libssh2_agent_userauth", report: &report)
    }

    /// True when accepted; records a refused or unusable key; throws when the connection failed.
    private func interpret(_ code: Int32, label: String, function: String, report: inout AuthenticationReport) throws(SSHError) -> Bool {
        switch code {
        case 0:
            logger.debug("authenticated", metadata: ["host": "\(endpoint.hostAndPort)", "with": "\(label)"])
            return true
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
            report.refused.append(label)
            return false
        case LIBSSH2_ERROR_FILE, LIBSSH2_ERROR_AGENT_PROTOCOL:
            report.unusable.append("\(label): \(transport.lastErrorMessage) (wrong passphrase, or a format libssh2 cannot read?)")
            return false
        default:
            throw transport.error(.authFailed, "authentication with \(label) failed", function: function, code: code)
        }
    }
}

/// What each credential did, for the final error.
struct AuthenticationReport {
    /// Keys the server did not accept.
    var refused: [String] = []
    /// Credentials that could not be tried, with why.
    var unusable: [String] = []
    /// Advice for each RSA or DSA key skipped.
    var unsupported: [String] = []

    /// `.unsupportedKey` when only unsupported keys were available, `.authFailed` otherwise.
    func error(for endpoint: SSHEndpoint) -> SSHError {
        if refused.isEmpty, !unsupported.isEmpty {
            return SSHError(kind: .unsupportedKey, message: unsupported.joined(separator: " "), endpoint: endpoint.description)
        }
        var parts: [String] = []
        if !refused.isEmpty { parts.append("refused: \(refused.joined(separator: ", "))") }
        if !unusable.isEmpty { parts.append("not usable: \(unusable.joined(separator: "; "))") }
        if !unsupported.isEmpty { parts.append("skipped: \(unsupported.joined(separator: " "))") }
        if parts.isEmpty { parts.append("no credentials were configured") }
        return SSHError(
            kind: .authFailed,
            message: "\(endpoint.hostAndPort) accepted no key for user \(endpoint.user) (\(parts.joined(separator: "; "))). "
                + "Check that the public key is in ~\(endpoint.user)/.ssh/authorized_keys on the host.",
            endpoint: endpoint.description
        )
    }
}
