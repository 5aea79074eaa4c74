import FerryConfig

/// Desired (Git) against observed (host) for one service on one host.
public struct ServiceComparison: Sendable, Equatable {
    /// How the host differs from what Ferry deployed there (changes made outside Ferry).
    public var drift: [DriftFinding]
    /// Whether Git wants other files or settings than the host's release has (a new commit to deploy).
    public var gitIsAhead: Bool
    /// The settings that differ between Git and the host's release (`run.command`,
    /// `env.GREETING`, `secret API_TOKEN changed`); never a value.
    public var settingsChanges: [String] = []
    /// The deploy an interrupted run left unfinished on the host, if any.
    public var interrupted: DeployJournal?
    /// Whether the service was never deployed on the host.
    public var neverDeployed: Bool
    /// The files the next release needs uploaded: those the current release lacks or holds other bytes of.
    public var uploads: [DesiredFile]
    /// The paths of the current release that the next release drops.
    public var removals: [String]

    /// Compares `desired` with `observed`; `expectsRunning` says whether a stopped process is drift;
    /// `sourcesChanged` (for `change_detection: git_commit`) whether a commit since the host's
    /// revision touched the service's sources.
    public static func compare(desired: DesiredRelease, observed: ObservedService, changeDetection: ChangeDetection,
                               expectsRunning: Bool, sourcesChanged: Bool) -> ServiceComparison {
        guard observed.currentRelease != nil || observed.manifestFiles != nil else {
            let (uploads, removals) = transfer(desired: desired, observed: observed)
            return ServiceComparison(drift: [], gitIsAhead: true, neverDeployed: true, uploads: uploads, removals: removals)
        }
        var drift: [DriftFinding] = []
        if let problem = observed.manifestProblem ?? (observed.manifestFiles == nil ? "no manifest" : nil) {
            drift.append(.manifestUnreadable(problem))
        }
        let deployed = observed.manifestFiles ?? [:]
        // The common case, a host in sync with a manifest in sync with Git, costs two passes of lookups.
        let hostIsManifest = observed.manifestFiles != nil && observed.files == deployed
        let manifestIsGit = deployed.count == desired.files.count && deployed.allSatisfy { desired.files[$0.key]?.sha256 == $0.value }
        if !hostIsManifest { drift += fileDrift(deployed: deployed, observed: observed) }
        let (uploads, removals) = hostIsManifest && manifestIsGit ? ([], []) : transfer(desired: desired, observed: observed)
        if let release = observed.manifestRelease, release != observed.currentRelease {
            drift.append(.wrongRelease(expected: release, actual: observed.currentRelease))
        }
        drift += settingsDrift(desired: desired, observed: observed)
        if expectsRunning, observed.running == false { drift.append(.notRunning) }

        let settingsChanges = observed.manifestFiles == nil || desired.settings == observed.manifestSettings
            ? [] : desired.settingsDifferences(from: observed.manifestSettings)
        let filesChanged: Bool
        switch changeDetection {
        case .gitCommit:
            filesChanged = sourcesChanged
        case .contentHash, .mtime:
            filesChanged = !manifestIsGit
        }
        var comparison = ServiceComparison(drift: drift, gitIsAhead: filesChanged || !settingsChanges.isEmpty, neverDeployed: false,
                                           uploads: uploads, removals: removals)
        comparison.settingsChanges = settingsChanges
        comparison.interrupted = observed.journal
        return comparison
    }

    /// The files the next release uploads (those the host lacks or holds other bytes of) and the
    /// paths it drops, each sorted by path.
    private static func transfer(desired: DesiredRelease, observed: ObservedService) -> (uploads: [DesiredFile], removals: [String]) {
        (desired.files.values.filter { observed.files[$0.path] != $0.sha256 }.sorted { $0.path < $1.path },
         observed.files.keys.filter { desired.files[$0] == nil }.sorted())
    }

    /// Files missing or modified against the manifest, then files it does not name, each group sorted by path.
    private static func fileDrift(deployed: [String: String], observed: ObservedService) -> [DriftFinding] {
        var changed: [(path: String, finding: DriftFinding)] = []
        for (path, expected) in deployed {
            switch observed.files[path] {
            case nil: changed.append((path, .missing(path: path, expected: expected)))
            case let actual? where actual != expected: changed.append((path, .modified(path: path, expected: expected, actual: actual)))
            default: break
            }
        }
        var extra: [(path: String, finding: DriftFinding)] = []
        for (path, actual) in observed.files where deployed[path] == nil && observed.manifestFiles != nil {
            extra.append((path, .extra(path: path, actual: actual)))
        }
        return changed.sorted { $0.path < $1.path }.map(\.finding) + extra.sorted { $0.path < $1.path }.map(\.finding)
    }

    /// The settings files of the running release that differ from what its manifest records.
    private static func settingsDrift(desired: DesiredRelease, observed: ObservedService) -> [DriftFinding] {
        guard let stored = observed.manifestSettings, observed.manifestRelease == observed.currentRelease else { return [] }
        var drift: [DriftFinding] = []
        if observed.environmentFileSHA256 != stored.environmentFileSHA256 {
            drift.append(.settingsEdited(file: "environment", path: ".ferry/env"))
        }
        // The probe reads the unit only for a service the config runs with systemd.
        if let unit = stored.unitSHA256, desired.settings.run.manager == "systemd", observed.unitSHA256 != unit {
            drift.append(.settingsEdited(file: "unit", path: stored.run.unit))
        }
        return drift
    }

    /// Bytes the next release uploads.
    public var uploadBytes: Int { uploads.reduce(0) { $0 + $1.size } }
}
