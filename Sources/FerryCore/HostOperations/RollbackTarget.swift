/// Which release `ferry rollback` switches a host to, from the releases on the host.
public enum RollbackTarget {

    /// The releases `ferry rollback` may switch a host to, best first: for `requested` nil, every
    /// release older than `current`, newest first; for a release name, that release; for a
    /// commit prefix, every release of that commit other than `current`, newest first. Releases
    /// marked as changed on the host (`tainted`) are left out. Empty when none qualifies.
    /// - Throws: ``HostOperationError`` `releaseNotFound` for a request that is neither a
    ///   release name on the host nor a commit prefix of at least 4 hex digits.
    public static func candidates(requested: String?, current: String?, releases: [String], tainted: Set<String>,
                                  host: String) throws -> [ReleaseName] {
        let names = releases.compactMap(ReleaseName.init(rawValue:)).sorted()
        let usable = names.filter { !tainted.contains($0.rawValue) }
        let currentName = current.flatMap(ReleaseName.init(rawValue:))
        guard let requested else {
            guard let currentName else { return [] }
            return usable.filter { $0 < currentName }.reversed()
        }
        if names.contains(where: { $0.rawValue == requested }) {
            return usable.filter { $0.rawValue == requested }
        }
        guard isCommitPrefix(requested) else {
            throw HostOperationError(.releaseNotFound, "\(host) has no release \"\(requested)\" (a release name or a commit prefix of at least 4 hex digits; releases: \(Self.list(names)))")
        }
        let prefix = requested.lowercased()
        return usable.filter { ($0.commitPrefix.hasPrefix(prefix) || prefix.hasPrefix($0.commitPrefix)) && $0 != currentName }.reversed()
    }

    /// Whether `text` can name a commit: at least 4 lowercase or uppercase hex digits.
    static func isCommitPrefix(_ text: String) -> Bool {
        text.utf8.count >= 4 && text.lowercased().utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
    }

    private static func list(_ names: [ReleaseName]) -> String {
        names.isEmpty ? "none" : names.map(\.rawValue).joined(separator: ", ")
    }
}
