import FerryGit
import Foundation

/// The agent's own clone of the config repository, kept in the state directory.
public struct ConfigRepository: Sendable {
    /// The clone.
    public let repository: GitRepository
    /// The commit the configured branch points at after the fetch.
    public let head: CommitID

    /// Clones `url` into `directory` the first time, fetches it every later time, and
    /// resolves `branch` to the commit the remote has now.
    public static func sync(
        url: String, branch: String, directory: URL, options: GitTransferOptions
    ) async throws -> ConfigRepository {
        let repository: GitRepository
        if FileManager.default.fileExists(atPath: directory.path) {
            repository = try GitRepository.open(at: directory)
            try await repository.fetch(options: options)
        } else {
            try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
            repository = try await GitRepository.clone(from: url, to: directory, options: options)
        }
        do {
            return ConfigRepository(repository: repository, head: try repository.resolve("origin/\(branch)"))
        } catch {
            throw ReconcileError(.configRepository, "branch \(branch) does not exist in \(url)", hint: "check the branch setting (--branch, FERRY_BRANCH, branch: in the agent file)")
        }
    }
}
