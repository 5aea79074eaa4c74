/// What one round trip to a host found for one service: the release `current` points at,
/// the manifest Ferry wrote there, the hash of every file of that release, and whether
/// the service runs.
public struct ObservedService: Sendable, Equatable {
    /// The release `current` points at, nil when there is no `current`.
    public var currentRelease: String?
    /// The revision the manifest names, nil when there is none.
    public var manifestRevision: String?
    /// The release the manifest names.
    public var manifestRelease: String?
    /// The files the manifest lists, by path, with their SHA-256; nil when the manifest is missing.
    public var manifestFiles: [String: String]?
    /// Why the manifest could not be read, when it exists but is corrupt.
    public var manifestProblem: String?
    /// The SHA-256 of every file of the current release, by path (symbolic links: of their target text).
    public var files: [String: String]
    /// The permission bits of every file of the current release, by path.
    public var modes: [String: UInt32]
    /// Whether the service's process runs; nil when the host cannot tell.
    public var running: Bool?
    /// The release directories on the host, oldest first.
    public var releases: [String]
    /// The settings the manifest records for the current release; nil when it records none
    /// (no manifest, or one written by a Ferry older than 0.2).
    public var manifestSettings: ReleaseSettings?
    /// SHA-256 of the environment file on the host, nil when there is none.
    public var environmentFileSHA256: String?
    /// SHA-256 of the systemd unit file on the host, nil when there is none.
    public var unitSHA256: String?
    /// Releases marked as changed on the host, which no command switches to.
    public var taintedReleases: Set<String>
    /// The deploy an interrupted run left unfinished on the host, if any.
    public var journal: DeployJournal?
    /// Who holds the service's remote lock on the host, if anyone.
    public var lockHolder: RemoteLockHolder?
    /// Whether systemd runs on the host; nil when the host was not probed.
    public var hostRunsSystemd: Bool?

    /// An observation.
    public init(currentRelease: String?, manifestRevision: String?, manifestRelease: String?, manifestFiles: [String: String]?,
                manifestProblem: String?, files: [String: String], modes: [String: UInt32] = [:], running: Bool?, releases: [String],
                manifestSettings: ReleaseSettings? = nil, environmentFileSHA256: String? = nil, unitSHA256: String? = nil,
                taintedReleases: Set<String> = [], journal: DeployJournal? = nil,
                lockHolder: RemoteLockHolder? = nil) {
        self.currentRelease = currentRelease
        self.manifestRevision = manifestRevision
        self.manifestRelease = manifestRelease
        self.manifestFiles = manifestFiles
        self.manifestProblem = manifestProblem
        self.files = files
        self.modes = modes
        self.running = running
        self.releases = releases
        self.manifestSettings = manifestSettings
        self.environmentFileSHA256 = environmentFileSHA256
        self.unitSHA256 = unitSHA256
        self.taintedReleases = taintedReleases
        self.journal = journal
        self.lockHolder = lockHolder
    }

    /// A service never deployed on the host.
    public static let absent = ObservedService(currentRelease: nil, manifestRevision: nil, manifestRelease: nil, manifestFiles: nil,
                                               manifestProblem: nil, files: [:], running: nil, releases: [])
}
