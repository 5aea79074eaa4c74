import CGit2
import Dispatch
import Foundation

/// A Git repository on the local disk: Ferry's clone of the config repository, or any
/// repository `ferry diff` is pointed at.
///
/// Reads (``resolve(_:)``, ``readFile(_:at:)``, ``listFiles(at:under:where:)``,
/// ``diff(from:to:)``, ``isDescendant(_:of:)``, ``commitInfo(_:)``) are synchronous
/// and serialised on one libgit2 handle; ``clone(from:to:options:)`` and
/// ``fetch(options:)`` are asynchronous and run on a dedicated queue with their own
/// handle, so a fetch never holds up a read. Values come out; libgit2's pointers never do.
public final class GitRepository: @unchecked Sendable {
    /// The repository's Git directory (the repository itself when bare, `.git` otherwise).
    public let gitDirectory: URL

    private let handle: OpaquePointer
    private let lock = NSLock()
    /// Serialises this repository's fetches on a thread outside the cooperative pool.
    let transferQueue: DispatchQueue

    /// Takes ownership of `handle` (a `git_repository*`).
    init(handle: OpaquePointer) {
        self.handle = handle
        gitDirectory = URL(fileURLWithPath: String(cString: git_repository_path(handle)), isDirectory: true)
        transferQueue = DispatchQueue(label: "ferry.git.transfer")
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens the repository at `url`: a bare repository, a `.git` directory, or a
    /// working tree's root. Parent directories are not searched.
    /// - Throws: ``GitError/Kind/notFound`` when `url` holds no repository.
    public static func open(at url: URL) throws(GitError) -> GitRepository {
        try GitLibrary.initialize()
        var handle: OpaquePointer?
        try checked("git_repository_open_ext") {
            git_repository_open_ext(&handle, url.path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        }
        guard let handle else {
            throw GitError(kind: .other, message: "libgit2 returned no repository", function: "git_repository_open_ext")
        }
        return GitRepository(handle: handle)
    }

    /// Runs `body` with exclusive use of the libgit2 handle (libgit2 objects are not
    /// safe to use from two threads at once).
    func withHandle<T>(_ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(handle)
    }
}
