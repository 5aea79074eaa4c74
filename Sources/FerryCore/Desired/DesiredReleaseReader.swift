import FerryConfig
import FerryGit
import Foundation

/// Reads desired releases from the config repository, reading, hashing and sizing each blob
/// at most once per run however many services share it, and not at all when its
/// ``BlobDigestCache`` already knows it (only a symbolic link's blob is still read: its target).
public final class DesiredReleaseReader: @unchecked Sendable {
    private let repository: GitRepository
    private let commit: CommitID
    private let digests: BlobDigestCache

    /// A reader of `commit` in `repository`, with no digests from earlier runs.
    public convenience init(repository: GitRepository, commit: CommitID) {
        self.init(repository: repository, commit: commit, digests: BlobDigestCache())
    }

    /// A reader of `commit` in `repository` that takes known blobs' digests from `digests` and
    /// records there those it computes.
    init(repository: GitRepository, commit: CommitID, digests: BlobDigestCache) {
        self.repository = repository
        self.commit = commit
        self.digests = digests
    }

    /// The release of `service` at the commit: every file matching one of its `sources`
    /// patterns, and the settings the config gives it with `environment` resolved.
    func release(of service: Service, environment: ServiceEnvironments) throws -> DesiredRelease {
        let entries = try repository.listFiles(at: commit, under: service.sources.map(\.literalPrefix),
                                               knownSize: { [digests] in digests.digest(of: $0)?.size }) { path in
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
        switch entry.mode {
        case .symlink:
            let target = try repository.readBlob(entry.blobID)
            let digest = digests.digest(of: entry.blobID) ?? record(target, of: entry.blobID)
            return DesiredFile(path: entry.path, sha256: digest.sha256, mode: 0o777, size: digest.size,
                               symlinkTarget: String(decoding: target, as: UTF8.self), blobID: entry.blobID)
        case .executable:
            let digest = try digest(of: entry.blobID)
            return DesiredFile(path: entry.path, sha256: digest.sha256, mode: 0o755, size: digest.size, symlinkTarget: nil, blobID: entry.blobID)
        case .regular:
            let digest = try digest(of: entry.blobID)
            return DesiredFile(path: entry.path, sha256: digest.sha256, mode: 0o644, size: digest.size, symlinkTarget: nil, blobID: entry.blobID)
        }
    }

    /// The digest of `blob`: the cache's, or computed from the blob's content and recorded.
    private func digest(of blob: BlobID) throws -> BlobDigest {
        if let known = digests.digest(of: blob) { return known }
        return record(try repository.readBlob(blob), of: blob)
    }

    private func record(_ content: Data, of blob: BlobID) -> BlobDigest {
        let digest = BlobDigest(sha256: ManifestFile.sha256(content), size: content.count)
        digests.record(digest, of: blob)
        return digest
    }
}
