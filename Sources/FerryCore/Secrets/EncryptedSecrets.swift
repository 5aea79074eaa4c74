import FerryConfig
import FerryGit
import Foundation

/// Reads the encrypted secrets the config names (`from_age`, `from_sops`) from the config
/// repository at one commit, and decrypts them with the agent's age identity.
struct EncryptedSecrets: Sendable {
    /// The config repository.
    var repository: GitRepository
    /// The commit whose files are read: the one being reconciled.
    var commit: CommitID
    /// The agent's `age_identity` file, if set.
    var identityFile: String?

    /// The plaintext of the age file at `path`, its trailing newlines removed.
    /// - Throws: ``SecretResolutionError`` saying what to fix.
    func age(_ path: String) throws(SecretResolutionError) -> String {
        let file = try read(path)
        let identities = try loadIdentities()
        do {
            let plaintext = try AgeFile.decrypt(file, with: identities)
            return String(decoding: plaintext, as: UTF8.self).trimmingCharacters(in: .newlines)
        } catch {
            throw SecretResolutionError("the age-encrypted \(path) at \(commit.short) cannot be decrypted: \(error.message)",
                                        hint: Self.hint(for: error, path: path))
        }
    }

    /// The file at `path` in the commit.
    func read(_ path: String) throws(SecretResolutionError) -> Data {
        let data: Data?
        do {
            data = try repository.readFile(path, at: commit)
        } catch {
            throw SecretResolutionError("\(path) cannot be read from the config repository at \(commit.short): \(error)")
        }
        guard let data else {
            throw SecretResolutionError("\(path) is not in the config repository at \(commit.short)",
                                        hint: "commit the encrypted file, or correct the path (relative to the repository root)")
        }
        return data
    }

    /// The identities in the agent's identity file.
    func loadIdentities() throws(SecretResolutionError) -> [AgeIdentity] {
        guard let identityFile else {
            throw SecretResolutionError("no age identity is set, so encrypted secrets cannot be decrypted",
                                        hint: "set age_identity in the agent file, FERRY_AGE_IDENTITY or --age-identity (make one with age-keygen)")
        }
        guard let data = FileManager.default.contents(atPath: identityFile) else {
            throw SecretResolutionError("the age identity file \(identityFile) cannot be read",
                                        hint: "create it with `age-keygen -o \(identityFile)`, readable by the agent's user only (chmod 600)")
        }
        do {
            return try AgeIdentity.parseFile(String(decoding: data, as: UTF8.self))
        } catch {
            throw SecretResolutionError("the age identity file \(identityFile) is not usable: \(error.message)",
                                        hint: "it must hold AGE-SECRET-KEY-1… lines as age-keygen writes them")
        }
    }

    private static func hint(for error: AgeError, path: String) -> String {
        switch error.kind {
        case .noMatchingIdentity: "encrypt it again with the agent's recipient: `ferry secret encrypt --recipient age1… > \(path)` (age-keygen -y prints the recipient)"
        case .invalidKey, .malformed: "the file must be written by `age` or `ferry secret encrypt` with X25519 recipients"
        case .headerMACMismatch, .payloadCorrupted: "the file was changed after it was encrypted: encrypt the value again"
        }
    }
}

/// An encrypted secret that cannot be resolved, and what to do about it.
struct SecretResolutionError: Error, Sendable, CustomStringConvertible {
    var message: String
    var hint: String?

    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    var description: String { hint.map { "\(message) (\($0))" } ?? message }
}

extension EncryptedSecrets {
    /// The value at `key` (nested keys joined with `.`) of the SOPS file at `path` (YAML, JSON
    /// or dotenv by its extension), after its MAC is checked.
    /// - Throws: ``SecretResolutionError`` saying what to fix.
    func sops(_ path: String, key: String) throws(SecretResolutionError) -> String {
        let data = try read(path)
        let identities = try loadIdentities()
        let format = SopsDocument.Format(path: path)
        do {
            let document = try SopsDocument.parse(data, format: format, file: path)
            return try SopsFile(document, format: format, identities: identities).value(at: key)
        } catch let error as SopsDocumentError {
            throw SecretResolutionError("the SOPS file \(path) at \(commit.short) cannot be read: \(error.message)",
                                        hint: "write it with `sops --encrypt --age age1…`")
        } catch let error as SopsError {
            throw SecretResolutionError("the SOPS value \(path)#\(key) at \(commit.short) cannot be decrypted: \(error.message)",
                                        hint: "encrypt it again with `sops --encrypt --age <the agent's recipient>`, or `sops updatekeys`")
        } catch {
            throw SecretResolutionError("the SOPS value \(path)#\(key) at \(commit.short) cannot be read: \(error)")
        }
    }
}
