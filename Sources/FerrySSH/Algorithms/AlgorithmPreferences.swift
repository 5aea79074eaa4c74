import CSSH2

/// Applies an ``SSHAlgorithmPolicy`` to a libssh2 session before its handshake
/// (`libssh2_session_method_pref`, both directions for ciphers and MACs).
struct AlgorithmPreferences {
    let policy: SSHAlgorithmPolicy
    /// The host key types to offer, already ordered (known keys first) and narrowed by the policy.
    let hostKeyAlgorithms: [String]

    /// What was asked of libssh2 per class: the policy's names libssh2 implements.
    func requested(in transport: Transport) -> [SSHAlgorithmClass: [String]] {
        var lists: [SSHAlgorithmClass: [String]] = [:]
        for algorithmClass in SSHAlgorithmClass.allCases {
            let wanted = algorithmClass == .hostKey ? hostKeyAlgorithms : policy.allowed(algorithmClass)
            let implemented = Set(Self.implemented(algorithmClass, in: transport))
            lists[algorithmClass] = wanted.filter(implemented.contains)
        }
        return lists
    }

    /// Sets every class's preference; a class with no name libssh2 implements is refused.
    func apply(to transport: Transport) throws(SSHError) -> [SSHAlgorithmClass: [String]] {
        let lists = requested(in: transport)
        for algorithmClass in SSHAlgorithmClass.allCases {
            let names = lists[algorithmClass] ?? []
            guard !names.isEmpty else {
                let wanted = policy.allowed(algorithmClass)
                throw SSHError(
                    kind: .algorithmMismatch,
                    message: "none of the \(algorithmClass.rawValue) algorithms allowed (\(wanted.joined(separator: ", "))) is implemented by this libssh2 "
                        + "(it has \(Self.implemented(algorithmClass, in: transport).joined(separator: ", "))); "
                        + "add one of those to security.ssh_algorithms.\(algorithmClass.configKey)",
                    endpoint: transport.endpoint.description)
            }
            for method in Self.methods(algorithmClass) {
                let code = libssh2_session_method_pref(transport.session, method, names.joined(separator: ","))
                guard code == 0 else {
                    throw transport.error(.algorithmMismatch, "cannot select the \(algorithmClass.rawValue) algorithms \(names.joined(separator: ","))",
                                          function: "libssh2_session_method_pref", code: code)
                }
            }
        }
        return lists
    }

    /// libssh2's method types for a class (ciphers and MACs are set per direction).
    private static func methods(_ algorithmClass: SSHAlgorithmClass) -> [Int32] {
        switch algorithmClass {
        case .keyExchange: [LIBSSH2_METHOD_KEX]
        case .hostKey: [LIBSSH2_METHOD_HOSTKEY]
        case .cipher: [LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_CRYPT_SC]
        case .mac: [LIBSSH2_METHOD_MAC_CS, LIBSSH2_METHOD_MAC_SC]
        }
    }

    /// The names this libssh2 implements for a class (`libssh2_session_supported_algs`);
    /// for host keys, only those Ferry can verify.
    static func implemented(_ algorithmClass: SSHAlgorithmClass, in transport: Transport) -> [String] {
        var list: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        let count = libssh2_session_supported_algs(transport.session, methods(algorithmClass)[0], &list)
        guard count > 0, let list else { return [] }
        defer { libssh2_free(transport.session, list) }
        let names = (0..<Int(count)).compactMap { list[$0].map { String(cString: $0) } }
        return algorithmClass == .hostKey ? names.filter(HostKeyVerifier.supportedAlgorithms.contains) : names
    }
}
