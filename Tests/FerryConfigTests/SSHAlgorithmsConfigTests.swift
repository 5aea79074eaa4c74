import Foundation
import Testing
@testable import FerryConfig

/// `security.ssh_algorithms`: lists narrow the standard ones, weak names are refused saying why.
@Suite struct SSHAlgorithmsConfigTests {
    private func load(_ security: String) throws -> ConfigLoadResult {
        let repository = try TestRepository([
            "ferry.yaml": """
                hosts:
                  web-1: { address: 10.0.0.5, user: deploy }
                services:
                  api:
                    hosts: [web-1]
                    sources: ["api.py"]
                    run: { command: "python3 api.py", port: 8080 }
                security:
                  ssh_algorithms: \(security)

                """,
            "api.py": "print('api')\n",
        ])
        defer { repository.remove() }
        return try repository.load()
    }

    @Test func listsAreReadAndUnsetOnesKeepTheStandard() throws {
        let result = try load("{ kex: [ecdh-sha2-nistp256], macs: [hmac-sha2-512] }")
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
        let algorithms = try #require(result.configuration?.security.sshAlgorithms)
        #expect(algorithms == SSHAlgorithms(keyExchange: ["ecdh-sha2-nistp256"], hostKey: nil, ciphers: nil, macs: ["hmac-sha2-512"]))
    }

    @Test(arguments: ["{ ciphers: [aes256-cbc] }", "{ kex: [diffie-hellman-group14-sha1] }", "{ macs: [hmac-sha1] }"])
    func weakAlgorithmsAreRefusedSayingWhy(_ security: String) throws {
        let result = try load(security)
        let error = try #require(result.errors.first)
        #expect(error.kind == .invalidValue)
        #expect(error.message.contains("Ferry never negotiates SHA-1, MD5, CBC or RC4 algorithms"), "\(error)")
    }
}
