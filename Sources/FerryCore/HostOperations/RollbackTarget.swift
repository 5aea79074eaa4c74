/// Which release `ferry rollback` switches a host to, from the releases on the host.
public enum RollbackTarget {
    /// The release to switch to: with `requested` nil, the newest release older (by name) than
    /// `current`; otherwise the release named `requested`, or the newest release whose commit
    /// matches `requested` as a commit prefix (at least 4 hex digits).
    /// - Throws: ``HostOperationError`` (`noEarlierRelease`, `releaseNotFound`).
    public static func choose(requested: String?, current: String?, releases: [String], host: String) throws -> ReleaseName {
        let names = releases.compactMap(ReleaseName.init(rawValue:)).sorted()
        let currentName = current.flatMap(ReleaseName.init(rawValue:))
        guard let requested else {
            guard let currentName, let earlier = names.last(where: { $0 < currentName }) else {
                throw HostOperationError(.noEarlierRelease, "\(host) has no release older than \(current ?? "its current one") to roll back to (releases: \(Self.list(names)))")
            }
            return earlier
        }
        if let exact = names.first(where: { $0.rawValue == requested }) {
            return exact
        }
        let prefix = requested.lowercased()
        let isCommitPrefix = prefix.utf8.count >= 4 && prefix.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        let matches = isCommitPrefix ? names.filter { $0.commitPrefix.hasPrefix(prefix) || prefix.hasPrefix($0.commitPrefix) } : []
        guard let match = matches.last(where: { $0 != currentName }) ?? matches.last else {
            throw HostOperationError(.releaseNotFound, "\(host) has no release \"\(requested)\" (a release name or a commit prefix of at least 4 hex digits; releases: \(Self.list(names)))")
        }
        return match
    }

    private static func list(_ names: [ReleaseName]) -> String {
        names.isEmpty ? "none" : names.map(\.rawValue).joined(separator: ", ")
    }
}
