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

    /// An observation.
    public init(currentRelease: String?, manifestRevision: String?, manifestRelease: String?, manifestFiles: [String: String]?,
                manifestProblem: String?, files: [String: String], modes: [String: UInt32] = [:], running: Bool?, releases: [String]) {
        self.currentRelease = currentRelease
        self.manifestRevision = manifestRevision
        self.manifestRelease = manifestRelease
        self.manifestFiles = manifestFiles
        self.manifestProblem = manifestProblem
        self.files = files
        self.modes = modes
        self.running = running
        self.releases = releases
    }

    /// A service never deployed on the host.
    public static let absent = ObservedService(currentRelease: nil, manifestRevision: nil, manifestRelease: nil, manifestFiles: nil,
                                               manifestProblem: nil, files: [:], running: nil, releases: [])
}
