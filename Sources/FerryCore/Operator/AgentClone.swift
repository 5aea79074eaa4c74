import FerryConfig
import FerryGit
import Foundation

/// What the agent's clone of the config repository (`<state>/repo`) says, as the last
/// reconcile left it: the commit of `origin/<branch>` and the config at that commit.
/// Operator commands read it and never fetch: they act on what the agent knows.
struct AgentClone: Sendable {
    /// The clone.
    let repository: GitRepository
    /// The branch reconciled.
    let branch: String
    /// The commit `origin/<branch>` points at.
    let head: CommitID
    /// The config at ``head``, nil when it does not load.
    let configuration: FerryConfiguration?
    /// Why the config at ``head`` does not load, when it does not.
    let configProblem: String?

    /// What looking for the clone found.
    enum Lookup: Sendable {
        /// No reconcile has cloned the config repository yet.
        case missing
        /// The clone exists but cannot be read, or lacks `origin/<branch>`; the reason.
        case unusable(String)
        /// The clone and the config at `origin/<branch>`.
        case found(AgentClone)

        /// The clone, when it was found.
        var clone: AgentClone? {
            if case .found(let clone) = self { return clone }
            return nil
        }
    }

    /// ``lookup(in:branch:)`` off the cooperative pool (libgit2 reads block).
    static func lookupInBackground(in state: StateDirectory, branch: String) async -> Lookup {
        do {
            return try await BlockingWork.run { lookup(in: state, branch: branch) }
        } catch {
            return .unusable("cannot read the clone in \(state.repositoryURL.path): \(error)")
        }
    }

    /// Opens the clone in `state` and loads the config at `origin/<branch>`; `branch`
    /// ``AgentSettings/remoteDefaultBranch`` is the remote's default branch the last fetch saw.
    static func lookup(in state: StateDirectory, branch setting: String) -> Lookup {
        let directory = state.repositoryURL
        guard FileManager.default.fileExists(atPath: directory.path) else { return .missing }
        let repository: GitRepository
        let head: CommitID
        var branch = setting
        do {
            repository = try GitRepository.open(at: directory)
            if setting == AgentSettings.remoteDefaultBranch, let remoteDefault = repository.remoteDefaultBranch() {
                branch = remoteDefault
            }
            head = try repository.resolve("origin/\(branch)")
        } catch {
            return .unusable("cannot read origin/\(branch) in \(directory.path): \(error)")
        }
        let loaded = ConfigLoader(source: GitCommitConfigSource(repository: repository, commit: head)).load()
        let problem = loaded.configuration == nil
            ? "the config at \(head.short) is invalid: " + loaded.errors.prefix(3).map { "\($0)" }.joined(separator: "; ")
            : nil
        return .found(AgentClone(repository: repository, branch: branch, head: head,
                                 configuration: loaded.configuration, configProblem: problem))
    }

    /// The commit an operator's revision names: a full or short commit id, a branch
    /// (`origin/<name>` first: the clone's local branches are never updated), a tag,
    /// or any other expression Git accepts.
    /// - Throws: ``OperatorError`` (`unknownRevision`).
    func resolve(_ revision: String) throws -> CommitID {
        let looksLikeCommitID = revision.utf8.count >= 4 && revision.allSatisfy(\.isHexDigit)
        if !looksLikeCommitID, let remote = try? repository.resolve("origin/\(revision)") { return remote }
        do {
            return try repository.resolve(revision)
        } catch {
            throw OperatorError(.unknownRevision,
                "\"\(revision)\" names no commit in the agent's clone (origin/\(branch) is at \(head.short)): \(error.message)",
                hint: "give a commit id, tag or branch the last reconcile fetched; a newer push is fetched by the next `ferry reconcile`")
        }
    }

    /// Whether `service` has changes from `applied` to ``head``: a commit between them touched
    /// one of its `sources`. True when `applied` is not a commit the clone knows (after a force-push).
    func sourcesChanged(of service: Service, since applied: String) -> Bool {
        guard let from = CommitID(applied) else { return true }
        if from == head { return false }
        guard let changes = try? repository.diff(from: from, to: head) else { return true }
        return changes.contains { change in
            change.touchedPaths.contains { path in service.sources.contains { $0.matches(path) } }
        }
    }
}
