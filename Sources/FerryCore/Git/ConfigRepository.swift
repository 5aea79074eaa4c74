import FerryGit
import Foundation

/// The agent's own clone of the config repository, kept in the state directory.
public struct ConfigRepository: Sendable {
    /// The clone.
    public let repository: GitRepository
    /// The commit the branch points at after the fetch.
    public let head: CommitID
    /// The branch followed: the one the settings name, or the remote's default branch.
    public let branch: String
    /// Whether ``branch`` is the remote's default branch because no branch was set.
    public let followsRemoteDefault: Bool
    /// Set when the clone followed another URL before this sync: it now follows the one given.
    public let change: RepositoryChange?

    /// Clones `url` into `directory` the first time (or again when the clone there is unusable),
    /// fetches it every later time, and resolves `branch` to the commit the remote has now;
    /// `branch` ``AgentSettings/remoteDefaultBranch`` follows the branch the remote's `HEAD` names.
    ///
    /// A clone that follows another URL is re-pointed at `url` before the fetch (removed and
    /// cloned again if it cannot be), and ``change`` says so. When that fetch fails the clone is
    /// pointed back, so the next sync notices the change again.
    public static func sync(
        url: String, branch: String, directory: URL, options: GitTransferOptions
    ) async throws -> ConfigRepository {
        let (repository, change) = try await fetchedClone(of: url, in: directory, options: options)
        let selection = try BranchSelection(repository: repository, setting: branch, url: url)
        return ConfigRepository(repository: repository, head: selection.head, branch: selection.branch,
                                followsRemoteDefault: selection.followsRemoteDefault, change: change)
    }

    /// The clone in `directory`, up to date with `url`, and how its URL changed.
    private static func fetchedClone(
        of url: String, in directory: URL, options: GitTransferOptions
    ) async throws -> (GitRepository, RepositoryChange?) {
        guard let existing = try openOrDiscard(directory) else {
            return (try await clone(url, into: directory, options: options), nil)
        }
        let (repository, previousURL) = existing
        guard try !repository.originIs(url) else {
            try await repository.fetch(options: options)
            return (repository, nil)
        }
        do {
            try repository.setOriginURL(url)
        } catch {
            try remove(directory, because: "its origin cannot be pointed at the new URL: \(error)")
            return (try await clone(url, into: directory, options: options),
                    RepositoryChange(previousURL: previousURL, url: url, action: .recloned))
        }
        do {
            try await repository.fetch(options: options)
        } catch {
            try? repository.setOriginURL(previousURL)
            throw error
        }
        return (repository, RepositoryChange(previousURL: previousURL, url: url, action: .repointed))
    }

    /// The clone in `directory` and the URL it follows; nil when there is none, or when the
    /// one there cannot be opened or has no origin (it is removed, to be cloned again).
    private static func openOrDiscard(_ directory: URL) throws -> (GitRepository, String)? {
        guard FileManager.default.fileExists(atPath: directory.path) else { return nil }
        do {
            let repository = try GitRepository.open(at: directory)
            return (repository, try repository.originURL())
        } catch {
            try remove(directory, because: "it is not a usable clone: \(error)")
            return nil
        }
    }

    private static func clone(_ url: String, into directory: URL, options: GitTransferOptions) async throws -> GitRepository {
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        return try await GitRepository.clone(from: url, to: directory, options: options)
    }

    private static func remove(_ directory: URL, because reason: String) throws {
        do {
            try FileManager.default.removeItem(at: directory)
        } catch {
            throw ReconcileError(.configRepository, "cannot remove \(directory.path) (\(reason)): \(error)",
                                 hint: "remove it by hand; the next run clones the config repository again")
        }
    }
}
