import CGit2
import Dispatch
import Foundation

extension GitRepository {
    /// Clones `url` into a new bare repository at `destination` and returns it opened.
    ///
    /// `url` is a local path, a `file://` URL, `ssh://[user@]host[:port]/path` or
    /// `[user@]host:path` (SSH needs ``GitTransferOptions/sshConnector``). The clone
    /// has no local branches: every remote branch is `origin/<name>`, every tag is
    /// fetched, so ``resolve(_:)`` never finds a stale local branch.
    ///
    /// `destination` must not exist or be an empty directory; on failure it is removed
    /// again. Runs on a dedicated queue; cancelling the task stops the transfer.
    public static func clone(
        from url: String, to destination: URL, options: GitTransferOptions = GitTransferOptions()
    ) async throws(GitError) -> GitRepository {
        try GitLibrary.initialize()
        let context = TransferContext(options: options)
        let queue = DispatchQueue(label: "ferry.git.clone")
        return try await BlockingTransfer.run(on: queue, context: context) { () throws(GitError) -> GitRepository in
            try cloneBlocking(from: RemoteLocation.normalized(url), to: destination, context: context)
        }
    }

    /// Fetches every branch (into `origin/<name>`) and tag of the `origin` remote,
    /// following force-pushes and removing what the remote deleted. Local branches
    /// are not touched: resolve `origin/<branch>` to see what was fetched.
    ///
    /// Runs on this repository's transfer queue with its own libgit2 handle, so reads
    /// on this object go on meanwhile; cancelling the task stops the transfer.
    public func fetch(options: GitTransferOptions = GitTransferOptions()) async throws(GitError) {
        let context = TransferContext(options: options)
        let gitDirectory = self.gitDirectory
        try await BlockingTransfer.run(on: transferQueue, context: context) { () throws(GitError) in
            var handle: OpaquePointer?
            try checked("git_repository_open") { git_repository_open(&handle, gitDirectory.path) }
            defer { git_repository_free(handle) }
            var remote: OpaquePointer?
            try checked("git_remote_lookup") { git_remote_lookup(&remote, handle, RemoteFetch.remoteName) }
            defer { git_remote_free(remote) }
            guard let remote else { return }
            try RemoteFetch.run(remote: remote, context: context)
        }
    }

    private static func cloneBlocking(
        from url: String, to destination: URL, context: TransferContext
    ) throws(GitError) -> GitRepository {
        let createdDestination = try prepareEmptyDirectory(destination)
        do throws(GitError) {
            var handle: OpaquePointer?
            try checked("git_repository_init") { git_repository_init(&handle, destination.path, 1) }
            guard let handle else {
                throw GitError(kind: .other, message: "libgit2 returned no repository", function: "git_repository_init")
            }
            if let objects = LocalObjectSeeding.sourceObjects(of: url) {
                LocalObjectSeeding.seed(from: objects, into: destination.appendingPathComponent("objects"))
            }
            let repository = GitRepository(handle: handle)
            try repository.withHandle { handle throws(GitError) in
                var remote: OpaquePointer?
                try checked("git_remote_create") { git_remote_create(&remote, handle, RemoteFetch.remoteName, url) }
                defer { git_remote_free(remote) }
                guard let remote else { return }
                try RemoteFetch.run(remote: remote, context: context)
            }
            return repository
        } catch {
            removeClone(at: destination, createdDestination: createdDestination)
            throw error
        }
    }

    /// Checks that `destination` is absent or empty; returns whether it was absent.
    private static func prepareEmptyDirectory(_ destination: URL) throws(GitError) -> Bool {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: destination.path, isDirectory: &isDirectory) else { return true }
        let contents = (try? files.contentsOfDirectory(atPath: destination.path)) ?? []
        guard isDirectory.boolValue, contents.isEmpty else {
            throw GitError(
                kind: .alreadyExists,
                message: "cannot clone into '\(destination.path)': it exists and is not an empty directory",
                function: "GitRepository.clone")
        }
        return false
    }

    /// Removes a failed clone: the directory if the clone created it, its contents otherwise.
    private static func removeClone(at destination: URL, createdDestination: Bool) {
        let files = FileManager.default
        if createdDestination {
            try? files.removeItem(at: destination)
        } else {
            for name in (try? files.contentsOfDirectory(atPath: destination.path)) ?? [] {
                try? files.removeItem(at: destination.appendingPathComponent(name))
            }
        }
    }
}
