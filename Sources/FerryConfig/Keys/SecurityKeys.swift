/// The keys of `security`.
enum SecurityKeys {
    static let remoteRequiresEncryption = KeySpec<Bool>.defaulted(
        "remote_requires_encryption", .boolean, true, "`true`",
        doc: "Remote traffic is always encrypted (SSH, HTTPS). This cannot be turned off; the key exists so that a config saying `false` is refused rather than ignored.")
    static let networkZones = KeySpec<[String: [IPAddressRange]]>.defaulted(
        "network_zones", .map(keys: .resource, .list(.addressRange, minimumCount: 1), typeName: "mapping of zone name to list of CIDR blocks"),
        [:], "none",
        doc: "Named networks where plaintext HTTP is allowed (a VPN, a trusted LAN), as CIDR blocks: `internal: [10.0.0.0/8]`.")
    static let minimumTLSVersion = KeySpec<TLSVersion>.defaulted(
        "min_tls_version", .tlsVersion, .v1_2, "`1.2`", doc: "The oldest TLS version accepted for HTTPS (webhooks, Prometheus, health URLs).")
        .notSupported(issue: 10, instead: "remove it: this version does not set the TLS version of HTTPS connections")

    /// The algorithm names a config may list, per list: none built on SHA-1, no CBC
    /// cipher. Each list is also the default, in this order (`SSHAlgorithmPolicy.standard`);
    /// names this build's libssh2 lacks are skipped when connecting.
    static let knownAlgorithms: [(key: String, names: [String], doc: String)] = [
        ("kex", [
            "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
            "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
            "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256",
        ], "Key exchange methods, in order of preference."),
        ("host_key", [
            "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256",
        ], "Host key types accepted, in order of preference."),
        ("ciphers", [
            "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr", "aes192-ctr", "aes128-ctr",
        ], "Ciphers, in order of preference."),
        ("macs", [
            "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512",
        ], "Message authentication codes, in order of preference."),
    ]

    static let algorithmKeys: [KeySpec<[String]>] = knownAlgorithms.map { entry in
        KeySpec<[String]>.optional(
            entry.key, .list(algorithm(entry.names), minimumCount: 1, typeName: "list of algorithm names"),
            defaultText: "all known", doc: entry.doc + " Known: " + entry.names.map { "`\($0)`" }.joined(separator: ", ") + ".")
    }

    static let algorithmsSpec = ObjectSpec(
        id: "SSHAlgorithms", path: "security.ssh_algorithms",
        doc: "The SSH algorithms Ferry negotiates with hosts, per class, best first. An unset list allows every known name of its class; "
            + "SHA-1 key exchange and MACs and CBC ciphers are never allowed. "
            + "Names libssh2 1.10 does not implement (`chacha20-poly1305@openssh.com`, the GCM ciphers, the `-etm` MACs) and RSA host keys, "
            + "which it cannot verify against current OpenSSH, are skipped. "
            + "A host that offers nothing allowed in some class is refused, naming the class and what it offers.",
        keys: algorithmKeys.map(\.info),
        example: """
            ssh_algorithms: { kex: [curve25519-sha256], ciphers: [aes256-gcm@openssh.com, aes256-ctr], host_key: [ssh-ed25519] }
            """)

    static let sshAlgorithms = KeySpec<SSHAlgorithms>.defaulted(
        "ssh_algorithms", .object(algorithmsSpec) { reader in
            let lists = algorithmKeys.map { reader.read($0) }
            return SSHAlgorithms(keyExchange: lists[0], hostKey: lists[1], ciphers: lists[2], macs: lists[3])
        }, .standard, "no SHA-1, no CBC", doc: "The SSH algorithms hosts may negotiate.")

    static let spec = ObjectSpec(
        id: "Security", path: "security",
        doc: "The fleet's security policy. Plaintext HTTP goes only to loopback and to the network zones named here.",
        keys: [remoteRequiresEncryption.info, networkZones.info, sshAlgorithms.info, minimumTLSVersion.info],
        example: """
            security:
              network_zones: { internal: [10.0.0.0/8, 192.168.0.0/16] }
            """)

    static let value = ValueSpec<SecurityPolicy>.object(spec) { reader in
        if reader.value(SecurityKeys.remoteRequiresEncryption) == false, let location = reader.valueNode("remote_requires_encryption")?.location {
            reader.context.report(
                .insecureSetting, "remote encryption cannot be disabled",
                hint: "remove the key; to allow plaintext HTTP on a trusted network, name it in `network_zones`", at: location)
        }
        let zones = reader.value(SecurityKeys.networkZones)
            .map { NetworkZone(name: $0.key, ranges: $0.value) }
            .sorted { $0.name < $1.name }
        return SecurityPolicy(
            networkZones: zones, sshAlgorithms: reader.value(SecurityKeys.sshAlgorithms),
            minimumTLSVersion: reader.value(SecurityKeys.minimumTLSVersion))
    }

    private static func algorithm(_ names: [String]) -> ValueSpec<String> {
        ValueSpec<String>.string("algorithm") { text throws(ValueProblem) in
            guard names.contains(text) else {
                let weak = ["sha1", "cbc", "md5", "arcfour", "ssh-rsa", "ssh-dss"].contains { text.lowercased().contains($0) }
                throw ValueProblem(
                    .invalidValue, "`\(ConfigNode.abbreviated(text))` is not an algorithm of this list"
                        + (weak ? ": Ferry never negotiates SHA-1, MD5, CBC or RC4 algorithms, nor SHA-1 RSA or DSA host keys" : ""),
                    hint: (weak ? nil : Suggestion.hint(for: text, among: names)) ?? "known: \(names.joined(separator: ", "))")
            }
        }.schemaAdding([("enum", .array(names.map(JSONValue.string)))])
    }
}
