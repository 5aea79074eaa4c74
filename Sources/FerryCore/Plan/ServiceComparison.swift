import FerryConfig

/// Desired (Git) against observed (host) for one service on one host.
public struct ServiceComparison: Sendable, Equatable {
    /// How the host differs from what Ferry deployed there (changes made outside Ferry).
    public var drift: [DriftFinding]
    /// Whether Git wants other files than the host's manifest lists (a new commit to deploy).
    public var gitIsAhead: Bool
    /// Whether the service was never deployed on the host.
    public var neverDeployed: Bool
    /// The files the next release needs uploaded: those the current release lacks or holds other bytes of.
    public var uploads: [DesiredFile]
    /// The paths of the current release that the next release drops.
    public var removals: [String]

    /// Compares `desired` with `observed`; `expectsRunning` says whether a stopped process is drift.
    public static func compare(desired: DesiredRelease, observed: ObservedService, changeDetection: ChangeDetection,
                               expectsRunning: Bool) -> ServiceComparison {
        let uploads = desired.files.values.filter { observed.files[$0.path] != $0.sha256 }.sorted { $0.path < $1.path }
        let removals = observed.files.keys.filter { desired.files[$0] == nil }.sorted()
        guard observed.currentRelease != nil || observed.manifestFiles != nil else {
            return ServiceComparison(drift: [], gitIsAhead: true, neverDeployed: true, uploads: uploads, removals: removals)
        }
        var drift: [DriftFinding] = []
        if let problem = observed.manifestProblem ?? (observed.manifestFiles == nil ? "no manifest" : nil) {
            drift.append(.manifestUnreadable(problem))
        }
        let deployed = observed.manifestFiles ?? [:]
        for (path, expected) in deployed.sorted(by: { $0.key < $1.key }) {
            switch observed.files[path] {
            case nil: drift.append(.missing(path: path, expected: expected))
            case let actual? where actual != expected: drift.append(.modified(path: path, expected: expected, actual: actual))
            default: break
            }
        }
        for (path, actual) in observed.files.sorted(by: { $0.key < $1.key }) where deployed[path] == nil && observed.manifestFiles != nil {
            drift.append(.extra(path: path, actual: actual))
        }
        if let release = observed.manifestRelease, release != observed.currentRelease {
            drift.append(.wrongRelease(expected: release, actual: observed.currentRelease))
        }
        if expectsRunning, observed.running == false { drift.append(.notRunning) }

        let gitIsAhead: Bool
        switch changeDetection {
        case .gitCommit:
            gitIsAhead = observed.manifestRevision != desired.revision.hex
        case .contentHash, .mtime:
            gitIsAhead = deployed != desired.files.mapValues(\.sha256)
        }
        return ServiceComparison(drift: drift, gitIsAhead: gitIsAhead, neverDeployed: false, uploads: uploads, removals: removals)
    }

    /// Bytes the next release uploads.
    public var uploadBytes: Int { uploads.reduce(0) { $0 + $1.size } }
}
