/// The `sshd_config` of a test host: key-only root login, no PAM, limits lifted for load tests.
struct SSHDaemonConfig {
    var listenAddress: String
    var hostKeyFile: String
    var extraLines: [String]

    var text: String {
        ([
            "ListenAddress \(listenAddress)",
            "Port 22",
            "HostKey \(hostKeyFile)",
            "PidFile none",
            "AuthorizedKeysFile /root/.ssh/authorized_keys",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "UsePAM no",
            "StrictModes no",
            "MaxStartups 1000:30:1000",
            "MaxSessions 1000",
            "AllowTcpForwarding yes",
            "ClientAliveInterval 0",
            "Subsystem sftp internal-sftp",
        ] + extraLines).joined(separator: "\n") + "\n"
    }
}
