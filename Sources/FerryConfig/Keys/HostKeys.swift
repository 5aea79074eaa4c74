/// The keys of a host, and of `defaults.ssh` (the SSH keys a host inherits).
enum HostKeys {
    static let address = KeySpec<String>.optional(
        "address", .hostAddress,
        doc: "Host name or IP address Ferry connects to. Required unless `transport` is `local`.")
    static let port = KeySpec<Int>.defaulted(
        "port", .integer(1...65535), 22, "`22`", doc: "SSH port.")
    static let user = KeySpec<String>.optional(
        "user", .userName, defaultText: "`defaults.ssh.user`",
        doc: "Remote user Ferry logs in as. Required here or in `defaults.ssh`.")
    static let labels = KeySpec<[String: String]>.defaulted(
        "labels", .map(keys: .label, NameRule.label.spec, typeName: "mapping of label to value"), [:], "none",
        doc: "Labels that services select hosts by, such as `role: web`.")
    static let transport = KeySpec<TransportKind>.defaulted(
        "transport",
        .choice(TransportKind.self),
        .ssh, "`ssh`",
        doc: "How Ferry reaches the host: `ssh`, or `local` for the machine the agent runs on (pull mode).")
    static let hostKey = KeySpec<PinnedHostKey>.optional(
        "host_key", .hostKey,
        doc: "The host's public key (`ssh-ed25519 AAAA…`), pinned in addition to the known_hosts check.")
    static let agent = KeySpec<Bool>.defaulted(
        "agent", .boolean, true, "`true`", doc: "Authenticate with the SSH agent.")
    static let keyFile = KeySpec<String>.optional(
        "key_file", .agentPath,
        doc: "Private key file on the agent's machine, tried before the SSH agent.")
    static let connectTimeout = KeySpec<Duration>.defaulted(
        "connect_timeout", .duration(.seconds(1) ... .seconds(300)), .seconds(10), "`10s`",
        doc: "How long establishing the SSH connection may take.")

    /// The SSH keys a host may take from `defaults.ssh`.
    static let inheritable = ["user", "port", "agent", "key_file", "connect_timeout"]

    static let spec = ObjectSpec(
        id: "Host", path: "hosts.<name>", noun: "host",
        doc: "A machine Ferry deploys to, reached over SSH. Host names match `[a-z0-9][a-z0-9_.-]*`.",
        keys: [address.info, port.info, user.info, labels.info, transport.info, hostKey.info, agent.info, keyFile.info, connectTimeout.info],
        example: """
            hosts:
              web-1: { address: 10.0.0.5, port: 22, user: deploy, labels: { role: web } }
              web-2: { address: web-2.example.com, user: deploy, labels: { role: web, zone: b } }
            """)

    static let sshDefaultsSpec = spec.restricted(
        to: inheritable, id: "SSHDefaults", path: "defaults.ssh",
        doc: "SSH settings every host inherits unless it sets its own.",
        example: """
            defaults:
              ssh: { user: deploy, agent: true, key_file: ~/.ssh/deploy_key, connect_timeout: 5s }
            """,
        documenting: ["user": ("none", "Remote user every host logs in as unless it sets its own `user`.")])

    /// The host value: decodes one host's node (already merged with `defaults.ssh`).
    static let value = ValueSpec<HostDraft>.object(spec) { reader in
        let labels = reader.value(HostKeys.labels)
        switch reader.value(HostKeys.transport) {
        case .local:
            return HostDraft(transport: .local, labels: labels)
        case .ssh:
            guard let address = reader.read(HostKeys.address) else {
                guard !reader.has("address"), !reader.isMisspelled("address") else { return nil }
                reader.context.report(
                    .missingKey, "host is missing `address`", hint: "set `address: 10.0.0.5`, or `transport: local`",
                    at: reader.node.location)
                return nil
            }
            guard let user = reader.read(HostKeys.user) else {
                guard !reader.has("user"), !reader.isMisspelled("user") else { return nil }
                reader.context.report(
                    .missingKey, "host has no SSH user", hint: "set `user:` on the host or in `defaults.ssh`",
                    at: reader.node.location)
                return nil
            }
            let connection = SSHConnection(
                address: address, port: reader.value(HostKeys.port), user: user, useAgent: reader.value(HostKeys.agent),
                keyFile: reader.read(HostKeys.keyFile), connectTimeout: reader.value(HostKeys.connectTimeout),
                hostKey: reader.read(HostKeys.hostKey))
            return HostDraft(transport: .ssh(connection), labels: labels)
        }
    }
}

/// The `transport` names.
enum TransportKind: String, Sendable, CaseIterable {
    case ssh
    case local
}

/// A host as decoded, before its name and location are attached.
struct HostDraft: Sendable {
    var transport: HostTransport
    var labels: [String: String]
}
