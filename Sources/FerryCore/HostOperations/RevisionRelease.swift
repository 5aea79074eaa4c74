import FerryConfig
import FerryGit

/// A service's release as Git describes it at an earlier revision: its files and the settings
/// the config gave it then, with the environment resolved now. `ferry rollback` builds it
/// when no release of that revision on a host can be trusted.
struct RevisionRelease: Sendable {
    /// The service as the config at the revision defines it (in today's `remote_dir`).
    var service: Service
    /// Its files and settings at the revision.
    var desired: DesiredRelease
    /// Its environment, secrets resolved.
    var variables: [String: String]
    /// The resolved secret values, for redaction.
    var secretValues: [String]

    /// The release of `current`'s service at `revision` (a commit or a prefix of one).
    /// - Throws: ``HostOperationError`` when the revision is unknown, its config invalid, or the
    ///   service absent from it; ``ReconcileError`` for a secret that cannot be resolved.
    static func load(_ revision: String, of current: Service, repository: GitRepository,
                     environment: [String: String], ageIdentity: String?) throws -> RevisionRelease {
        let commit: CommitID
        do {
            commit = try repository.resolve(revision)
        } catch {
            throw HostOperationError(.releaseNotFound, "the config repository has no commit \(revision)")
        }
        let loaded = ConfigLoader(source: GitCommitConfigSource(repository: repository, commit: commit)).load()
        guard let configuration = loaded.configuration else {
            throw HostOperationError(.releaseNotFound, "the config at \(commit.short) is invalid: \(loaded.errors.prefix(3).map { "\($0)" }.joined(separator: "; "))")
        }
        guard var service = configuration.service(named: current.name) else {
            throw HostOperationError(.releaseNotFound, "the config at \(commit.short) has no service \(current.name)")
        }
        service.remoteDirectory = current.remoteDirectory
        service.hosts = current.hosts
        var single = configuration
        single.services = [service]
        let encrypted = EncryptedSecrets(repository: repository, commit: commit, identityFile: ageIdentity)
        let environments = try ServiceEnvironments.resolve(single, environment: environment, encrypted: encrypted)
        let desired = try DesiredReleaseReader(repository: repository, commit: commit).release(of: service, environment: environments)
        return RevisionRelease(service: service, desired: desired, variables: environments.variables[service.name] ?? [:],
                               secretValues: environments.secretValues)
    }
}
