import FerryConfig
import FerryGit

/// For `change_detection: git_commit`: whether a commit after a host's revision touched a
/// service's sources, read from the history of the run's repository.
///
/// A commit touches the sources when a path it changed against its first parent (both sides
/// of a rename) matches one of the service's `sources` globs; a merge counts for what it
/// brought into the branch. A README-only commit touches nothing, so the host keeps its
/// release; a commit that changes a file and reverts it later still counts.
struct SourceHistory: Sendable {
    /// The run's repository.
    let repository: GitRepository
    /// The commit the run deploys.
    let head: CommitID

    /// The answers the ``Planner`` needs: one per `git_commit` service and revision its hosts'
    /// manifests name, computed together off the cooperative pool (libgit2 blocks).
    func answers(for services: [Service], observations: [String: HostObservation]) async -> SourceChanges {
        var revisions: [String: Set<String>] = [:]
        for service in services where service.changeDetection == .gitCommit {
            for host in service.hosts {
                guard case .reached(_, let observed)? = observations[host],
                      let revision = observed[service.name]?.manifestRevision else { continue }
                revisions[service.name, default: []].insert(revision)
            }
        }
        guard !revisions.isEmpty else { return SourceChanges(changed: [:]) }
        let wanted = services.filter { revisions[$0.name] != nil }
        return (try? await BlockingWork.run { [self, revisions] in answers(for: wanted, revisions: revisions) }) ?? SourceChanges(changed: [:])
    }

    /// Whether a commit after each of `revisions` (by service name) touched the service's
    /// sources; true for a revision that is no ancestor of ``head`` (unknown here, rewritten
    /// away, another history) or whose history cannot be read. Blocks on libgit2.
    func answers(for services: [Service], revisions: [String: Set<String>]) -> SourceChanges {
        var walk = Walk(history: self)
        var changed: [String: [String: Bool]] = [:]
        for service in services {
            for revision in revisions[service.name] ?? [] {
                changed[service.name, default: [:]][revision] = walk.sourcesChanged(service, since: revision)
            }
        }
        return SourceChanges(changed: changed)
    }

    /// One pass over the history: the paths changed since each revision, each commit read once.
    private struct Walk {
        let history: SourceHistory
        /// Paths changed from a revision to ``SourceHistory/head``; nil when the revision is no
        /// ancestor of it (unknown here, rewritten away, another history).
        private var pathsSince: [String: Set<String>?] = [:]
        private var pathsOfCommit: [CommitID: [String]] = [:]

        init(history: SourceHistory) {
            self.history = history
        }

        /// Whether a commit after `since` touched `service`'s sources; true when `since` is no ancestor of the head.
        mutating func sourcesChanged(_ service: Service, since: String) -> Bool {
            guard let paths = paths(since: since) else { return true }
            return paths.contains { path in service.sources.contains { $0.matches(path) } }
        }

        private mutating func paths(since revision: String) -> Set<String>? {
            if let known = pathsSince[revision] { return known }
            let paths = try? changedPaths(since: revision)
            pathsSince[revision] = paths
            return paths
        }

        private mutating func changedPaths(since revision: String) throws -> Set<String>? {
            let repository = history.repository
            guard let since = CommitID(revision), try repository.isDescendant(history.head, of: since) else { return nil }
            var paths = Set<String>()
            for commit in try repository.commits(from: history.head, excluding: since) {
                if pathsOfCommit[commit] == nil { pathsOfCommit[commit] = try repository.pathsChanged(by: commit) }
                paths.formUnion(pathsOfCommit[commit] ?? [])
            }
            return paths
        }
    }
}

/// Precomputed ``SourceHistory`` answers, by service and host revision, for the ``Planner``.
struct SourceChanges: Sendable {
    /// Whether the sources changed, by service name then revision.
    let changed: [String: [String: Bool]]

    /// The answer for `service` since `revision`; without one, any other revision than `head` counts.
    func sourcesChanged(_ service: Service, since revision: String, head: CommitID) -> Bool {
        changed[service.name]?[revision] ?? (revision != head.hex)
    }
}
