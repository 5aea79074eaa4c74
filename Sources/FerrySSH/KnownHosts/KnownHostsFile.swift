import Foundation

/// The entries of an OpenSSH known_hosts file.
///
/// Ferry reads the file itself rather than through `libssh2_knownhost_*`: libssh2
/// answers "not found" when a host is known with a key of another type, which must be
/// told apart from an unknown host (both are refused, with different advice).
struct KnownHostsFile: Sendable {
    /// Entries in file order; blank, comment and unparsable lines are skipped.
    var entries: [KnownHostsEntry]

    /// Parses known_hosts text.
    init(text: String) {
        entries = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            Self.parse(line: Substring(line), number: index + 1)
        }
    }

    /// Reads and parses the file at `path`; a missing file has no entries.
    init(path: String) throws(SSHError) {
        guard FileManager.default.fileExists(atPath: path) else {
            self.init(text: "")
            return
        }
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            self.init(text: String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self))
        } catch {
            throw SSHError(kind: .hostKeyUnknown, message: "cannot read known_hosts file \(path): \(error.localizedDescription)")
        }
    }

    /// The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise.
    static func lookupName(host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }

    /// The entries (other than `@cert-authority`) that apply to `host:port`.
    func entries(forHost host: String, port: Int) -> [KnownHostsEntry] {
        let name = Self.lookupName(host: host, port: port)
        return entries.filter { $0.marker != .certificateAuthority && $0.matches(name: name) }
    }

    private static func parse(line: Substring, number: Int) -> KnownHostsEntry? {
        var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = fields.first, !first.hasPrefix("#") else { return nil }
        var marker: KnownHostsEntry.Marker?
        if first.hasPrefix("@") {
            switch first {
            case "@cert-authority": marker = .certificateAuthority
            case "@revoked": marker = .revoked
            default: return nil
            }
            fields.removeFirst()
        }
        guard fields.count >= 3, let hosts = parseHosts(fields[0]),
              let key = HostKey(type: fields[1], base64: fields[2]) else { return nil }
        return KnownHostsEntry(marker: marker, hosts: hosts, key: key, line: number)
    }

    private static func parseHosts(_ field: String) -> KnownHostsEntry.Hosts? {
        guard field.hasPrefix("|") else {
            return .patterns(field.split(separator: ",").map(String.init))
        }
        let parts = field.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1] == "1",
              let salt = Data(base64Encoded: String(parts[2])),
              let hash = Data(base64Encoded: String(parts[3])) else { return nil }
        return .hashed(salt: salt, hash: hash)
    }
}
