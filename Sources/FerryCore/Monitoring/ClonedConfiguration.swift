import FerryConfig
import FerryGit
import Foundation

/// The config at a commit of the agent's clone in the state directory, without fetching:
/// what the alert routes and the health loop read between and after runs.
struct ClonedConfiguration: Sendable {
    /// The config.
    var configuration: FerryConfiguration
    /// The commit it was read at.
    var commit: CommitID
    /// Reads `from_age` and `from_sops` secrets at that commit.
    var encrypted: EncryptedSecrets

    /// The config of the first of `revisions` that resolves in the clone and loads; nil when none does.
    static func load(state: StateDirectory, trying revisions: [String], ageIdentity: String?) async -> ClonedConfiguration? {
        let clone = state.repositoryURL
        let found = try? await BlockingWork.run { () -> ClonedConfiguration? in
            guard let repository = try? GitRepository.open(at: clone) else { return nil }
            for revision in revisions {
                guard let commit = try? repository.resolve(revision) else { continue }
                let loaded = ConfigLoader(source: GitCommitConfigSource(repository: repository, commit: commit)).load()
                guard let configuration = loaded.configuration else { continue }
                return ClonedConfiguration(
                    configuration: configuration, commit: commit,
                    encrypted: EncryptedSecrets(repository: repository, commit: commit, identityFile: ageIdentity))
            }
            return nil
        }
        return found ?? nil
    }
}
