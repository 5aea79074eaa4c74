import Foundation

extension SSHConnection {
    /// Writes `data` to `path` on the host so that no reader ever sees it half-written.
    ///
    /// The bytes go over SFTP to a temporary file in the same directory, which is
    /// fsynced (where the server supports fsync@openssh.com), given `mode` exactly,
    /// then renamed over `path` by `mv -f -T` run on the host (OpenSSH's SFTP refuses
    /// to rename over an existing file). The temporary file is removed on failure.
    ///
    /// - Parameters:
    ///   - mode: the permission bits of the new file (the server's umask does not apply).
    ///   - timeout: the most the whole upload may take (default: `timeouts.total`).
    public func upload(_ data: Data, to path: String, mode: UInt32 = 0o644, timeout: Duration? = nil) async throws {
        try await upload(from: .data(data), to: path, mode: mode, timeout: timeout)
    }

    /// ``upload(_:to:mode:timeout:)`` for a local file, read in chunks (never whole into memory).
    public func upload(fileAt url: URL, to path: String, mode: UInt32 = 0o644, timeout: Duration? = nil) async throws {
        let file: FileHandle
        do {
            file = try FileHandle(forReadingFrom: url)
        } catch {
            throw SSHError(kind: .invalidArgument, message: "cannot open local file \(url.path): \(error.localizedDescription)", endpoint: endpoint.description)
        }
        try await upload(from: .file(file, path: url.path), to: path, mode: mode, timeout: timeout)
    }

    private func upload(from source: UploadSource, to path: String, mode: UInt32, timeout: Duration?) async throws {
        let budget = TimeBudget(timeout ?? timeouts.total)
        let temporary = try RemotePath.temporarySibling(of: path)
        do {
            try await perform { cancellation, completion in
                SFTPWriteFileOperation(path: temporary, source: source, mode: mode, timeout: budget.remaining, cancellation: cancellation, completion: completion)
            }
            let move = try await run(ShellQuote.command(["mv", "-f", "-T", "--", temporary, path]), timeout: budget.remaining)
            guard move.succeeded else {
                throw SSHError(
                    kind: .sftpFailure,
                    message: "cannot move the uploaded file into place at \(path) (\(move.endDescription)): \(move.stderrTail())",
                    endpoint: endpoint.description, exitStatus: move.exitStatus
                )
            }
        } catch {
            try? await removeFile(temporary, timeout: min(budget.remaining, timeouts.read))
            throw error
        }
    }

    /// Creates the directory `path`; succeeds if it already exists (as a directory).
    ///
    /// - Parameters:
    ///   - mode: the permission bits of each directory created (exactly; existing ones keep theirs).
    ///   - intermediate: also create missing parent directories, like `mkdir -p`.
    public func makeDirectory(_ path: String, mode: UInt32 = 0o755, intermediate: Bool = false, timeout: Duration? = nil) async throws {
        let budget = TimeBudget(timeout ?? timeouts.total)
        let targets = intermediate ? RemotePath.ancestorsAndSelf(of: path) : [path]
        for directory in targets {
            if let existing = try await stat(directory, followSymlinks: true, timeout: budget.remaining) {
                guard existing.isDirectory else {
                    throw SSHError(kind: .sftpFailure, message: "cannot create directory \(path): \(directory) exists and is not a directory", endpoint: endpoint.description)
                }
                continue
            }
            do {
                try await perform { cancellation, completion in
                    SFTPMakeDirectoryOperation(path: directory, mode: mode, timeout: budget.remaining, cancellation: cancellation, completion: completion)
                }
            } catch let error as SSHError where error.kind == .sftpFailure {
                // Someone else may have created it meanwhile.
                guard try await stat(directory, followSymlinks: true, timeout: budget.remaining)?.isDirectory == true else { throw error }
                continue
            }
            try await perform { cancellation, completion in
                SFTPSetPermissionsOperation(path: directory, mode: mode, timeout: budget.remaining, cancellation: cancellation, completion: completion)
            }
        }
    }

    /// The contents of a remote file; throws `.fileNotFound` if it does not exist and
    /// `.fileTooLarge` if it holds more than `maxBytes`.
    public func readFile(_ path: String, maxBytes: Int = 16 << 20, timeout: Duration? = nil) async throws -> Data {
        try await perform { cancellation, completion in
            SFTPReadFileOperation(path: path, maxBytes: maxBytes, timeout: timeout ?? timeouts.total, cancellation: cancellation, completion: completion)
        }
    }

    /// What the host knows about `path`, or nil if nothing exists there.
    ///
    /// - Parameter followSymlinks: describe the target of a symbolic link rather than the link.
    public func stat(_ path: String, followSymlinks: Bool = false, timeout: Duration? = nil) async throws -> RemoteFileInfo? {
        try await perform { cancellation, completion in
            SFTPStatOperation(path: path, followSymlinks: followSymlinks, timeout: timeout ?? timeouts.total, cancellation: cancellation, completion: completion)
        }
    }

    /// Removes a remote file (not a directory); throws `.fileNotFound` if it does not exist.
    public func removeFile(_ path: String, timeout: Duration? = nil) async throws {
        try await perform { cancellation, completion in
            SFTPRemoveOperation(path: path, timeout: timeout ?? timeouts.total, cancellation: cancellation, completion: completion)
        }
    }
}

/// Remote path arithmetic (POSIX paths on the host, not local file URLs).
enum RemotePath {
    /// `dir/.name.ferry-<random>`: a fresh name next to `path`, so a rename is atomic.
    static func temporarySibling(of path: String) throws(SSHError) -> String {
        let name = path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path[...]
        guard !name.isEmpty else {
            throw SSHError(kind: .invalidArgument, message: "\(path.isEmpty ? "an empty path" : path) does not name a file")
        }
        return "\(path[..<name.startIndex]).\(name).ferry-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
    }

    /// `/a`, `/a/b`, `/a/b/c` for `/a/b/c` (and `a`, `a/b` for a relative `a/b`).
    static func ancestorsAndSelf(of path: String) -> [String] {
        let absolute = path.hasPrefix("/")
        let components = path.split(separator: "/")
        return components.indices.map { index in
            (absolute ? "/" : "") + components[...index].joined(separator: "/")
        }
    }
}

/// The time left of one public operation made of several loop operations.
struct TimeBudget {
    private let deadline: ContinuousClock.Instant

    init(_ total: Duration) {
        deadline = .now + total
    }

    /// What is left (at least a millisecond, so the next step fails with its own timeout).
    var remaining: Duration {
        max(.milliseconds(1), ContinuousClock.now.duration(to: deadline))
    }
}
