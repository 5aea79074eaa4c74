import Foundation

/// The check `ssh_key` passes when the settings are loaded, so a wrong key is a settings
/// error naming the file (exit 78) rather than an authentication failure at the first host:
/// the file exists, can be read, and holds a private key — not its `.pub`.
enum SSHKeyFileCheck {
    /// How much of the file is read: private keys are a few KiB.
    private static let readLimit = 64 * 1024

    /// The problem with the key file at `path`, reported at `location` (where the setting
    /// was given), or nil when it holds a private key.
    static func problem(_ path: String, at location: SourceLocation) -> ConfigDiagnostic? {
        func problem(_ kind: ConfigDiagnostic.Kind, _ message: String, hint: String) -> ConfigDiagnostic {
            ConfigDiagnostic(kind, "ssh_key \(path) \(message)", hint: hint, at: location)
        }
        switch LocalFile.presence(path) {
        case .missing:
            return problem(.missingFile, "does not exist",
                           hint: "create one with `ssh-keygen -t ed25519 -f \(path)`, or fix --ssh-key, FERRY_SSH_KEY or ssh_key:")
        case .inaccessible(let reason):
            return problem(.unreadableFile, "cannot be read: \(reason)", hint: "run as the user that owns the key")
        case .present:
            break
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return problem(.invalidValue, "is a directory", hint: "name the private key file in it, e.g. \(path)/id_ed25519")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return problem(.unreadableFile, "cannot be read: \(String(cString: strerror(errno)))",
                           hint: "run as the user that owns the key (its mode is usually 0600)")
        }
        defer { try? handle.close() }
        let text = String(decoding: (try? handle.read(upToCount: readLimit)) ?? Data(), as: UTF8.self)
        if isPublicKey(text) || path.hasSuffix(".pub") {
            let privatePath = path.hasSuffix(".pub") ? String(path.dropLast(4)) : "the file without .pub"
            return problem(.invalidValue, "is a public key",
                           hint: "give the private key (\(privatePath)); its .pub goes into each host's ~/.ssh/authorized_keys")
        }
        guard text.contains("-----BEGIN "), text.contains("PRIVATE KEY-----") else {
            return problem(.invalidValue, "is not a private key (no `-----BEGIN … PRIVATE KEY-----` line)",
                           hint: "give the file ssh-keygen wrote, e.g. /etc/ferry/deploy_ed25519")
        }
        return nil
    }

    /// Whether `text` is an OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
    private static func isPublicKey(_ text: String) -> Bool {
        let first = text.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
        return first.hasPrefix("ssh-") || first.hasPrefix("ecdsa-sha2-") || first.hasPrefix("sk-")
    }
}
