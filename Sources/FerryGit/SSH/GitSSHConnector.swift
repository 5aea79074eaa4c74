/// Opens the byte streams Git over SSH runs on.
///
/// Ferry does not use libgit2's own SSH transport (it reads `~/.ssh/known_hosts` by
/// itself, has no timeouts and retries credentials in a loop). Instead, for `ssh://`
/// and scp-like (`user@host:path`) URLs, libgit2's smart protocol talks through a
/// command stream that a connector opens, so Git traffic gets the same host-key
/// checks, authentication and timeouts as everything else Ferry does over SSH.
///
/// The connector is called on libgit2's worker thread (never on Swift's cooperative
/// pool) and may block. Errors it throws end the fetch and surface as a ``GitError``
/// with the error's own description as message; its kind is the error's own when it is
/// a ``GitError`` or a ``GitConnectorError`` (``GitError/Kind/hostKey``,
/// ``GitError/Kind/auth``, ``GitError/Kind/timeout``…), ``GitError/Kind/network`` otherwise.
public protocol GitSSHConnector: Sendable {
    /// Connects to `host:port` as `user` (nil: the connector's default user) and
    /// starts `command` (e.g. `git-upload-pack '/srv/git/config.git'`, already quoted
    /// for the remote shell), returning its stdin/stdout as one stream.
    func openCommand(host: String, port: Int, user: String?, command: String) throws -> any GitSSHCommandStream
}

/// A running remote command's stdout (read) and stdin (write).
///
/// Used by one thread at a time. Reads and writes must be bounded by the connector's
/// own timeouts: libgit2 waits as long as they block.
public protocol GitSSHCommandStream: AnyObject {
    /// Reads at least one byte into `buffer` and returns how many; 0 means end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Ends the command and releases the connection's resources; called exactly once.
    func close()
}

/// An error a connector or its stream throws that knows which ``GitError/Kind`` it is,
/// so a fetch that failed on, say, a changed host key reports ``GitError/Kind/hostKey``.
public protocol GitConnectorError: Error {
    /// The kind the failed fetch or clone reports.
    var gitErrorKind: GitError.Kind { get }
}
