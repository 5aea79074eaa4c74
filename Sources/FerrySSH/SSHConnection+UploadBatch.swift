import Foundation

extension SSHConnection {
    /// How many files of a batch are open on the host at once (each holds a descriptor of the SFTP server).
    static let uploadWindow = 256
    /// How many renames of a batch are in flight at once.
    static let renameWindow = 1024

    /// Writes many files to the host at the cost of a few round trips, each so that no reader
    /// ever sees it half-written under its path.
    ///
    /// 1. Every file goes to a temporary name next to its path, created exclusively and given
    ///    its mode exactly, over an SFTP session of its own with many requests in flight at once.
    /// 2. One command flushes them to disk: `sync -f` on the deepest directory holding them all
    ///    (plain `sync` on hosts whose `sync` has no `-f`). A file on another file system mounted
    ///    below that directory is written back when the kernel decides.
    /// 3. Every temporary file is renamed over its path with `rename(2)`
    ///    (`posix-rename@openssh.com`), again many at once. The rename replaces the directory
    ///    entry, so another hard link to the old file keeps the old bytes.
    ///
    /// On failure the temporary files are removed; files already renamed stay in place.
    ///
    /// Throws ``SSHError`` with kind `.noSpaceLeft` when the host's file system is full (OpenSSH
    /// answers a full disk with its generic failure, so free space is then checked with `df`),
    /// `.fileNotFound` when a directory is missing, `.invalidArgument` when `files` names a path
    /// twice, `.sftpFailure` for other refusals.
    ///
    /// - Parameter timeout: the most any one file may take to be written or renamed (default:
    ///   `timeouts.total`); the batch as a whole may take longer.
    public func upload(_ files: [UploadFile], timeout: Duration? = nil) async throws {
        guard !files.isEmpty else { return }
        guard Set(files.map(\.path)).count == files.count else {
            throw SSHError(kind: .invalidArgument, message: "a batch upload names the same path twice", endpoint: endpoint.description)
        }
        let limit = timeout ?? timeouts.total
        let temporaries = try files.map { try RemotePath.temporarySibling(of: $0.path) }
        do {
            try await runBatch(zip(files, temporaries).map { file, temporary in
                .write(path: temporary, target: file.path, data: file.contents, mode: file.mode)
            }, window: Self.uploadWindow, timeout: limit)
            try await flushToDisk(RemotePath.commonDirectory(of: files.map(\.path)), timeout: limit)
            try await runBatch(zip(files, temporaries).map { file, temporary in
                .rename(source: temporary, target: file.path)
            }, window: Self.renameWindow, timeout: limit)
        } catch {
            await removeQuietly(temporaries)
            throw error
        }
    }

    private func runBatch(_ jobs: [SFTPBatchJob], window: Int, timeout: Duration) async throws {
        let failure = try await perform { cancellation, completion in
            SFTPBatchOperation(jobs: jobs, window: window, timeout: timeout, cancellation: cancellation, completion: completion)
        }
        guard let failure else { return }
        throw await error(for: failure)
    }

    /// The error for a refused request, naming a full disk as such.
    private func error(for failure: SFTPBatchFailure) async -> SSHError {
        let status = failure.status
        let directory = RemotePath.parent(of: failure.target)
        if status == SFTPWire.Status.noSpaceOnFileSystem || status == SFTPWire.Status.quotaExceeded {
            return noSpaceLeft(at: failure.target, detail: SFTPStatus.describe(UInt(status)))
        }
        if status == SFTPWire.Status.failure, let space = await freeSpace(in: directory), space.isExhausted(writing: failure.bytes) {
            return noSpaceLeft(at: failure.target, detail: space.description)
        }
        let missing = status == SFTPWire.Status.noSuchFile || status == SFTPWire.Status.noSuchPath
        return SSHError(
            kind: missing ? .fileNotFound : .sftpFailure,
            message: "\(failure.action) \(failure.target) failed: \(SFTPStatus.describe(UInt(status)))\(missing ? " (does \(directory) exist?)" : "")",
            endpoint: endpoint.description
        )
    }

    private func noSpaceLeft(at path: String, detail: String) -> SSHError {
        SSHError(kind: .noSpaceLeft,
                 message: "no space left on \(endpoint.host) (\(path)): \(detail); free space there (`df -h`, `df -i` for inodes) and try again",
                 endpoint: endpoint.description)
    }

    /// Flushes the file system holding `directory` to disk, so no rename can point at bytes still in memory.
    private func flushToDisk(_ directory: String, timeout: Duration) async throws {
        let script = #"""
        if e=$(sync -f -- "$1" 2>&1); then exit 0; fi
        case $e in *"invalid option"*|*"unrecognized option"*) exec sync ;; esac
        printf '%s\n' "$e" >&2
        exit 1
        """#
        let result = try await run(ShellQuote.command(["/bin/sh", "-c", script, "sh", directory]), timeout: timeout)
        guard !result.succeeded else { return }
        let said = result.stderrTail()
        if said.contains("No space left on device") {
            throw noSpaceLeft(at: directory, detail: said)
        }
        throw SSHError(kind: .remoteCommandFailed, message: "cannot flush the uploaded files under \(directory) to disk (\(result.endDescription)): \(said)",
                       endpoint: endpoint.description, exitStatus: result.exitStatus)
    }

    /// What `df` says is free on the file system holding `directory`; nil when it cannot tell.
    private func freeSpace(in directory: String) async -> FreeSpace? {
        let script = #"""
        k=$(df -Pk -- "$1" 2>/dev/null | awk 'NR == 2 { print $4 }')
        i=$(df -Pi -- "$1" 2>/dev/null | awk 'NR == 2 && $2 > 0 { print $4 }')
        printf '%s %s\n' "${k:--}" "${i:--}"
        """#
        guard let result = try? await run(ShellQuote.command(["/bin/sh", "-c", script, "sh", directory]), timeout: timeouts.read),
              result.succeeded else { return nil }
        let fields = result.stdoutText.split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard fields.count == 2 else { return nil }
        return FreeSpace(kibibytes: fields[0], inodes: fields[1])
    }

    /// Removes what a failed batch left behind; a failure here changes nothing for the caller.
    private func removeQuietly(_ paths: [String]) async {
        let list = Data(paths.map { $0 + "\u{0}" }.joined().utf8)
        _ = try? await run(ShellQuote.command(["xargs", "-0", "rm", "-f", "--"]), stdin: list, timeout: timeouts.read)
    }
}

extension RemotePath {
    /// The directory holding `path` (`.` for a bare name).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The deepest directory holding every one of `paths` (`/` or `.` when they share none).
    static func commonDirectory(of paths: [String]) -> String {
        let directories = Set(paths.map { parent(of: $0) })
        guard let first = directories.first else { return "." }
        var common = first.split(separator: "/", omittingEmptySubsequences: false)
        for directory in directories where directory != first {
            let components = directory.split(separator: "/", omittingEmptySubsequences: false)
            let shared = zip(common, components).prefix { $0 == $1 }.count
            common = Array(common.prefix(shared))
        }
        let joined = common.joined(separator: "/")
        if joined.isEmpty { return first.hasPrefix("/") ? "/" : "." }
        return joined
    }
}
