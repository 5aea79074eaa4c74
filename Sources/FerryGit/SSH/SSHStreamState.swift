/// One command stream opened by a connector for one fetch, with the operation it
/// serves. libgit2's C stream holds it retained and releases it when freeing the stream.
final class SSHStreamState {
    let stream: any GitSSHCommandStream
    let context: TransferContext
    private var closed = false

    private init(stream: any GitSSHCommandStream, context: TransferContext) {
        self.stream = stream
        self.context = context
    }

    /// Parses the remote URL and asks the operation's connector to start `git-upload-pack`.
    static func open(url: String, context: TransferContext) throws(GitError) -> SSHStreamState {
        guard let connector = context.connector else {
            throw GitError(
                kind: .invalidArgument,
                message: "'\(url)' is an SSH remote but no SSH connector was given (GitTransferOptions.sshConnector)",
                function: "SSHTransport")
        }
        try context.checkNotCancelled()
        let remote = try SSHRemoteURL(parsing: url)
        do {
            let stream = try connector.openCommand(
                host: remote.host, port: remote.port, user: remote.user, command: remote.uploadPackCommand)
            return SSHStreamState(stream: stream, context: context)
        } catch {
            throw GitError.fromConnector(error, step: "Git over SSH to \(remote.host):\(remote.port)")
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(GitError) -> Int {
        try context.checkNotCancelled()
        do {
            return try stream.read(into: buffer)
        } catch {
            throw GitError.fromConnector(error, step: "reading from the Git server")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(GitError) {
        try context.checkNotCancelled()
        do {
            try stream.write(bytes)
        } catch {
            throw GitError.fromConnector(error, step: "writing to the Git server")
        }
    }

    /// Closes the command stream once, however often libgit2 asks.
    func close() {
        guard !closed else { return }
        closed = true
        stream.close()
    }
}
