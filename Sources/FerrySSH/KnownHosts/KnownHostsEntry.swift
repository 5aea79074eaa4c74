import Crypto
import Foundation

/// One line of an OpenSSH known_hosts file.
struct KnownHostsEntry: Sendable, Equatable {
    /// The `@…` marker a line may start with.
    enum Marker: Sendable, Equatable {
        /// `@cert-authority`: a CA key for host certificates (not used: libssh2 has no certificates).
        case certificateAuthority
        /// `@revoked`: this key must never be accepted.
        case revoked
    }

    /// Which host names a line applies to.
    enum Hosts: Sendable, Equatable {
        /// Comma-separated patterns (`*` and `?` wildcards, `!` negation, `[host]:port`).
        case patterns([String])
        /// A hashed name `|1|salt|hash`: HMAC-SHA1 of the name keyed with the salt.
        case hashed(salt: Data, hash: Data)
    }

    var marker: Marker?
    var hosts: Hosts
    var key: HostKey
    /// 1-based line number in the file, for messages.
    var line: Int

    /// Whether the line applies to `name` (`host` for port 22, `[host]:port` otherwise).
    func matches(name: String) -> Bool {
        switch hosts {
        case .hashed(let salt, let hash):
            let code = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
            return Data(code) == hash
        case .patterns(let patterns):
            var matched = false
            for pattern in patterns {
                if pattern.hasPrefix("!") {
                    if HostPattern.matches(String(pattern.dropFirst()), name) { return false }
                } else if HostPattern.matches(pattern, name) {
                    matched = true
                }
            }
            return matched
        }
    }
}

/// OpenSSH host pattern matching: `*` any run of characters, `?` one character, case-insensitive.
enum HostPattern {
    /// Whether `name` matches `pattern`.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        matches(Array(pattern.lowercased().unicodeScalars)[...], Array(name.lowercased().unicodeScalars)[...])
    }

    private static func matches(_ pattern: ArraySlice<Unicode.Scalar>, _ name: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        switch first {
        case "*":
            let rest = pattern.dropFirst()
            var candidate = name
            while true {
                if matches(rest, candidate) { return true }
                guard !candidate.isEmpty else { return false }
                candidate = candidate.dropFirst()
            }
        case "?":
            return !name.isEmpty && matches(pattern.dropFirst(), name.dropFirst())
        default:
            return name.first == first && matches(pattern.dropFirst(), name.dropFirst())
        }
    }
}
