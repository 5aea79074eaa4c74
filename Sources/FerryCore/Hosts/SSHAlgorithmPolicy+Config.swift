import FerryConfig
import FerrySSH

extension SSHAlgorithmPolicy {
    /// The transport policy `security.ssh_algorithms` asks for: each list it sets narrows
    /// Ferry's standard one (no SHA-1, no CBC); a list it leaves out keeps the standard one.
    init(_ algorithms: SSHAlgorithms) {
        self.init(keyExchange: algorithms.keyExchange, hostKey: algorithms.hostKey, ciphers: algorithms.ciphers, macs: algorithms.macs)
    }
}
