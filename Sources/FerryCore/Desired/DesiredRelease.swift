import FerryConfig
import FerryGit

/// What Git says one service's release holds at one commit: its files, with content hashes,
/// and its settings (command, environment, unit, health check, hooks, timeouts).
public struct DesiredRelease: Sendable, Equatable {
    /// The service.
    public var service: String
    /// The commit the files come from.
    public var revision: CommitID
    /// The files by path relative to the release directory (the same as in the repository).
    public var files: [String: DesiredFile]
    /// The settings the release carries.
    public var settings: ReleaseSettings
    /// Secret variables whose values were not resolved here (`ferry drift` and `ferry changes`
    /// never read secrets): they and the environment file's digest are left out of comparisons.
    public var uncheckedVariables: Set<String>
    /// For `manager: auto`, the settings the release carries on a host without systemd
    /// (`manager: process`); nil for another manager, or when the service needs systemd.
    public var settingsWithoutSystemd: ReleaseSettings?
    /// The resolved bearer token of the service's `analysis`, when it names one; never part of the release.
    var analysisToken: Secret?

    /// A release of `files` with `settings`.
    public init(service: String, revision: CommitID, files: [String: DesiredFile], settings: ReleaseSettings,
                uncheckedVariables: Set<String> = []) {
        self.service = service
        self.revision = revision
        self.files = files
        self.settings = settings
        self.uncheckedVariables = uncheckedVariables
    }

    /// What differs between these settings and `stored` (a release's on a host), leaving out
    /// the variables not resolved here; ["settings unknown …"] when the host's release stores none.
    public func settingsDifferences(from stored: ReleaseSettings?) -> [String] {
        guard let stored else { return ["settings unknown (deployed by an earlier Ferry)"] }
        var mine = settings, theirs = stored
        for name in uncheckedVariables {
            mine.environment[name] = nil
            theirs.environment[name] = nil
        }
        return mine.differences(from: theirs)
    }

    /// The bytes of every file, added up.
    public var totalBytes: Int { files.values.reduce(0) { $0 + $1.size } }
}

/// One file of a desired release.
public struct DesiredFile: Sendable, Equatable {
    /// The path relative to the release directory.
    public var path: String
    /// The SHA-256 of the content (for a symbolic link: of its target text), lowercase hex.
    public var sha256: String
    /// The permission bits on the host: 0o644, 0o755, or 0o777 for a symbolic link.
    public var mode: UInt32
    /// The size in bytes.
    public var size: Int
    /// The target of a symbolic link, nil for a file.
    public var symlinkTarget: String?
    /// The Git blob the content comes from.
    public var blobID: BlobID

    /// A file.
    public init(path: String, sha256: String, mode: UInt32, size: Int, symlinkTarget: String?, blobID: BlobID) {
        self.path = path
        self.sha256 = sha256
        self.mode = mode
        self.size = size
        self.symlinkTarget = symlinkTarget
        self.blobID = blobID
    }
}
