/// Explains a failed key exchange: for each class of algorithm where the server
/// offers nothing the connection asked for, what it offers and what was allowed.
struct AlgorithmMismatch {
    let host: String
    let requested: [SSHAlgorithmClass: [String]]
    let offered: ServerAlgorithms

    /// `10.0.0.5:22 offers only diffie-hellman-group1-sha1 for key exchange; ssh_algorithms
    /// allows curve25519-sha256, …`, one clause per class with nothing in common; nil if every
    /// class has a common algorithm (the failure was something else).
    var explanation: String? {
        let clauses = SSHAlgorithmClass.allCases.compactMap { algorithmClass -> String? in
            let theirs = offered.offered(algorithmClass)
            let ours = requested[algorithmClass] ?? []
            guard !theirs.contains(where: ours.contains) else { return nil }
            var clause = "\(host) offers only \(theirs.joined(separator: ", ")) for \(algorithmClass.rawValue); "
                + "ssh_algorithms allows \(ours.joined(separator: ", "))"
            if algorithmClass == .hostKey {
                clause += " (libssh2 1.10 verifies only ed25519 and ECDSA host keys)"
            }
            return clause
        }
        guard !clauses.isEmpty else { return nil }
        return clauses.joined(separator: "; ")
            + ". Refusing to connect: enable a stronger algorithm in the host's sshd_config, "
            + "or allow one the host offers in security.ssh_algorithms (SHA-1 and CBC algorithms are never allowed)"
    }
}
