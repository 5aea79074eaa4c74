import FerryConfig
import FerryGit

/// The branch a fetched clone follows and the commit it points at: the branch the settings
/// name, or, when none is set, the one the remote's `HEAD` names (as `git clone` picks it).
public struct BranchSelection: Sendable {
    /// The branch's name (`main`, `trunk`, `release/2024`).
    public let branch: String
    /// The commit `origin/<branch>` points at.
    public let head: CommitID
    /// True when no branch was set and ``branch`` is the remote's default.
    public let followsRemoteDefault: Bool

    /// Resolves `setting` (a branch name, or ``AgentSettings/remoteDefaultBranch``) in `repository`.
    /// - Throws: ``ReconcileError`` (`configRepository`) naming the branches the remote has.
    public init(repository: GitRepository, setting: String, url: String) throws {
        let shownURL = RemoteLocation.redactingCredentials(url)
        if setting == AgentSettings.remoteDefaultBranch {
            guard let remoteDefault = repository.remoteDefaultBranch(),
                let head = try? repository.resolve("origin/\(remoteDefault)")
            else {
                throw ReconcileError(
                    .configRepository, "\(shownURL) names no default branch (its HEAD points at no branch, or it has no commits)",
                    hint: Self.hint(repository: repository))
            }
            self.init(branch: remoteDefault, head: head, followsRemoteDefault: true)
            return
        }
        guard let head = try? repository.resolve("origin/\(setting)") else {
            throw ReconcileError(.configRepository, "branch \(setting) does not exist in \(shownURL)", hint: Self.hint(repository: repository))
        }
        self.init(branch: setting, head: head, followsRemoteDefault: false)
    }

    private init(branch: String, head: CommitID, followsRemoteDefault: Bool) {
        self.branch = branch
        self.head = head
        self.followsRemoteDefault = followsRemoteDefault
    }

    /// What to do, with the branches the remote has.
    public static func hint(repository: GitRepository) -> String {
        let branches = (try? repository.remoteBranches()) ?? []
        let listed = branches.isEmpty ? "the remote has no branches" : "the remote has: " + Self.list(branches)
        return "\(listed); set the branch with --branch, FERRY_BRANCH or branch: in the agent file"
    }

    /// At most 20 names, then how many more.
    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(20).joined(separator: ", ")
        return names.count > 20 ? "\(shown) and \(names.count - 20) more" : shown
    }
}
