import FerryConfig
import Foundation

/// Reads a route's webhook URL: written in the config, or from a secret (`from_env`,
/// `from_file`, `from_age`, `from_sops`). Errors name the reference, never the URL.
struct WebhookURLResolver: Sendable {
    /// The agent's environment, for `from_env`.
    var environment: [String: String]
    /// The config repository at the commit the routes come from, for `from_age` and `from_sops`.
    var encrypted: EncryptedSecrets?

    /// Why a webhook URL cannot be used.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The URL `target` names.
    func url(of target: WebhookTarget) throws(Failure) -> URL {
        let text: String
        switch target {
        case .url(let url):
            text = url
        case .secret(let reference):
            text = try reveal(reference).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil
            else { throw Failure(description: "the secret \(reference) does not hold an http:// or https:// URL") }
            return url
        }
        guard let url = URL(string: text) else { throw Failure(description: "the webhook is not a URL") }
        return url
    }

    private func reveal(_ reference: SecretReference) throws(Failure) -> String {
        switch reference {
        case .environment(let name):
            guard let value = environment[name] else {
                throw Failure(description: "the webhook URL comes from the environment variable \(name), which is not set")
            }
            return value
        case .file(let path):
            do { try PrivatePath.check(path, what: "the webhook URL file") } catch { throw Failure(description: "\(error)") }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Failure(description: "the webhook URL comes from \(path), which cannot be read")
            }
            return String(decoding: data, as: UTF8.self)
        case .age(let path):
            guard let encrypted else { throw Failure(description: "\(reference): the config repository cannot be read") }
            do { return try encrypted.age(path) } catch { throw Failure(description: error.message) }
        case .sops(let file, let key):
            guard let encrypted else { throw Failure(description: "\(reference): the config repository cannot be read") }
            do { return try encrypted.sops(file, key: key) } catch { throw Failure(description: error.message) }
        }
    }
}
