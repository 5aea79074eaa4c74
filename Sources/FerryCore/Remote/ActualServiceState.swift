import Foundation

/// What a host has for one service, read by ``HostStateProbe`` in the same round trip as
/// every other service of the host.
public struct ActualServiceState: Sendable, Equatable {
    /// Whether the service's `remote_dir` exists.
    public var directoryExists: Bool
    /// The target of `current` as written in the link (`releases/<release>`), nil without a link.
    public var currentTarget: String?
    /// The bytes of `.ferry/manifest.json`, nil when there is none.
    public var manifestData: Data?
    /// Every regular file and symbolic link under the release `current` leads to, by path
    /// relative to it; nil when `current` does not lead to a readable directory, or when
    /// ``quickCheckPassed`` (the probe hashed nothing).
    public var files: [String: ActualFile]?
    /// Whether the release's ``QuickCheck`` listing (size, modification time, mode of every
    /// file) is the one recorded at deploy, so its files are the manifest's and nothing was hashed.
    public var quickCheckPassed: Bool
    /// The release directories present, oldest first.
    public var releases: [ReleaseName]
    /// Whether the service runs.
    public var status: ServiceStatus
    /// SHA-256 of `.ferry/env`, nil when there is none.
    public var environmentFileSHA256: String?
    /// SHA-256 of the installed systemd unit file, nil when there is none (or `manager: process`).
    public var unitSHA256: String?
    /// Releases marked as changed on the host (`.ferry/tainted/<release>`), never switched to again.
    public var taintedReleases: [ReleaseName]
    /// The deploy an interrupted run left unfinished, when `.ferry/journal` exists.
    public var journal: DeployJournal?
    /// Who holds the service's remote lock, when `.ferry/lock` exists.
    public var lockHolder: RemoteLockHolder?
    /// Whether systemd runs on the host (`/run/systemd/system` exists); nil when not probed.
    public var hostRunsSystemd: Bool?

    /// A state.
    public init(directoryExists: Bool, currentTarget: String?, manifestData: Data?, files: [String: ActualFile]?,
                releases: [ReleaseName], status: ServiceStatus, environmentFileSHA256: String? = nil, unitSHA256: String? = nil,
                taintedReleases: [ReleaseName] = [], journal: DeployJournal? = nil, quickCheckPassed: Bool = false,
                lockHolder: RemoteLockHolder? = nil) {
        self.directoryExists = directoryExists
        self.quickCheckPassed = quickCheckPassed
        self.currentTarget = currentTarget
        self.manifestData = manifestData
        self.files = files
        self.releases = releases
        self.status = status
        self.environmentFileSHA256 = environmentFileSHA256
        self.unitSHA256 = unitSHA256
        self.taintedReleases = taintedReleases
        self.journal = journal
        self.lockHolder = lockHolder
    }

    /// The release `current` points at, when it points at `releases/<release name>` as Ferry writes it.
    public var currentRelease: ReleaseName? {
        guard let currentTarget, currentTarget.hasPrefix("releases/") else { return nil }
        return ReleaseName(rawValue: String(currentTarget.dropFirst("releases/".count)))
    }

    /// The manifest, nil when there is none; `.malformedManifest` when it is not one Ferry wrote.
    public func manifest() throws -> Manifest? {
        try manifestData.map(Manifest.decode)
    }
}
