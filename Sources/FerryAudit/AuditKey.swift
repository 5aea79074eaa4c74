import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The secret key of a keyed audit chain: 32 random bytes, kept as 64 hex digits
/// and a newline in a 0600 file (`<state>/audit.key`).
///
/// With a key, ``AuditLog`` gives every record a `mac`: HMAC-SHA256 over the `mac` of
/// the record before it (empty for the first keyed record) followed by the record's
/// line without its `mac` field. Anyone who can write the log can still recompute the
/// sha256 chain, but not the MACs: `ferry audit verify --key FILE` shows a forged or
/// re-hashed record. Keep a copy away from the machine (with the auditor): a key that
/// lives only beside the log protects only against someone who cannot read it.
public struct AuditKey: Sendable {
    private let bytes: [UInt8]

    /// A key from its 32 bytes.
    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads the key at `url`, creating it (32 random bytes, mode 0600, never replacing
    /// an existing file) when there is none.
    /// - Throws: ``AuditError`` (`keyUnusable`) when it cannot be read, created or is not a key.
    public static func loadOrCreate(at url: URL) throws -> AuditKey {
        if let key = try readIfPresent(at: url) { return key }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            // Another process created it first: use theirs.
            if errno == EEXIST, let key = try readIfPresent(at: url) { return key }
            throw AuditError(.keyUnusable, path: url.path, message: SystemCall.describe(errno, in: "open"))
        }
        defer { close(descriptor) }
        try SystemCall.writeAll(descriptor, Array((Hex.encode(bytes) + "\n").utf8), path: url.path, kind: .keyUnusable)
        try SystemCall.retrying("fsync", path: url.path, kind: .keyUnusable) { fsync(descriptor) }
        return AuditKey(bytes: bytes)
    }

    /// Reads the key at `url` (`ferry audit verify --key`).
    /// - Throws: ``AuditError`` (`keyUnusable`) when it is missing, unreadable or not a key.
    public static func load(from url: URL) throws -> AuditKey {
        guard let key = try readIfPresent(at: url) else {
            throw AuditError(.keyUnusable, path: url.path, message: "no such file")
        }
        return key
    }

    private static func readIfPresent(at url: URL) throws -> AuditKey? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw AuditError(.keyUnusable, path: url.path, message: "\(error.localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), bytes.count == 32 else {
            throw AuditError(.keyUnusable, path: url.path, message: "not an audit key (expected 64 hex digits, as Ferry writes it)")
        }
        return AuditKey(bytes: bytes)
    }

    /// The `mac` of a record whose line without `mac` is `line`, after a record with `previous`.
    func mac(previous: String?, line: some Collection<UInt8>) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: bytes))
        hmac.update(data: Array((previous ?? "").utf8))
        hmac.update(data: Array(line))
        return Hex.encode(Array(hmac.finalize()))
    }

    /// The `mac` of a head: over its record count and `last`, never its own `mac`.
    func mac(of head: AuditHead) -> String {
        mac(previous: nil, line: Array("ferry-audit-head \(head.records) \(head.last)".utf8))
    }

    /// `head` with its `mac`.
    func keyed(_ head: AuditHead) -> AuditHead {
        var keyed = head
        keyed.mac = mac(of: head)
        return keyed
    }
}

/// Where the `mac` field sits in a record's line, so the line can be read without it.
enum AuditMACField {
    /// The line without its `"mac":"…",` member: what the MAC covers. Keys are sorted, and
    /// `prev` always follows `mac`, so the member always ends with a comma; the last
    /// occurrence is taken, because only `detail` (which sorts before `mac`) could hold
    /// another, and a string value cannot (its quotes are escaped).
    static func lineWithout(_ mac: String, in line: [UInt8]) -> [UInt8]? {
        let member = Array("\"mac\":\"\(mac)\",".utf8)
        guard line.count >= member.count else { return nil }
        for start in stride(from: line.count - member.count, through: 0, by: -1) where line[start..<start + member.count].elementsEqual(member) {
            return Array(line[..<start]) + Array(line[(start + member.count)...])
        }
        return nil
    }
}
