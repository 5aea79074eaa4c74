/// Where Ferry keeps one service's state on a host, under its `remote_dir`:
///
/// ```
/// <root>/releases/<release>/...          one directory per release
/// <root>/current -> releases/<release>   switched atomically
/// <root>/.ferry/manifest.json            what Ferry deployed into `current`
/// <root>/.ferry/manifests/<release>.json the manifest of each release
/// <root>/.ferry/manifests/<release>.stat its quick-check listing (size, mtime, mode of every file)
/// <root>/.ferry/manifest.stat            the listing of the release the manifest describes
/// <root>/.ferry/lock                     who is deploying
/// <root>/.ferry/settings/<release>/env   the environment each release runs with (0600)
/// <root>/.ferry/settings/<release>/manifest.json  the release's manifest, staged by the upload
/// <root>/.ferry/.switching/              where a switch copies what it installs, then renames it
/// <root>/.ferry/tainted/<release>        a release changed on the host: never switched to again
/// <root>/.ferry/journal                  a deploy in progress (see DeployJournal)
/// <root>/.ferry/pid, service.log         the supervised process (manager: process)
/// <root>/.ferry/env                      the environment of the release `current` points at (0600)
/// ```
public struct RemoteLayout: Sendable, Equatable {
    /// The service's `remote_dir`: absolute, without a trailing slash.
    public let root: String

    /// The layout under `remoteDirectory`, which must be absolute, not `/`, and free of
    /// `.` and `..` components and NUL bytes (trailing slashes are dropped).
    public init(remoteDirectory: String) throws {
        var path = remoteDirectory
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard path.hasPrefix("/"), path != "/" else {
            throw RemoteError(.invalidArgument, "remote directory \"\(remoteDirectory)\" must be an absolute path below /")
        }
        guard !path.utf8.contains(0) else {
            throw RemoteError(.invalidArgument, "remote directory \"\(remoteDirectory)\" contains a NUL byte")
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.contains(where: { $0 == "." || $0 == ".." }) else {
            throw RemoteError(.invalidArgument, "remote directory \"\(remoteDirectory)\" must not contain . or .. components")
        }
        root = path
    }

    /// `<root>/releases`.
    public var releasesDirectory: String { root + "/releases" }
    /// `<root>/releases/<release>`.
    public func releaseDirectory(_ release: ReleaseName) -> String { releasesDirectory + "/" + release.rawValue }
    /// `<root>/current`, the symbolic link to the running release.
    public var current: String { root + "/current" }
    /// `<root>/.ferry`, Ferry's own files (mode 0700).
    public var stateDirectory: String { root + "/.ferry" }
    /// `<root>/.ferry/manifest.json`, the manifest of the release `current` points at.
    public var manifest: String { stateDirectory + "/manifest.json" }
    /// `<root>/.ferry/manifests`, one manifest per release.
    public var manifestsDirectory: String { stateDirectory + "/manifests" }
    /// `<root>/.ferry/manifests/<release>.json`.
    public func manifest(for release: ReleaseName) -> String { manifestsDirectory + "/" + release.rawValue + ".json" }
    /// `<root>/.ferry/lock`, who is deploying.
    public var lock: String { stateDirectory + "/lock" }
    /// `<root>/.ferry/pid`, the supervised process's pid and start time.
    public var pidFile: String { stateDirectory + "/pid" }
    /// `<root>/.ferry/service.log`, the supervised process's output.
    public var serviceLog: String { stateDirectory + "/service.log" }
    /// `<root>/.ferry/env`, the environment of the running release (mode 0600).
    public var environmentFile: String { stateDirectory + "/env" }
    /// `<root>/.ferry/settings/<release>`, what a release runs with besides its files.
    public func settingsDirectory(_ release: ReleaseName) -> String { stateDirectory + "/settings/" + release.rawValue }
    /// `<root>/.ferry/tainted/<release>`: present when the release was changed on the host.
    public func taintMarker(_ release: ReleaseName) -> String { stateDirectory + "/tainted/" + release.rawValue }
}
