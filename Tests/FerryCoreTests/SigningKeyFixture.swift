import Foundation
@testable import FerryCore

/// A key made by the real `ssh-keygen` in a temporary directory, and signatures it makes
/// with `ssh-keygen -Y sign`: the reference the native verifier is checked against.
final class SigningKeyFixture {
    let directory = try! StateTestDirectory()
    let keyFile: URL
    /// `ssh-ed25519 AAAA… comment`.
    let publicKeyLine: String

    /// A new key: `type` is `ed25519`, `ecdsa` (P-256) or `rsa`.
    init(_ type: String) throws {
        keyFile = directory.file("id_\(type)")
        var command = ["ssh-keygen", "-q", "-t", type, "-N", "", "-C", "test", "-f", keyFile.path]
        if type == "ecdsa" { command += ["-b", "256"] }
        try OperatorFixture.run(command)
        publicKeyLine = try String(contentsOf: URL(fileURLWithPath: keyFile.path + ".pub"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The public key as Ferry parses it.
    var publicKey: SSHPublicKey {
        get throws {
            let fields = publicKeyLine.split(separator: " ").map(String.init)
            return try SSHPublicKey(type: fields[0], base64: fields[1])
        }
    }

    /// `keytype base64` of the public key, for allowed_signers lines.
    var keyText: String { publicKeyLine.split(separator: " ").prefix(2).joined(separator: " ") }

    /// The fingerprint `ssh-keygen -l` prints.
    func fingerprint() throws -> String {
        try OperatorFixture.run(["ssh-keygen", "-l", "-f", keyFile.path + ".pub"]).split(separator: " ")[1].description
    }

    /// The armored signature of `message` in `namespace` (`-O hashalg=` when given).
    func sign(_ message: String, namespace: String = "git", hashAlgorithm: String? = nil) throws -> String {
        let file = directory.file("message-\(UUID().uuidString)")
        try Data(message.utf8).write(to: file)
        var command = ["ssh-keygen", "-q", "-Y", "sign", "-f", keyFile.path, "-n", namespace]
        if let hashAlgorithm { command += ["-O", "hashalg=\(hashAlgorithm)"] }
        try OperatorFixture.run(command + [file.path])
        return try String(contentsOf: URL(fileURLWithPath: file.path + ".sig"), encoding: .utf8)
    }
}
