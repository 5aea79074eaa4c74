import FerryConfig
import FerryGit
import Foundation

/// Reads desired releases from the config repository, hashing each blob once per run
/// however many services share it.
public final class DesiredReleaseReader: @unchecked Sendable {
    private let repository: GitRepository
    private let commit: CommitID
    private var hashes: [BlobID: String] = [:]

    /// A reader of `commit` in `repository`.
    public init(repository: GitRepository, commit: CommitID) {
        self.repository = repository
        self.commit = commit
    }

    /// The release of `service` at the commit: every file matching one of its `sources`
    /// patterns, and the settings the config gives it with `environment` resolved.
    func release(of service: Service, environment: ServiceEnvironments) throws -> DesiredRelease {
        let entries = try repository.listFiles(at: commit, under: service.sources.map(\.literalPrefix)) { path in
            service.sources.contains { $0.matches(path) }
        }
        var files: [String: DesiredFile] = [:]
        for entry in entries {
            files[entry.path] = try file(for: entry)
        }
        let variables = environment.variables[service.name] ?? [:]
        let settings = try ReleaseSettings(service: service, remote: try RemoteService(service: service), variables: variables)
        var release = DesiredRelease(service: service.name, revision: commit, files: files, settings: settings,
                                     uncheckedVariables: environment.unresolved[service.name] ?? [])
        release.analysisToken = environment.analysisTokens[service.name]
        let withoutSystemd = service.resolvingManager(hostRunsSystemd: false)
        if service.run.manager == .auto, withoutSystemd.run.manager == .process {
            release.settingsWithoutSystemd = try ReleaseSettings(service: withoutSystemd, remote: try RemoteService(service: withoutSystemd),
                                                                 variables: variables)
        }
        return release
    }

    private func file(for entry: GitTreeEntry) throws -> DesiredFile {
        let content = try repository.readFile(entry.path, at: commit) ?? Data()
        let sha256 = hashes[entry.blobID] ?? ManifestFile.sha256(content)
        hashes[entry.blobID] = sha256
        switch entry.mode {
        case .symlink:
            return DesiredFile(path: entry.path, sha256: sha256, mode: 0o777, size: entry.size,
                               symlinkTarget: String(decoding: content, as: UTF8.self), blobID: entry.blobID)
        case .executable:
            return DesiredFile(path: entry.path, sha256: sha256, mode: 0o755, size: entry.size, symlinkTarget: nil, blobID: entry.blobID)
        case .regular:
            return DesiredFile(path: entry.path, sha256: sha256, mode: 0o644, size: entry.size, symlinkTarget: nil, blobID: entry.blobID)
        }
    }
}
