import Foundation
import Logging

/// Checks a server's host key against the known_hosts file of a ``HostKeyPolicy``.
struct HostKeyVerifier {
    /// The key algorithms Ferry accepts from a server, best first. RSA is left out:
    /// libssh2 1.10 verifies `ssh-rsa` (SHA-1) signatures only, which OpenSSH ≥ 8.8 no longer makes.
    static let supportedAlgorithms = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]

    /// Serialises appends to known_hosts files by the connections of this process.
    private static let appendLock = NSLock()

    let policy: HostKeyPolicy
    let endpoint: SSHEndpoint

    /// The host key algorithms to offer, best first: those of `allowed` Ferry can verify,
    /// the ones the file already lists for this host first (so a host with several keys
    /// presents the one we know).
    func preferredAlgorithms(allowed: [String]) throws(SSHError) -> [String] {
        let known = try KnownHostsCache.file(at: policy.knownHostsPath)
            .entries(forHost: endpoint.host, port: endpoint.port)
            .filter { $0.marker == nil }
            .map(\.key.type)
        let usable = allowed.filter(Self.supportedAlgorithms.contains)
        let first = usable.filter(known.contains)
        return first + usable.filter { !first.contains($0) }
    }

    /// Accepts `key` if the file lists it for this host, records it when the host is
    /// unknown and the policy accepts new hosts (returning what was recorded), and
    /// refuses it otherwise.
    func verify(_ key: HostKey, logger: Logger) throws(SSHError) -> AcceptedHostKey? {
        switch try verdict(for: key) {
        case .trusted:
            return nil
        case .unknown where policy.acceptNew:
            return try appendUnlessKnown(key, logger: logger)
        case .unknown:
            throw unknownHostError(key)
        case .changed(let known):
            throw changedKeyError(key, known: known)
        case .revoked(let entry):
            throw revokedKeyError(key, entry: entry)
        }
    }

    private enum Verdict {
        case trusted
        case unknown
        case changed(known: [KnownHostsEntry])
        case revoked(KnownHostsEntry)
    }

    private func verdict(for key: HostKey) throws(SSHError) -> Verdict {
        let entries = try KnownHostsCache.file(at: policy.knownHostsPath).entries(forHost: endpoint.host, port: endpoint.port)
        if let revoked = entries.first(where: { $0.marker == .revoked && $0.key == key }) {
            return .revoked(revoked)
        }
        let plain = entries.filter { $0.marker == nil }
        if plain.contains(where: { $0.key == key }) { return .trusted }
        return plain.isEmpty ? .unknown : .changed(known: plain)
    }

    private func appendUnlessKnown(_ key: HostKey, logger: Logger) throws(SSHError) -> AcceptedHostKey? {
        Self.appendLock.lock()
        defer { Self.appendLock.unlock() }
        // Another connection of this process may have recorded the host meanwhile.
        switch try verdict(for: key) {
        case .trusted: return nil
        case .unknown: break
        case .changed(let known): throw changedKeyError(key, known: known)
        case .revoked(let entry): throw revokedKeyError(key, entry: entry)
        }
        let path = policy.knownHostsPath
        let name = KnownHostsFile.lookupName(host: endpoint.host, port: endpoint.port)
        do {
            try KnownHostsAppender.append(line: "\(name) \(key.type) \(key.base64)", toFileAt: path)
        } catch {
            throw SSHError(kind: .hostKeyUnknown, message: "cannot record the new host key of \(endpoint.hostAndPort) in \(path): \(error)", endpoint: endpoint.description)
        }
        logger.notice("accepted new host key", metadata: [
            "host": "\(endpoint.hostAndPort)", "key": "\(key.type) \(key.fingerprint)", "known_hosts": "\(path)",
        ])
        return AcceptedHostKey(type: key.type, fingerprint: key.fingerprint, knownHostsPath: path)
    }

    private var lookupName: String { KnownHostsFile.lookupName(host: endpoint.host, port: endpoint.port) }

    private func keyscanCommand(_ key: HostKey) -> String {
        "ssh-keyscan -p \(endpoint.port) -t \(key.keyscanType) \(ShellQuote.quote(endpoint.host)) >> \(ShellQuote.quote(policy.knownHostsPath))"
    }

    func unknownHostError(_ key: HostKey) -> SSHError {
        SSHError(
            kind: .hostKeyUnknown,
            message: "unknown host key: \(endpoint.hostAndPort) offered \(key.type) \(key.fingerprint), and \(policy.knownHostsPath) has no entry for \(lookupName). "
                + "Check this fingerprint with the host's administrator (on the host: ssh-keygen -lf /etc/ssh/ssh_host_\(key.keyscanType)_key.pub), "
                + "then add it with `\(keyscanCommand(key))`, or run with --accept-new to trust the host on first use.",
            endpoint: endpoint.description
        )
    }

    func changedKeyError(_ key: HostKey, known: [KnownHostsEntry]) -> SSHError {
        let listed = known.map { "\($0.key.type) \($0.key.fingerprint) (line \($0.line))" }.joined(separator: ", ")
        return SSHError(
            kind: .hostKeyChanged,
            message: "HOST KEY CHANGED for \(endpoint.hostAndPort): it offered \(key.type) \(key.fingerprint), but \(policy.knownHostsPath) lists \(listed). "
                + "Someone may be intercepting the connection, or the host was reinstalled. Refusing to connect. "
                + "If the change is expected, check the new fingerprint with the host's administrator, remove the old entry with "
                + "`ssh-keygen -R \(ShellQuote.quote(lookupName)) -f \(ShellQuote.quote(policy.knownHostsPath))` and add the new one with `\(keyscanCommand(key))` "
                + "(--accept-new never replaces a changed key).",
            endpoint: endpoint.description
        )
    }

    func revokedKeyError(_ key: HostKey, entry: KnownHostsEntry) -> SSHError {
        SSHError(
            kind: .hostKeyRevoked,
            message: "\(endpoint.hostAndPort) offered \(key.type) \(key.fingerprint), which \(policy.knownHostsPath) marks @revoked (line \(entry.line)). Refusing to connect.",
            endpoint: endpoint.description
        )
    }
}

/// Appends one line to a known_hosts file, creating the file (mode 0600) if needed.
enum KnownHostsAppender {
    /// Appends `line` and a newline with one `write` on an `O_APPEND` descriptor,
    /// first adding a newline if the file does not end with one.
    static func append(line: String, toFileAt path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var text = line + "\n"
        if try !endsWithNewlineOrIsEmpty(path) { text = "\n" + text }
        let written = text.utf8CString.withUnsafeBufferPointer { buffer in
            write(descriptor, buffer.baseAddress, buffer.count - 1)
        }
        guard written == text.utf8.count else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    private static func endsWithNewlineOrIsEmpty(_ path: String) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        guard size > 0 else { return true }
        try handle.seek(toOffset: size - 1)
        return try handle.read(upToCount: 1) == Data([UInt8(ascii: "\n")])
    }
}
